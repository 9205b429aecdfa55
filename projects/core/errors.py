"""Domain errors that every face (admin, API, tasks) turns into its own answer."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the rules refuse although it is well formed (the API answers 409)."""

    default_message = _("The request conflicts with the current state of the record.")

    def __init__(self, message=None, **details):
        self.message = message or self.default_message
        self.details = details
        super().__init__(str(self.message))


class TransitionNotAllowed(DomainError):
    def __init__(self, *, current, to, allowed, labels=None):
        labels = labels or {}
        allowed_text = ", ".join(f"{s} ({labels.get(s, s)})" for s in allowed) or "—"
        message = _("Cannot change status from “%(current)s” to “%(to)s”. Allowed: %(allowed)s.") % {
            "current": current,
            "to": to,
            "allowed": allowed_text,
        }
        super().__init__(message, current=current, to=to, allowed=list(allowed))
