"""The "six rivers" corridor plan and its targets per corridor, indicator and year."""

from projects.conference.models import CorridorPlan, CorridorTarget
from projects.conference.services.common import delete_unreferenced, files, replace_rows
from projects.core.services import apply_fields, save_changed, save_fields, set_relations, tracked_save

_PLAN_FIELDS = (
    "slug",
    "title_zh",
    "title_en",
    "start_year",
    "end_year",
    "compiled_by",
    "approved_on",
    "document",
    "description",
)
_TARGET_FIELDS = ("plan", "corridor", "indicator", "year", "target_value")


def corridor_plan_save(
    *, actor, instance: CorridorPlan | None = None, data: dict, expected_version=None
) -> CorridorPlan:
    """Record a long-range plan or change it, with its ``targets`` [{"corridor", "indicator", "year",
    "target_value"}] when given (one per corridor, indicator and year)."""
    fields = files({key: value for key, value in data.items() if key in _PLAN_FIELDS}, ["document"])
    targets = data.get("targets")

    def write(current: CorridorPlan | None) -> CorridorPlan:
        plan = current if current is not None else CorridorPlan()
        changes = apply_fields(plan, fields)
        plan.full_clean()
        if plan._state.adding:
            plan.save()
        set_relations(plan, changes)
        if targets is not None:
            changed = replace_rows(
                actor=actor,
                manager=plan.targets,
                rows=[{key: value for key, value in row.items() if key != "plan"} for row in targets],
                keys=("corridor", "indicator", "year"),
                make=lambda row: CorridorTarget(plan=plan, **row),
                field="targets",
            )
            changes.add("targets", changed)
        save_changed(plan, changes, created=current is None)
        return plan

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def corridor_plan_delete(*, actor, instance: CorridorPlan, expected_version=None) -> None:
    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version)


def corridor_target_save(
    *, actor, instance: CorridorTarget | None = None, data: dict, expected_version=None
) -> CorridorTarget:
    """One target of the corridor plan (model validation: one per corridor, indicator and year)."""
    fields = {key: value for key, value in data.items() if key in _TARGET_FIELDS}
    return tracked_save(
        actor=actor, instance=instance, write=save_fields(CorridorTarget, fields), expected_version=expected_version
    )


def corridor_target_delete(*, actor, instance: CorridorTarget, expected_version=None) -> None:
    delete_unreferenced(actor=actor, instance=instance, expected_version=expected_version)
