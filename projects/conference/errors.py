"""Refusals particular to the joint conference (the API answers 409)."""

from django.utils.translation import gettext_lazy as _

from projects.core.errors import DomainError


class PlanLocked(DomainError):
    code = "plan_locked"
    default_message = _(
        "The plan is not open for drafting (status: %(status)s). An approved plan changes only through an "
        "amendment (transition to “draft” with a reason)."
    )

    def __init__(self, plan):
        super().__init__(self.default_message % {"status": plan.get_status_display()}, status=plan.status)


class MeetingLocked(DomainError):
    code = "meeting_locked"
    default_message = _("The minutes of this meeting are approved; its record can no longer change.")


class DecisionsNotOpen(DomainError):
    code = "decisions_not_open"
    default_message = _("Decisions are recorded for a meeting that has been held and whose minutes are not approved.")
