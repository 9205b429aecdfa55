"""Writes of the joint conference: every one checks permission, validates, writes and keeps history
in one transaction, and schedules background work on commit.

The API and the admin both call these functions; nothing else writes the conference's records.
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import ActionStatus, MeetingStatus, PackStatus, PlanStatus, ReviewStatus
from projects.conference.errors import DecisionsNotOpen, MeetingLocked, PlanLocked
from projects.conference.lifecycle import ACTION_LIFECYCLE, MEETING_LIFECYCLE, PLAN_LIFECYCLE, REVIEW_LIFECYCLE
from projects.conference.models import (
    ActionItem,
    ActionUpdate,
    AgendaItem,
    AnnualPlan,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanAmendment,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
    PlanTransition,
    ReviewPack,
)
from projects.conference.rules import DROP, REPORT, SUBMIT_OPINION
from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.models import Province
from projects.core.services import delete_tracked, save_tracked
from projects.permissions import ADD, TRANSITION, require

# The two provinces that host the joint conference in turn (GB/T 2260 codes).
HOST_PROVINCE_CODES = ("510000", "500000")


# --- Shared parts ------------------------------------------------------------------------


def _assign(instance: models.Model, data: dict) -> None:
    for field, value in data.items():
        setattr(instance, field, value)


def _full_clean(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude))


def _record_transition(instance, actor, before: dict, message: str) -> None:
    record_change(
        instance=instance,
        action=ChangeAction.TRANSITION,
        actor=actor,
        before=before,
        after=snapshot(instance),
        message=message,
    )


def _replace_children(
    *,
    actor,
    parent: models.Model,
    existing: Iterable[models.Model],
    rows: list[dict],
    make: Callable[[dict], models.Model],
    key: Callable,
    field: str,
) -> None:
    """Make ``parent``'s children match ``rows``: update by ``key``, create the new, delete the rest.

    Each row is validated before anything is written; errors are reported under ``field``
    with the row's position, so nothing is half-saved.
    """
    current = {key(child): child for child in existing}
    seen, planned, errors = set(), [], []
    for position, row in enumerate(rows, start=1):
        child = make(row)
        child_key = key(child)
        if child_key in seen:
            errors.append(_("Row %(row)d repeats an earlier row.") % {"row": position})
            continue
        seen.add(child_key)
        stored = current.get(child_key)
        if stored is not None:
            before = snapshot(stored)
            _assign(stored, {f: getattr(child, f) for f in row})
            child = stored
        else:
            before = None
        try:
            child.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(f"#{position} {name}: {message}" for message in messages)
            continue
        planned.append((child, before))
    if errors:
        raise ValidationError({field: errors})
    for child, before in planned:
        child.save()
        record_change(
            instance=child,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            actor=actor,
            before=before,
            after=snapshot(child),
        )
    for child_key, child in current.items():
        if child_key not in seen:
            record_change(instance=child, action=ChangeAction.DELETE, actor=actor, before=snapshot(child))
            child.delete()


def _today() -> datetime.date:
    return timezone.localdate()


# --- Meetings ----------------------------------------------------------------------------


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


def meeting_save(
    *,
    actor,
    meeting: Meeting | None = None,
    data: dict,
    attending_organizations: list | None = None,
    agenda: list[dict] | None = None,
) -> Meeting:
    """Create or change a meeting with its attendance and agenda. Locked once the minutes are approved."""
    if meeting is not None and meeting.minutes_locked:
        raise MeetingLocked()
    data = dict(data)
    data.pop("status", None)

    def save():
        obj = meeting or Meeting()
        _assign(obj, data)
        if obj.sequence_no is None:
            obj.sequence_no = (Meeting.objects.aggregate(m=models.Max("sequence_no"))["m"] or 0) + 1
        if obj.host_province_id is None:
            host = next_host_province(obj.sequence_no)
            if host is not None:
                obj.host_province = host
        _full_clean(obj)
        check_host_takes_turns(obj)
        obj.save()
        if attending_organizations is not None:
            obj.attending_organizations.set(attending_organizations)
        if agenda is not None:
            _replace_children(
                actor=actor,
                parent=obj,
                existing=obj.agenda.all(),
                rows=[{**row, "position": index} for index, row in enumerate(agenda, start=1)],
                make=lambda row: AgendaItem(meeting=obj, **row),
                key=lambda item: item.position,
                field="agenda",
            )
        return obj

    return save_tracked(actor=actor, instance=meeting, save=save)


def meeting_transition(*, meeting: Meeting, to: str, actor, comment: str = "") -> Meeting:
    """planned → held (on or after its date) → minutes approved (once minutes are recorded)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require(actor, TRANSITION, meeting)
        MEETING_LIFECYCLE.check(meeting.status, to)
        if to == MeetingStatus.HELD and meeting.date > _today():
            raise DomainError(_("A meeting cannot be marked held before its date (%(date)s).") % {"date": meeting.date})
        if to == MeetingStatus.MINUTES_APPROVED and not (meeting.minutes.strip() or meeting.minutes_file):
            raise ValidationError({"minutes": _("Record the minutes (text or document) before approving them.")})
        before = snapshot(meeting)
        meeting.status = to
        meeting.status_changed_at = timezone.now()
        meeting.save(update_fields=["status", "status_changed_at"])
        _record_transition(meeting, actor, before, comment)
        return meeting


