"""Domain errors that every face (admin, API, tasks) turns into its own answer."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _


def name_of(obj) -> str:
    """A record's name for a message. A name built from related records (a report's project
    code) fails when one was deleted meanwhile: the record's kind is named instead, so the
    message reporting an error never becomes an error itself."""
    try:
        return str(obj)
    except ObjectDoesNotExist:
        return str(obj._meta.verbose_name)


def breaks_constraint(exc: Exception, model, name: str) -> bool:
    """Whether the ``IntegrityError`` ``exc`` is the breach of ``model``'s unique constraint ``name``
    (not another constraint's): PostgreSQL names the constraint, SQLite names its columns."""
    diagnosis = getattr(exc.__cause__, "diag", None)
    if diagnosis is not None:
        return diagnosis.constraint_name == name
    constraint = next(c for c in model._meta.constraints if c.name == name)
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(field).column}" for field in constraint.fields)
    return str(exc) == f"UNIQUE constraint failed: {columns}"


class DomainError(Exception):
    """A request the rules refuse although it is well formed (the API answers 409)."""

    default_message = _("The request conflicts with the current state of the record.")
    code = "conflict"  # stable, for programs: the API's error ``code``

    def __init__(self, message=None, **details):
        self.message = message or self.default_message
        self.details = details
        super().__init__(str(self.message))


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"

    def __init__(self, *, current, to, allowed, labels=None):
        labels = labels or {}
        allowed_text = "、".join(str(labels.get(s, s)) for s in allowed) or "—"
        message = _("Cannot change the status from “%(current)s” to “%(to)s”. Allowed: %(allowed)s.") % {
            "current": labels.get(current, current),
            "to": labels.get(to, to),
            "allowed": allowed_text,
        }
        super().__init__(message, current=current, to=to, allowed=list(allowed))


class PreconditionFailed(DomainError):
    """The client wrote against a version of the record that is no longer current (HTTP 412)."""

    code = "precondition_failed"

    def __init__(self, *, current: int | None, expected):
        if current is None:
            message = _("“%(expected)s” is not a version of this record (If-Match takes the ETag you read).") % {
                "expected": expected
            }
        else:
            message = _(
                "The record has changed since you read it (it is now at version %(current)s, you sent "
                "%(expected)s). Read it again and apply your change to the current version."
            ) % {"current": current, "expected": expected}
        super().__init__(message, current_version=current, expected_version=str(expected))


class StaleRecord(DomainError):
    """A save of an outdated copy of a record (someone saved it in between): refused, never applied."""

    code = "stale_record"

    default_message = _("The record was changed by someone else in the meantime; nothing was saved. Try again.")
