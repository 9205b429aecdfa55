"""Meetings (their attendance and agenda), the decisions they make and the status they are in."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from projects.conference.choices import MeetingStatus
from projects.conference.errors import DecisionsNotOpen, MeetingLocked
from projects.conference.lifecycle import MEETING_LIFECYCLE
from projects.conference.models import AgendaItem, Decision, Meeting
from projects.conference.services.common import delete_unreferenced, files, replace_rows
from projects.core.errors import DomainError
from projects.core.models import Province
from projects.core.services import (
    apply_fields,
    lock,
    save_changed,
    set_relations,
    today,
    tracked_save,
    tracked_transition,
)

# The two provinces that host the joint conference in turn (GB/T 2260 codes).
HOST_PROVINCE_CODES = ("510000", "500000")
_MEETING_FIELDS = (
    "sequence_no",
    "date",
    "host_province",
    "place",
    "attending_organizations",
    "attendees",
    "minutes",
    "minutes_file",
)
_DECISION_FIELDS = ("meeting", "number", "title", "text")


def check_host_takes_turns(meeting: Meeting) -> None:
    if meeting.host_province.code not in HOST_PROVINCE_CODES:
        raise ValidationError({"host_province": _("The joint conference is hosted by Sichuan or Chongqing.")})
    neighbours = Meeting.objects.filter(
        sequence_no__in=[meeting.sequence_no - 1, meeting.sequence_no + 1], host_province=meeting.host_province
    ).exclude(pk=meeting.pk)
    if neighbours.exists():
        raise ValidationError(
            {"host_province": _("Sichuan and Chongqing host in turn: the meeting before or after is hosted there.")}
        )


def next_host_province(sequence_no: int) -> Province | None:
    """The province whose turn it is after the meeting before ``sequence_no``."""
    previous = Meeting.objects.filter(sequence_no=sequence_no - 1).select_related("host_province").first()
    if previous is None:
        return None
    other = [code for code in HOST_PROVINCE_CODES if code != previous.host_province.code]
    return Province.objects.filter(code=other[0]).first() if other else None


def _agenda_rows(agenda: list[dict]) -> list[dict]:
    # The agenda is in the order given; a position typed in (the admin) is kept.
    return [{**row, "position": row.get("position") or index} for index, row in enumerate(agenda, start=1)]


def meeting_save(*, actor, instance: Meeting | None = None, data: dict, expected_version=None) -> Meeting:
    """Schedule a meeting or change it, with its attending organizations, attendees and agenda.

    ``data`` holds the fields the request sets; ``agenda`` is [{"title", "presenter"}] in order.
    The number and the host default to the next in turn. The status changes only through
    ``meeting_transition``; once the minutes are approved the record is locked.
    """
    fields = files({key: value for key, value in data.items() if key in _MEETING_FIELDS}, ["minutes_file"])
    agenda = data.get("agenda")

    def write(current: Meeting | None) -> Meeting:
        if current is not None and current.minutes_locked:
            raise MeetingLocked()
        meeting = current if current is not None else Meeting()
        changes = apply_fields(meeting, fields)
        if meeting.sequence_no is None:
            meeting.sequence_no = (Meeting.objects.aggregate(m=models.Max("sequence_no"))["m"] or 0) + 1
        if meeting.host_province_id is None:
            meeting.host_province = next_host_province(meeting.sequence_no)
        meeting.full_clean()
        check_host_takes_turns(meeting)
        if meeting._state.adding:
            try:
                with transaction.atomic():
                    meeting.save()
            except IntegrityError as exc:  # a parallel request took the same number first
                raise ValidationError({"sequence_no": _("Another meeting has this number; try again.")}) from exc
        set_relations(meeting, changes)
        if agenda is not None:
            changed = replace_rows(
                actor=actor,
                manager=meeting.agenda,
                rows=_agenda_rows(agenda),
                keys=("position",),
                make=lambda row: AgendaItem(meeting=meeting, **row),
                field="agenda",
            )
            changes.add("agenda", changed)
        save_changed(meeting, changes, created=current is None)
        return meeting

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("host_province",)
    )


def meeting_transition(*, actor, instance: Meeting, to: str, comment: str = "", expected_version=None) -> Meeting:
    """planned → held (on or after its date) → minutes approved (once minutes are recorded)."""

    def check(meeting: Meeting) -> None:
        if to == MeetingStatus.HELD and meeting.date > today():
            raise DomainError(_("A meeting cannot be marked held before its date (%(date)s).") % {"date": meeting.date})
        if to == MeetingStatus.MINUTES_APPROVED and not (meeting.minutes.strip() or meeting.minutes_file):
            raise ValidationError({"minutes": _("Record the minutes (text or document) before approving them.")})

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=MEETING_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        check=check,
    )


def meeting_delete(*, actor, instance: Meeting, expected_version=None) -> None:
    def check(meeting: Meeting) -> None:
        if meeting.status != MeetingStatus.PLANNED:
            raise DomainError(_("Only a planned meeting can be deleted."))

    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version, check=check)


# --- Decisions ---------------------------------------------------------------------------------


def check_decisions_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.HELD:
        raise DecisionsNotOpen()


def _locked_meeting(meeting_id) -> Meeting:
    # Decisions are written while their meeting is held: its status stays put until they are.
    return lock(Meeting(pk=meeting_id))


def decision_save(*, actor, instance: Decision | None = None, data: dict, expected_version=None) -> Decision:
    """Record or change a decision of a held meeting (numbered next in the meeting when no number is
    given). A decision stays with the meeting that made it."""
    fields = {key: value for key, value in data.items() if key in _DECISION_FIELDS}
    meeting_id = instance.meeting_id if instance is not None else getattr(fields.get("meeting"), "pk", None)
    if meeting_id is None:
        raise ValidationError({"meeting": _("Name the meeting that made the decision.")})

    def write(current: Decision | None) -> Decision:
        if current is not None and "meeting" in fields and fields["meeting"].pk != current.meeting_id:
            raise ValidationError({"meeting": _("A decision stays with the meeting that made it.")})
        meeting = _locked_meeting(meeting_id)
        check_decisions_open(meeting)
        decision = current if current is not None else Decision(meeting=meeting)
        changes = apply_fields(decision, fields)
        if decision.number is None:
            decision.number = (meeting.decisions.aggregate(m=models.Max("number"))["m"] or 0) + 1
        decision.full_clean()
        if decision._state.adding:
            decision.save()
        save_changed(decision, changes, created=current is None)
        return decision

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("meeting",)
    )


def decision_delete(*, actor, instance: Decision, expected_version=None) -> None:
    def check(decision: Decision) -> None:
        check_decisions_open(_locked_meeting(decision.meeting_id))

    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version, check=check)
