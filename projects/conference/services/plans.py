"""Annual implementation plans: drafting their items, the lifecycle through the joint conference,
amendments of an approved plan, and recording milestones as they are reached."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.conference import events
from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.errors import PlanLocked
from projects.conference.lifecycle import PLAN_LIFECYCLE
from projects.conference.models import (
    AnnualPlan,
    PlanAmendment,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
    PlanTransition,
)
from projects.conference.services.common import delete_unreferenced, replace_rows, update_one
from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.services import apply_fields, lock, save_changed, tracked_save, tracked_transition, tracked_update

_PLAN_FIELDS = ("year", "title", "notes")
_ITEM_FIELDS = ("project", "province", "description")


# --- Plans -------------------------------------------------------------------------------------


def plan_save(*, actor, instance: AnnualPlan | None = None, data: dict, expected_version=None) -> AnnualPlan:
    """Create a year's plan, or change its title and notes while it is open for drafting.

    A plan that has items keeps its year (their milestones fall in it).
    """
    fields = {key: value for key, value in data.items() if key in _PLAN_FIELDS}

    def write(current: AnnualPlan | None) -> AnnualPlan:
        if current is not None and not current.is_editable:
            raise PlanLocked(current)
        plan = current if current is not None else AnnualPlan()
        changes = apply_fields(plan, fields)
        if current is not None and "year" in changes.names and current.items.exists():
            raise ValidationError({"year": _("A plan with items keeps its year.")})
        plan.full_clean(exclude=["meeting"])
        if plan._state.adding:
            plan.save()
        save_changed(plan, changes, created=current is None)
        return plan

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def plan_delete(*, actor, instance: AnnualPlan, expected_version=None) -> None:
    """Only a draft plan that was never approved is deleted (an amended one has a record to keep)."""

    def check(plan: AnnualPlan) -> None:
        if plan.status != PlanStatus.DRAFT or plan.revision:
            raise PlanLocked(plan)

    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version, check=check)


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


def _items_commented(plan: AnnualPlan, item_comments: dict, comment: str) -> list[tuple[PlanItem, str]]:
    """The plan's items named in ``item_comments`` (by id or project code) with their comment."""
    items = {str(item.pk): item for item in plan.items.select_related("project")}
    by_code = {item.project.code: item for item in items.values()}
    unknown = [key for key in item_comments if str(key) not in items and key not in by_code]
    if unknown:
        raise ValidationError(
            {"item_comments": _("Not items of this plan: %(keys)s") % {"keys": ", ".join(map(str, unknown))}}
        )
    if not comment.strip() and not any(str(text).strip() for text in item_comments.values()):
        raise ValidationError({"comment": _("Say what needs rework, for the plan or per item.")})
    return [(items.get(str(key)) or by_code[key], text) for key, text in item_comments.items()]


