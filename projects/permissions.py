"""Who may do what, and who may see what: the one place every face asks.

``can(user, action, target)`` answers for one record (or, before one exists, for its model).
``visible(user, queryset)`` is the same rule's answer for reading, as a queryset: lists,
details, prefetches and the history all go through it, so a record hidden from a user is
hidden everywhere. ``RuleBackend`` plugs both into Django's ``has_perm``, so the admin and
its inlines agree with the API.

Each model's rule is a function registered with ``@rule_for("app_label.modelname")`` (the
foundation's below, each domain's in ``projects/<domain>/rules.py``, imported by its
AppConfig.ready). A model with no rule of its own is reference data that only the joint
office and administrators change. A model with no ``@scope_for`` is read by everyone signed
in: sharing is the point.
"""

from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
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
Scope = Callable[[object, models.QuerySet], models.QuerySet]
HistoryScope = Callable[[object], Q | None]
_rules: dict[str, Rule] = {}
_scopes: dict[str, Scope] = {}
_history_scopes: dict[str, HistoryScope] = {}


def rule_for(*labels: str):
    """Register the function deciding actions on the models named ``app_label.modelname``."""

    def register(func: Rule) -> Rule:
        for label in labels:
            _rules[label] = func
        return func

    return register


def scope_for(*labels: str, history: HistoryScope | None = None):
    """Register the queryset form of a rule's ``VIEW`` answer for the models named.

    ``history`` returns the condition (on ``ChangeRecord``) under which the user may see the
    change records of such a record, or None for all of them.
    """

    def register(func: Scope) -> Scope:
        for label in labels:
            _scopes[label] = func
            if history is not None:
                _history_scopes[label] = history
        return func

    return register


def action_labels(labels: dict) -> None:
    """Domains name their own actions for refusal messages, with ``pgettext_lazy("permission
    action", …)`` so a short verb cannot clash with another message of the same text."""
    ACTION_LABELS.update(labels)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def can(user, action: str, target) -> bool:
    if not _signed_in(user):
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


def visible(user, queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` that ``user`` may see."""
    if not _signed_in(user):
        return queryset.none()
    scope = _scopes.get(queryset.model._meta.label_lower)
    return scope(user, queryset) if scope is not None else queryset


def seen_alike(model) -> bool:
    """Whether every signed-in user sees the same records of ``model`` (no scope narrows them):
    figures over them may then be computed once for all readers."""
    return model._meta.label_lower not in _scopes


def visible_history(user, records: models.QuerySet) -> models.QuerySet:
    """The change records ``user`` may see: none of records hidden from them."""
    if not _signed_in(user):
        return records.none()
    from django.contrib.contenttypes.models import ContentType

    for label, history in _history_scopes.items():
        allowed = history(user)
        if allowed is None:
            continue
        content_type = ContentType.objects.get_for_model(apps.get_model(label))
        records = records.exclude(Q(content_type=content_type) & ~allowed)
    return records


class RuleBackend:
    """Answers Django's ``user.has_perm("app.change_model", obj)`` from the rules above.

    Authentication stays with ``ModelBackend``; this backend only decides permissions, so the
    admin's inlines and any ``has_perm`` call agree with the API. Active superusers are let
    through by Django itself before any backend is asked.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        try:
            app_label, codename = perm.split(".", 1)
            action, model_name = codename.rsplit("_", 1)
            model = apps.get_model(app_label, model_name)
        except (ValueError, LookupError):
            return False
        return can(user_obj, action, obj if obj is not None else model)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return _signed_in(user_obj) and user_obj.is_staff


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


@rule_for("core.apitoken")
def api_tokens(user, action, token) -> bool:
    # Everyone issues, sees and revokes their own tokens; administrators anyone's.
    if user.is_administrator:
        return action != CHANGE
    if action == CHANGE:
        return False  # a token is never edited: revoke it and issue another
    return token is None or token.user_id == user.pk


@scope_for(
    "core.apitoken",
    history=lambda user: None if user.is_administrator else Q(object_id__in=_own_token_ids(user)),
)
def own_tokens(user, queryset):
    return queryset if user.is_administrator else queryset.filter(user=user)


@rule_for("core.notification")
def notifications(user, action, notification) -> bool:
    # Each person reads and marks read their own; the system writes them (reminders).
    if action not in (VIEW, CHANGE):
        return False
    return notification is None or notification.user_id == user.pk


@scope_for("core.notification", history=lambda user: Q(pk__in=[]))
def own_notifications(user, queryset):
    return queryset.filter(user=user)


@rule_for("core.importjob")
def import_jobs(user, action, job) -> bool:
    # Each person follows their own imports (administrators anyone's); the task writes them.
    if action != VIEW:
        return False
    return job is None or user.is_administrator or job.requested_by_id == user.pk


@scope_for("core.importjob", history=lambda user: Q(pk__in=[]))
def own_import_jobs(user, queryset):
    return queryset if user.is_administrator else queryset.filter(requested_by=user)


@rule_for("api.webhooksubscription")
def webhook_subscriptions(user, action, subscription) -> bool:
    # Each partner (or anyone signed in) keeps their own subscriptions; administrators see all.
    if user.is_administrator:
        return True
    return subscription is None or subscription.owner_id == user.pk


@scope_for(
    "api.webhooksubscription",
    history=lambda user: None if user.is_administrator else Q(object_id__in=_own_webhook_ids(user)),
)
def own_webhooks(user, queryset):
    return queryset if user.is_administrator else queryset.filter(owner=user)


def _own_webhook_ids(user) -> list[str]:
    from api.models import WebhookSubscription

    return [str(pk) for pk in WebhookSubscription.objects.filter(owner=user).values_list("pk", flat=True)]


def _own_token_ids(user) -> list[str]:
    from projects.core.models import ApiToken

    return [str(pk) for pk in ApiToken.objects.filter(user=user).values_list("pk", flat=True)]


@rule_for("core.changerecord")
def change_records(user, action, obj) -> bool:
    # The history is written by the services only; nobody edits it.
    return action == VIEW
