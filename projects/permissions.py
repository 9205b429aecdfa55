"""Who may do what: the one place the admin, the API, imports and tasks all ask.

``can(user, action, target)`` answers for a record (or, before one exists, for its model).
Each model's rule is a function registered with ``@rule_for("app_label.modelname")``: the
foundation's below, each domain's in its ``projects/<domain>/rules.py`` (imported by its
AppConfig.ready). A model with no rule of its own is reference data that only the joint
office and administrators change. Everyone signed in reads everything unless a rule says
otherwise: sharing is the point.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from projects.core.choices import Role

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
TRANSITION = "transition"

# How each action reads in a refusal ("You are not allowed to %(action)s this record."), the
# domains' own actions included (projects/<domain>/rules.py), so a refusal is one sentence in
# the reader's language. tests/test_translations.py checks every action in the rules has one.
ACTION_LABELS = {
    VIEW: pgettext_lazy("permission action", "view"),
    ADD: pgettext_lazy("permission action", "add"),
    CHANGE: pgettext_lazy("permission action", "change"),
    DELETE: pgettext_lazy("permission action", "delete"),
    TRANSITION: pgettext_lazy("permission action", "change the status of"),
    "review": pgettext_lazy("permission action", "review"),
    "report": pgettext_lazy("permission action", "report progress on"),
    "drop": pgettext_lazy("permission action", "drop"),
    "submit_opinion": pgettext_lazy("permission action", "submit an opinion on"),
}

Rule = Callable[[object, str, models.Model | None], bool]
_rules: dict[str, Rule] = {}


def rule_for(*labels: str):
    """Register the function deciding actions on the models named ``app_label.modelname``."""

    def register(func: Rule) -> Rule:
        for label in labels:
            _rules[label] = func
        return func

    return register


def can(user, action: str, target) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    model = target if isinstance(target, type) else type(target)
    obj = None if isinstance(target, type) else target
    rule = _rules.get(model._meta.label_lower, reference_data)
    return bool(rule(user, action, obj))


def require(user, action: str, target) -> None:
    if not can(user, action, target):
        label = ACTION_LABELS.get(action)
        if label is None:
            raise PermissionDenied(_("You are not allowed to do this."))
        raise PermissionDenied(_("You are not allowed to %(action)s this record.") % {"action": label})


# --- Building blocks ---------------------------------------------------------------------


def is_provincial_staff(user) -> bool:
    return user.role == Role.PROVINCIAL_STAFF and user.province_id is not None


def province_takes_part(user, province_ids: Iterable) -> bool:
    return is_provincial_staff(user) and user.province_id in set(province_ids)


# --- Foundation ----------------------------------------------------------------------------


def reference_data(user, action, obj) -> bool:
    """Provinces, divisions, corridors, organizations and catalogues."""
    return action == VIEW or user.runs_everything


@rule_for("core.user")
def users(user, action, obj) -> bool:
    if action == VIEW:
        return True
    return user.is_administrator


@rule_for("core.changerecord")
def change_records(user, action, obj) -> bool:
    # The history is written by the services only; nobody edits it.
    return action == VIEW