def check_meeting_for(plan: AnnualPlan, meeting) -> None:
    """A plan goes to a meeting still to be held (or back to the held meeting that returned it),
    one held in the plan's year or the year before: never a 2027 plan to a 2023 meeting."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise DomainError(_("The minutes of that meeting are approved already; choose a coming meeting."))
    returned_by_it = plan.status == PlanStatus.RETURNED and plan.meeting_id == meeting.pk
    if meeting.status == MeetingStatus.HELD and not returned_by_it:
        raise DomainError(_("That meeting has been held already; choose a coming meeting."))
    if meeting.date.year not in (plan.year - 1, plan.year):
        raise ValidationError(
            {
                "meeting": _(
                    "The %(year)s plan goes to a meeting held in %(year)s or the year before, not to one on %(date)s."
                )
                % {"year": plan.year, "date": meeting.date.isoformat()}
            }
        )


def plan_transition(
    *,
    actor,
    instance: AnnualPlan,
    to: str,
    comment: str = "",
    expected_version=None,
    meeting=None,
    item_comments: dict | None = None,
    reason: str = "",
) -> AnnualPlan:
    """The one place that moves a plan: submit it to a ``meeting``, approve it, return it with
    comments (for the plan or per item, ``item_comments`` keyed by item id or project code), or
    amend an approved plan (back to draft with a ``reason``).

    Every record the move touches is written with its history: items returned with a comment,
    comments cleared on approval, the amendment opened or approved.
    """
    item_comments = dict(item_comments or {})
    if to == PlanStatus.DRAFT:
        comment = comment or reason
    commented: list[tuple[PlanItem, str]] = []
    target = {}

    def check(plan: AnnualPlan) -> None:
        if to == PlanStatus.SUBMITTED:
            if meeting is None:
                raise ValidationError({"meeting": _("Name the meeting the plan is submitted to.")})
            target["meeting"] = chosen = lock(meeting)
            check_meeting_for(plan, chosen)
            if not plan.items.exists():
                raise ValidationError({"items": _("A plan needs at least one item before it is submitted.")})
        elif to in (PlanStatus.APPROVED, PlanStatus.RETURNED) and (
            plan.meeting is None or plan.meeting.status == MeetingStatus.PLANNED
        ):
            raise DomainError(_("The meeting the plan was submitted to has not been held yet."))
        if to == PlanStatus.RETURNED:
            commented.extend(_items_commented(plan, item_comments, comment))
        if to == PlanStatus.DRAFT and not reason.strip():
            raise ValidationError({"reason": _("Say why the approved plan needs to change.")})

    def apply(plan: AnnualPlan, from_status: str) -> None:
        now = timezone.now()
        if to == PlanStatus.SUBMITTED:
            plan.meeting = target["meeting"]
        elif to == PlanStatus.RETURNED:
            for item, text in commented:
                update_one(item, {"review_comment": text}, actor=actor, event=events.ITEM_RETURNED)
        elif to == PlanStatus.APPROVED:
            plan.approved_at = now
            tracked_update(
                actor=actor,
                queryset=plan.items.exclude(review_comment=""),
                values={"review_comment": ""},
                event=events.ITEM_COMMENTS_CLEARED,
            )
            tracked_update(
                actor=actor,
                queryset=plan.amendments.filter(approved_at__isnull=True),
                values={"approved_at": now, "approved_meeting": plan.meeting},
                event=events.AMENDMENT_APPROVED,
            )
        elif to == PlanStatus.DRAFT:  # an amendment of the approved plan
            plan.revision += 1
            amendment = PlanAmendment(
                plan=plan, revision=plan.revision, reason=reason, opened_by=actor, baseline=_plan_baseline(plan)
            )
            amendment.full_clean()
            amendment.save()
            record_change(
                instance=amendment,
                action=ChangeAction.CREATE,
                actor=actor,
                after=snapshot(amendment),
                message=reason,
                event=events.AMENDMENT_OPENED,
            )
            plan.meeting = None
        PlanTransition.objects.create(
            plan=plan,
            from_status=from_status,
            to_status=to,
            meeting=plan.meeting,
            actor=actor,
            comment=comment,
            item_comments=item_comments,
        )

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=PLAN_LIFECYCLE,
        to=to,
        comment=comment,
        expected_version=expected_version,
        check=check,
        apply=apply,
        related=("meeting",),
    )


# --- Plan items --------------------------------------------------------------------------------


def check_plan_item(item: PlanItem) -> None:
    project_provinces = {p.pk for p in item.project.provinces.all()}
    if project_provinces and item.province_id not in project_provinces:
        raise ValidationError({"province": _("The proposing province must take part in the project.")})


def check_targets(item: PlanItem, targets: list[dict]) -> None:
    """Annual targets only on indicators the project itself has targets on."""
    allowed = set(item.project.targets.values_list("indicator_id", flat=True))
    wrong = [row["indicator"] for row in targets if row["indicator"].pk not in allowed]
    if wrong:
        raise ValidationError(
            {
                "targets": _("Not an indicator of the project's targets: %(codes)s")
                % {"codes": ", ".join(indicator.code for indicator in wrong)}
            }
        )


def check_milestones(plan: AnnualPlan, milestones: list[dict]) -> None:
    """Milestones fall in the plan's year."""
    late = [row["title"] for row in milestones if row["due_date"].year != plan.year]
    if late:
        raise ValidationError(
            {
                "milestones": _("Milestones fall in the plan's year (%(year)s): %(titles)s")
                % {"year": plan.year, "titles": ", ".join(late)}
            }
        )


def _locked_plan(plan_id) -> AnnualPlan:
    # The plan first, then its item (the order plan_transition locks them in): the plan's status
    # cannot change while an item is written.
    return lock(AnnualPlan(pk=plan_id))