def meeting_delete(*, actor, meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise DomainError(_("Only a planned meeting can be deleted."))
    delete_tracked(actor=actor, instance=meeting)


# --- Decisions and follow-up actions -------------------------------------------------------


def check_decisions_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.HELD:
        raise DecisionsNotOpen()


def decision_save(*, actor, decision: Decision | None = None, data: dict) -> Decision:
    """Record or change a decision of a held meeting (numbered in order when no number is given)."""
    meeting = data.get("meeting") or decision.meeting
    check_decisions_open(meeting)
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError({"meeting": _("A decision stays with the meeting that made it.")})

    def save():
        obj = decision or Decision()
        _assign(obj, data)
        if obj.number is None:
            obj.number = (meeting.decisions.aggregate(m=models.Max("number"))["m"] or 0) + 1
        _full_clean(obj)
        obj.save()
        return obj

    return save_tracked(actor=actor, instance=decision, save=save)


def decision_delete(*, actor, decision: Decision) -> None:
    check_decisions_open(decision.meeting)
    delete_tracked(actor=actor, instance=decision)


def action_item_save(*, actor, item: ActionItem | None = None, data: dict) -> ActionItem:
    """Create or change a follow-up action; a new due date reopens an overdue one."""
    data = dict(data)
    data.pop("status", None)
    decision = data.get("decision") or item.decision
    if decision.meeting.status == MeetingStatus.PLANNED:
        raise DecisionsNotOpen()
    if item is not None and item.decision_id != decision.pk:
        raise ValidationError({"decision": _("A follow-up action stays with the decision that asked for it.")})

    def save():
        obj = item or ActionItem()
        _assign(obj, data)
        _full_clean(obj)
        if obj.due_date < decision.meeting.date:
            raise ValidationError({"due_date": _("The due date cannot be before the meeting.")})
        if obj.status == ActionStatus.OVERDUE and obj.due_date >= _today():
            obj.status, obj.status_changed_at = ActionStatus.OPEN, timezone.now()
            obj.overdue_notified_at = None
            obj.save()
            ActionUpdate.objects.create(
                action_item=obj,
                author=actor,
                text=gettext("New due date: %(date)s") % {"date": obj.due_date},
                from_status=ActionStatus.OVERDUE,
                to_status=ActionStatus.OPEN,
            )
        else:
            obj.save()
        return obj

    return save_tracked(actor=actor, instance=item, save=save)


def _move_action(item: ActionItem, to: str, actor, note: str) -> ActionUpdate:
    ACTION_LIFECYCLE.check(item.status, to)
    before = snapshot(item)
    from_status = item.status
    item.status = to
    item.status_changed_at = timezone.now()
    item.completed_on = _today() if to == ActionStatus.DONE else None
    if to == ActionStatus.OPEN:
        item.overdue_notified_at = None
    item.save(update_fields=["status", "status_changed_at", "completed_on", "overdue_notified_at"])
    _record_transition(item, actor, before, note)
    return ActionUpdate.objects.create(action_item=item, author=actor, text=note, from_status=from_status, to_status=to)


def action_item_transition(*, item: ActionItem, to: str, actor, note: str = "") -> ActionItem:
    """done / dropped / reopened by people; overdue only by the tracker when the due date passes."""
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().select_related("decision__meeting").get(pk=item.pk)
        require(actor, TRANSITION, item)
        if to == ActionStatus.OVERDUE:
            raise DomainError(
                _("Actions become overdue by themselves once their due date passes."),
                current=item.status,
                to=to,
                allowed=[s for s in ACTION_LIFECYCLE.allowed_from(item.status) if s != ActionStatus.OVERDUE],
            )
        if to == ActionStatus.DROPPED:
            require(actor, DROP, item)
        if to == ActionStatus.OPEN and item.due_date < _today():
            ACTION_LIFECYCLE.check(item.status, to)
            raise ValidationError({"due_date": _("Set a due date that has not passed before reopening.")})
        _move_action(item, to, actor, note)
        return item


def action_item_report(*, item: ActionItem, actor, text: str) -> ActionUpdate:
    """Add a note to an action's record of updates (the responsible organization or the joint office)."""
    if not text.strip():
        raise ValidationError({"text": _("Write what has been done.")})
    with transaction.atomic():
        require(actor, REPORT, item)
        update = ActionUpdate.objects.create(action_item=item, author=actor, text=text)
        record_change(instance=item, action=ChangeAction.UPDATE, actor=actor, message=text)
        return update


def mark_overdue_actions(*, today: datetime.date | None = None) -> list:
    """Mark open actions past their due date overdue; notify each responsible organization on commit."""
    from projects.conference.tasks import notify_overdue_action

    today = today or _today()
    marked = []
    with transaction.atomic():
        for item in ActionItem.objects.due_before(today).select_for_update():
            _move_action(
                item, ActionStatus.OVERDUE, None, gettext("The due date %(date)s has passed.") % {"date": item.due_date}
            )
            marked.append(item.pk)
        for pk in marked:
            transaction.on_commit(lambda pk=pk: notify_overdue_action.delay(str(pk)))
    return marked


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
                subject = gettext("Overdue follow-up action: %(title)s") % {"title": item.title}
                body = gettext(
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
        item.overdue_notified_at = timezone.now()
        item.save(update_fields=["overdue_notified_at"])
        return len(recipients)


# --- Annual plans ----------------------------------------------------------------------------


def plan_save(*, actor, plan: AnnualPlan | None = None, data: dict) -> AnnualPlan:
    """Create a year's plan or change its title and notes while it is open for drafting."""
    if plan is not None and not plan.is_editable:
        raise PlanLocked(plan)
    data = {k: v for k, v in data.items() if k in {"year", "title", "notes"}}

    def save():
        obj = plan or AnnualPlan()
        _assign(obj, data)
        _full_clean(obj, exclude=["meeting"])
        obj.save()
        return obj

    return save_tracked(actor=actor, instance=plan, save=save)


def plan_delete(*, actor, plan: AnnualPlan) -> None:
    if plan.status != PlanStatus.DRAFT or plan.revision:
        raise PlanLocked(plan)
    delete_tracked(actor=actor, instance=plan)


def _plan_baseline(plan: AnnualPlan) -> list[dict]:
    items = plan.items.select_related("project", "province").prefetch_related(
        "funding__source", "targets__indicator", "milestones"
    )
    return [
        {
            "project": item.project.code,
            "province": item.province.code,
            "planned_investment": str(item.planned_investment),
            "funding": {f.source.code: str(f.amount) for f in item.funding.all()},
            "targets": {t.indicator.code: str(t.target_value) for t in item.targets.all()},
            "milestones": [{"title": m.title, "due_date": m.due_date.isoformat()} for m in item.milestones.all()],
        }
        for item in items
    ]


def plan_transition(
    *,
    plan: AnnualPlan,
    to: str,
    actor,
    comment: str = "",
    meeting: Meeting | None = None,
    item_comments: dict | None = None,
    reason: str = "",
) -> AnnualPlan:
    """The one place that moves a plan: submit to a meeting, approve, return with comments, or amend."""
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        require(actor, TRANSITION, plan)
        PLAN_LIFECYCLE.check(plan.status, to)
        before = snapshot(plan)
        now = timezone.now()
        item_comments = item_comments or {}
        if to == PlanStatus.SUBMITTED:
            if meeting is None:
                raise ValidationError({"meeting": _("Name the meeting the plan is submitted to.")})
            if meeting.status == MeetingStatus.MINUTES_APPROVED:
                raise DomainError(_("The minutes of that meeting are approved already; choose a coming meeting."))
            if not plan.items.exists():
                raise ValidationError({"items": _("A plan needs at least one item before it is submitted.")})
            plan.meeting = meeting
        elif to in (PlanStatus.APPROVED, PlanStatus.RETURNED) and (
            plan.meeting is None or plan.meeting.status == MeetingStatus.PLANNED
        ):
            raise DomainError(_("The meeting the plan was submitted to has not been held yet."))
        if to == PlanStatus.RETURNED:
            _return_items(plan, item_comments, comment)
        elif to == PlanStatus.APPROVED:
            plan.approved_at = now
            plan.items.exclude(review_comment="").update(review_comment="")
            plan.amendments.filter(approved_at__isnull=True).update(approved_at=now, approved_meeting=plan.meeting)
        elif to == PlanStatus.DRAFT:  # an amendment of the approved plan
            if not reason.strip():
                raise ValidationError({"reason": _("Say why the approved plan needs to change.")})
            plan.revision += 1
            amendment = PlanAmendment.objects.create(
                plan=plan, revision=plan.revision, reason=reason, opened_by=actor, baseline=_plan_baseline(plan)
            )
            record_change(instance=amendment, action=ChangeAction.CREATE, actor=actor, after=snapshot(amendment))
            plan.meeting = None
            comment = comment or reason
        from_status = plan.status
        plan.status = to
        plan.status_changed_at = now
        plan.save()
        PlanTransition.objects.create(
            plan=plan,
            from_status=from_status,
            to_status=to,
            meeting=plan.meeting,
            actor=actor,
            comment=comment,
            item_comments=item_comments,
        )
        _record_transition(plan, actor, before, comment)
        return plan


def _return_items(plan: AnnualPlan, item_comments: dict, comment: str) -> None:
    items = {str(item.pk): item for item in plan.items.select_related("project")}
    by_code = {item.project.code: item for item in items.values()}
    unknown = [key for key in item_comments if str(key) not in items and key not in by_code]
    if unknown:
        raise ValidationError(
            {"item_comments": _("Not items of this plan: %(keys)s") % {"keys": ", ".join(map(str, unknown))}}
        )
    if not comment.strip() and not any(str(text).strip() for text in item_comments.values()):
        raise ValidationError({"comment": _("Say what needs rework, for the plan or per item.")})
    for key, text in item_comments.items():
        item = items.get(str(key)) or by_code[key]
        item.review_comment = text
        item.save(update_fields=["review_comment"])


def check_plan_item(item: PlanItem) -> None:
    project_provinces = {p.pk for p in item.project.provinces.all()}
    if project_provinces and item.province_id not in project_provinces:
        raise ValidationError({"province": _("The proposing province must take part in the project.")})


def plan_item_save(
    *,
    actor,
    plan: AnnualPlan | None = None,
    item: PlanItem | None = None,
    data: dict,
    funding: list[dict] | None = None,
    targets: list[dict] | None = None,
    milestones: list[dict] | None = None,
) -> PlanItem:
    """Draft a plan item with its funding, annual targets and milestones, all or nothing."""
    plan = plan or item.plan
    if not plan.is_editable:
        raise PlanLocked(plan)
    data = {k: v for k, v in data.items() if k in {"project", "province", "description"}}
    if item is not None and "project" in data and data["project"].pk != item.project_id:
        raise ValidationError({"project": _("An item keeps its project; remove it and add another instead.")})

    def save():
        obj = item or PlanItem(plan=plan)
        _assign(obj, data)
        if obj.province_id is None and getattr(actor, "province_id", None):
            obj.province_id = actor.province_id
        if obj.province_id is None and obj.project_id:
            provinces = list(obj.project.provinces.all())
            if len(provinces) == 1:
                obj.province = provinces[0]
        _full_clean(obj, exclude=["plan"])
        check_plan_item(obj)
        obj.save()
        if funding is not None:
            _replace_children(
                actor=actor,
                parent=obj,
                existing=obj.funding.all(),
                rows=funding,
                make=lambda row: PlanItemFunding(item=obj, **row),
                key=lambda part: part.source_id,
                field="funding",
            )
        if targets is not None:
            allowed = set(obj.project.targets.values_list("indicator_id", flat=True))
            wrong = [row["indicator"] for row in targets if row["indicator"].pk not in allowed]
            if wrong:
                raise ValidationError(
                    {
                        "targets": _("Not an indicator of the project's targets: %(codes)s")
                        % {"codes": ", ".join(indicator.code for indicator in wrong)}
                    }
                )
            _replace_children(
                actor=actor,
                parent=obj,
                existing=obj.targets.all(),
                rows=targets,
                make=lambda row: PlanItemTarget(item=obj, **row),
                key=lambda part: part.indicator_id,
                field="targets",
            )
        if milestones is not None:
            late = [row["title"] for row in milestones if row["due_date"].year != plan.year]
            if late:
                raise ValidationError(
                    {
                        "milestones": _("Milestones fall in the plan's year (%(year)s): %(titles)s")
                        % {"year": plan.year, "titles": ", ".join(late)}
                    }
                )
            _replace_children(
                actor=actor,
                parent=obj,
                existing=obj.milestones.all(),
                rows=milestones,
                make=lambda row: PlanMilestone(item=obj, **row),
                key=lambda part: part.title,
                field="milestones",
            )
        return obj

    return save_tracked(actor=actor, instance=item, save=save)


def plan_item_delete(*, actor, item: PlanItem) -> None:
    if not item.plan.is_editable:
        raise PlanLocked(item.plan)
    delete_tracked(actor=actor, instance=item)


def milestone_done(*, actor, milestone: PlanMilestone, done_on: datetime.date | None) -> PlanMilestone:
    """Record that a milestone was reached (also in an approved plan: it is execution, not planning)."""
    if done_on is not None and done_on > _today():
        raise ValidationError({"done_on": _("A milestone cannot be reached in the future.")})

    def save():
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        return milestone

    return save_tracked(actor=actor, instance=milestone, save=save)


# --- The expert committee --------------------------------------------------------------------


def expert_save(*, actor, expert: Expert | None = None, data: dict) -> Expert:
    def save():
        obj = expert or Expert()
        _assign(obj, data)
        _full_clean(obj)
        obj.save()
        return obj

    return save_tracked(actor=actor, instance=expert, save=save)


def review_request(
    *,
    actor,
    expert: Expert,
    project=None,
    plan: AnnualPlan | None = None,
    question: str = "",
    due_date: datetime.date | None = None,
) -> ExpertReview:
    """The joint office asks an expert in office to review one project or one plan."""
    require(actor, ADD, ExpertReview)
    if not expert.in_term(_today()):
        raise ValidationError({"expert": _("The expert's term on the committee is not current.")})

    def save():
        review = ExpertReview(
            expert=expert, project=project, plan=plan, question=question, due_date=due_date, requested_by=actor
        )
        _full_clean(review)
        review.save()
        return review

    return save_tracked(actor=actor, save=save)


def review_save(*, actor, review: ExpertReview, data: dict) -> ExpertReview:
    """The expert writes or revises their opinion until they submit it."""
    if review.status != ReviewStatus.REQUESTED:
        raise DomainError(_("The opinion is submitted; reopen the review to change it."))
    data = {k: v for k, v in data.items() if k in {"opinion", "recommendation", "score"}}

    def save():
        _assign(review, data)
        _full_clean(review)
        review.save()
        return review

    return save_tracked(actor=actor, instance=review, save=save)


def review_transition(*, review: ExpertReview, to: str, actor, comment: str = "") -> ExpertReview:
    """Submit an opinion (the expert, once text, recommendation and score are there) or reopen it."""
    with transaction.atomic():
        review = ExpertReview.objects.select_for_update(of=("self",)).select_related("expert").get(pk=review.pk)
        require(actor, TRANSITION, review)
        REVIEW_LIFECYCLE.check(review.status, to)
        if to == ReviewStatus.SUBMITTED:
            require(actor, SUBMIT_OPINION, review)
            missing = {
                name: _("Needed before the opinion is submitted.")
                for name in ("opinion", "recommendation", "score")
                if getattr(review, name) in (None, "")
            }
            if missing:
                raise ValidationError(missing)
        before = snapshot(review)
        review.status = to
        review.submitted_at = timezone.now() if to == ReviewStatus.SUBMITTED else None
        review.save(update_fields=["status", "submitted_at"])
        _record_transition(review, actor, before, comment)
        return review


# --- Review packs ----------------------------------------------------------------------------


def _pack_plan(meeting: Meeting) -> AnnualPlan | None:
    submitted = AnnualPlan.objects.filter(meeting=meeting).order_by("-year").first()
    return submitted or AnnualPlan.objects.filter(year__lte=meeting.date.year).order_by("-year").first()


def review_pack_request(*, actor, meeting: Meeting, as_of: datetime.date | None = None) -> tuple[ReviewPack, bool]:
    """Ask for a meeting's review pack; returns (pack, created). A pack already in the works is reused."""
    require(actor, ADD, ReviewPack)
    from projects.conference.tasks import build_review_pack

    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one request at a time per meeting
        waiting = meeting.review_packs.filter(status__in=[PackStatus.PENDING, PackStatus.RUNNING]).first()
        if waiting is not None:
            return waiting, False

        def save():
            return ReviewPack.objects.create(
                meeting=meeting, plan=_pack_plan(meeting), requested_by=actor, as_of=as_of or _today()
            )

        pack = save_tracked(actor=actor, save=save)
        transaction.on_commit(lambda: build_review_pack.delay(str(pack.pk)))
        return pack, True


# A pack left "running" this long was abandoned by a worker that died: it may be built again.
STALE_RUNNING = datetime.timedelta(minutes=15)


def review_pack_build(*, pack_id) -> str:
    """Build the spreadsheet and the PDF of one pack. Safe to run twice: a ready pack is left alone."""
    from projects.conference.review_pack import build_pdf, build_xlsx, pack_contents

    now = timezone.now()
    claimed = (
        ReviewPack.objects.filter(pk=pack_id)
        .filter(
            models.Q(status__in=[PackStatus.PENDING, PackStatus.FAILED])
            | models.Q(status=PackStatus.RUNNING, started_at__lt=now - STALE_RUNNING)
        )
        .update(status=PackStatus.RUNNING, started_at=now, error="", updated_at=now)
    )
    if not claimed:
        pack = ReviewPack.objects.filter(pk=pack_id).first()
        return pack.status if pack else "missing"
    pack = ReviewPack.objects.select_related("meeting__host_province", "plan").get(pk=pack_id)
    try:
        contents = pack_contents(pack)
        name = f"review-pack-{pack.meeting.sequence_no}-{pack.as_of:%Y%m%d}"
        xlsx, pdf = build_xlsx(contents), build_pdf(contents)
        with transaction.atomic():
            pack.xlsx.save(f"{name}.xlsx", xlsx, save=False)
            pack.pdf.save(f"{name}.pdf", pdf, save=False)
            pack.status, pack.finished_at = PackStatus.READY, timezone.now()
            pack.save()
            record_change(instance=pack, action=ChangeAction.UPDATE, after=snapshot(pack), message="built")
    except Exception as exc:
        ReviewPack.objects.filter(pk=pack_id).update(
            status=PackStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    return pack.status
