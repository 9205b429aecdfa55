"""Follow-up actions (督办事项) of decisions: written by the joint office, reported on and closed by
the responsible organization, marked overdue and notified by the tracker itself."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.conference import events
from projects.conference.choices import ActionStatus, MeetingStatus
from projects.conference.errors import DecisionsNotOpen
from projects.conference.lifecycle import ACTION_LIFECYCLE, ACTION_SET_BY_THE_TRACKER
from projects.conference.models import ActionItem, ActionUpdate
from projects.conference.rules import DROP, REPORT
from projects.conference.services.common import delete_unreferenced, update_one
from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.services import (
    apply_fields,
    check_version,
    lock,
    save_changed,
    tracked_save,
    tracked_transition,
    tracked_update,
)
from projects.permissions import require

_FIELDS = ("decision", "title", "description", "responsible_organization", "due_date")


def action_item_save(*, actor, instance: ActionItem | None = None, data: dict, expected_version=None) -> ActionItem:
    """Create or change a follow-up action of a held meeting's decision.

    The due date cannot be before the meeting; a new due date that has not passed reopens an
    overdue action. The status is not written here: people change it with
    ``action_item_transition``, and only the tracker marks an action overdue.
    """
    fields = {key: value for key, value in data.items() if key in _FIELDS}

    def write(current: ActionItem | None) -> ActionItem:
        if current is not None and "decision" in fields and fields["decision"].pk != current.decision_id:
            raise ValidationError({"decision": _("A follow-up action stays with the decision that asked for it.")})
        item = current if current is not None else ActionItem()
        changes = apply_fields(item, fields)
        if item.decision_id is None:
            raise ValidationError({"decision": _("Name the decision that asks for the action.")})
        meeting = item.decision.meeting
        if meeting.status == MeetingStatus.PLANNED:
            raise DecisionsNotOpen()
        item.full_clean()
        if item.due_date < meeting.date:
            raise ValidationError({"due_date": _("The due date cannot be before the meeting.")})
        reopened = item.status == ActionStatus.OVERDUE and item.due_date >= timezone.localdate()
        if reopened:
            item.status, item.status_changed_at, item.overdue_notified_at = ActionStatus.OPEN, timezone.now(), None
            changes.add("status")
        if item._state.adding:
            item.save()
        save_changed(item, changes, created=current is None)
        if reopened:
            ActionUpdate.objects.create(
                action_item=item,
                author=actor,
                text=_("New due date: %(date)s") % {"date": item.due_date},
                from_status=ActionStatus.OVERDUE,
                to_status=ActionStatus.OPEN,
            )
        return item

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("decision__meeting",)
    )


def action_item_transition(
    *, actor, instance: ActionItem, to: str, comment: str = "", expected_version=None
) -> ActionItem:
    """Done, dropped (the joint office only) or reopened by people; overdue only by the tracker."""

    def check(item: ActionItem) -> None:
        if to in ACTION_SET_BY_THE_TRACKER:
            raise DomainError(
                _("Actions become overdue by themselves once their due date passes."),
                current=item.status,
                to=to,
                allowed=[s for s in ACTION_LIFECYCLE.allowed_from(item.status) if s not in ACTION_SET_BY_THE_TRACKER],
            )
        if to == ActionStatus.DROPPED:
            require(actor, DROP, item)
        if to == ActionStatus.OPEN and item.due_date < timezone.localdate():
            raise ValidationError({"due_date": _("Set a due date that has not passed before reopening.")})

    def apply(item: ActionItem, from_status: str) -> None:
        item.completed_on = timezone.localdate() if to == ActionStatus.DONE else None
        if to == ActionStatus.OPEN:
            item.overdue_notified_at = None
        ActionUpdate.objects.create(action_item=item, author=actor, text=comment, from_status=from_status, to_status=to)

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=ACTION_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        check=check,
        apply=apply,
    )


def action_item_delete(*, actor, instance: ActionItem, expected_version=None) -> None:
    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version)


def action_item_report(*, actor, instance: ActionItem, text: str, expected_version=None) -> ActionUpdate:
    """Add a note to an action's record of updates (the responsible organization or the joint office).

    The action itself does not change (its version stays); the note is in its history.
    """
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what has been done.")})
    with transaction.atomic():
        item = lock(instance)
        require(actor, REPORT, item)
        check_version(item, expected_version)
        update = ActionUpdate.objects.create(action_item=item, author=actor, text=text)
        state = snapshot(item)
        record_change(
            instance=item,
            action=ChangeAction.UPDATE,
            actor=actor,
            before=state,
            after=state,
            message=text,
            event=events.ACTION_REPORTED,
        )
        return update


def mark_overdue_actions(*, today: datetime.date | None = None) -> list:
    """Mark open actions past their due date overdue (each recorded, its version bumped) and notify
    each responsible organization on commit. Safe to run twice: only open actions are marked."""
    from projects.conference.tasks import notify_overdue_action

    day = today or timezone.localdate()
    with transaction.atomic():
        marked = tracked_update(
            actor=None,
            queryset=ActionItem.objects.due_before(day),
            values={"status": ActionStatus.OVERDUE, "status_changed_at": timezone.now(), "overdue_notified_at": None},
            event=events.ACTION_OVERDUE,
        )
        for item in marked:
            ActionUpdate.objects.create(
                action_item=item,
                text=_("The due date %(date)s has passed.") % {"date": item.due_date},
                from_status=ActionStatus.OPEN,
                to_status=ActionStatus.OVERDUE,
            )
            transaction.on_commit(lambda pk=item.pk: notify_overdue_action.delay(str(pk)))
    return [item.pk for item in marked]


def notify_overdue_action(*, item_id) -> int:
    """Email the responsible organization's users about one overdue action, once. Returns mails sent."""
    with transaction.atomic():
        item = (
            ActionItem.objects.select_for_update(of=("self",))
            .select_related("responsible_organization", "decision__meeting")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.status != ActionStatus.OVERDUE or item.overdue_notified_at is not None:
            return 0
        organization = item.responsible_organization
        recipients = sorted(
            {
                *organization.users.filter(is_active=True).exclude(email="").values_list("email", flat=True),
                *([organization.email] if organization.email else []),
            }
        )
        sent = 0
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Overdue follow-up action: %(title)s") % {"title": item.title}
                body = _(
                    "The follow-up action “%(title)s” of decision %(decision)s was due on %(due)s and is "
                    "not done yet.\n\nResponsible organization: %(organization)s\n\nPlease report its progress "
                    "in the tracker."
                ) % {
                    "title": item.title,
                    "decision": item.decision,
                    "due": item.due_date,
                    "organization": organization.name,
                }
            sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        if not sent:
            return 0  # nobody was told: not marked notified
        update_one(item, {"overdue_notified_at": timezone.now()}, event=events.ACTION_NOTIFIED)
        return len(recipients)