def plan_item_save(*, actor, instance: PlanItem | None = None, data: dict, expected_version=None) -> PlanItem:
    """Draft a plan item with its ``funding`` [{"source", "amount"}], annual ``targets``
    [{"indicator", "target_value"}] and ``milestones`` [{"title", "due_date", "done_on"}], all or
    nothing, while its plan is open for drafting.

    An item stays in its plan and keeps its project; sending them back unchanged is accepted.
    The proposing province defaults to the drafting staff's (or the project's only) province.
    """
    fields = {key: value for key, value in data.items() if key in _ITEM_FIELDS}
    funding, targets, milestones = data.get("funding"), data.get("targets"), data.get("milestones")
    plan_id = instance.plan_id if instance is not None else getattr(data.get("plan"), "pk", None)
    if plan_id is None:
        raise ValidationError({"plan": _("Name the plan the item is in.")})

    with transaction.atomic():
        plan = _locked_plan(plan_id)

        def write(current: PlanItem | None) -> PlanItem:
            if current is not None:
                if "plan" in data and data["plan"].pk != current.plan_id:
                    raise ValidationError({"plan": _("An item stays in its plan.")})
                if "project" in fields and fields["project"].pk != current.project_id:
                    raise ValidationError(
                        {"project": _("An item keeps its project; remove it and add another instead.")}
                    )
            if not plan.is_editable:
                raise PlanLocked(plan)
            item = current if current is not None else PlanItem(plan=plan)
            changes = apply_fields(item, fields)
            if item.province_id is None and getattr(actor, "province_id", None):
                item.province_id = actor.province_id
            if item.province_id is None and item.project_id:
                provinces = list(item.project.provinces.all())
                if len(provinces) == 1:
                    item.province = provinces[0]
            item.full_clean(validate_constraints=False)
            if PlanItem.objects.filter(plan=plan, project=item.project_id).exclude(pk=item.pk).exists():
                raise ValidationError({"project": _("This project is already in the plan.")})
            check_plan_item(item)
            if targets is not None:
                check_targets(item, targets)
            if milestones is not None:
                check_milestones(plan, milestones)
            if funding is not None:  # derived: the sum of the funding lines
                total = sum((row["amount"] for row in funding), Decimal("0"))
                changes.add("planned_investment", total != item.planned_investment)
                item.planned_investment = total
            if item._state.adding:
                try:
                    with transaction.atomic():
                        item.save()
                except IntegrityError as exc:  # a parallel request put the project in first
                    raise ValidationError({"project": _("This project is already in the plan.")}) from exc
            for name, rows, keys, model in (
                ("funding", funding, ("source",), PlanItemFunding),
                ("targets", targets, ("indicator",), PlanItemTarget),
                ("milestones", milestones, ("title",), PlanMilestone),
            ):
                if rows is not None:
                    changed = replace_rows(
                        actor=actor,
                        manager=getattr(item, name),
                        rows=rows,
                        keys=keys,
                        make=lambda row, model=model: model(item=item, **row),
                        field=name,
                    )
                    changes.add(name, changed)
            save_changed(item, changes, created=current is None)
            return item

        return tracked_save(
            actor=actor, instance=instance, write=write, expected_version=expected_version, related=("project",)
        )


def plan_item_delete(*, actor, instance: PlanItem, expected_version=None) -> None:
    """Remove an item from a plan still open for drafting."""
    with transaction.atomic():
        plan = _locked_plan(instance.plan_id)

        def check(_item: PlanItem) -> None:
            if not plan.is_editable:
                raise PlanLocked(plan)

        delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version, check=check)


def plan_item_milestone_done(*, actor, instance: PlanItem, title: str, done_on, expected_version=None) -> PlanItem:
    """Record the day an item's milestone (named by its ``title``) was reached, or clear it with None.

    Allowed in an approved plan too: it is execution, not planning. The item's version moves,
    since its milestones are part of it.
    """
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A milestone cannot be reached in the future.")})

    def write(item: PlanItem) -> PlanItem:
        milestone = item.milestones.filter(title=title).first()
        if milestone is None:
            raise ValidationError({"title": _("No milestone of this item has this title.")})
        if milestone.done_on != done_on:
            milestone.done_on = done_on
            milestone.save()
            item.save()
        return item

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)
