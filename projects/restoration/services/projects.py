"""Projects: their fields, relations, funding breakdown and targets, and their status."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.core.services import (
    apply_fields,
    save_changed,
    set_relations,
    tracked_delete,
    tracked_save,
    tracked_transition,
)
from projects.restoration.choices import ProjectStatus
from projects.restoration.lifecycle import PROJECT_LIFECYCLE
from projects.restoration.models import Project, ProjectTransition
from projects.restoration.models.projects import check_funding_within_budget
from projects.restoration.rules import check_participation_change

PROJECT_RELATIONS = ("corridors", "key_areas", "divisions", "elements", "measures", "partner_organizations")
# Derived or lifecycle-owned: never set from a request.
_NOT_WRITABLE = ("status", "status_changed_at", "provinces", "is_cross_regional", "extent_length_km", "extent_area_ha")


def replace_rows(
    manager, key_field: str, value_field: str, rows: list[dict], *, field: str, new_parent: bool = False
) -> bool:
    """Make the rows of ``manager`` exactly ``rows`` ({key_field: record, value_field: value}),
    touching only what differs. True if anything changed. Under a record created in this write
    (``new_parent``) there is nothing to compare with: the rows are written in one insert."""
    pairs = [(row[key_field], row[value_field]) for row in rows]
    wanted = {key.pk: value for key, value in pairs}
    if len(wanted) != len(pairs):
        raise ValidationError({field: _("Each entry may appear only once.")})
    if new_parent:
        parent = {manager.field.name: manager.instance}  # a related manager's bulk_create does not set it
        manager.bulk_create([manager.model(**parent, **{key_field: key, value_field: value}) for key, value in pairs])
        return bool(pairs)
    removed, _counts = manager.exclude(**{f"{key_field}_id__in": wanted}).delete()
    changed = bool(removed)
    stored = {getattr(row, f"{key_field}_id"): row for row in manager.all()}
    for key, value in pairs:
        row = stored.get(key.pk)
        if row is None:
            manager.create(**{key_field: key, value_field: value})
            changed = True
        elif getattr(row, value_field) != value:
            setattr(row, value_field, value)
            row.save()
            changed = True
    return changed


def project_save(*, actor, instance: Project | None = None, data: dict, expected_version=None) -> Project:
    """Create (``instance`` None) or change a project with its relations, budget and targets.

    ``data`` holds the fields the request sets: model fields, lists for the many-to-many
    relations, and optionally ``funding`` [{"source", "amount"}] and ``targets``
    [{"indicator", "target_value"}]. The status changes only through ``project_transition``; the lead
    and the partners only as ``check_participation_change`` allows.
    """
    data = {key: value for key, value in data.items() if key not in _NOT_WRITABLE}
    funding = data.pop("funding", None)
    targets = data.pop("targets", None)

    def write(current: Project | None) -> Project:
        project = current if current is not None else Project()
        lead_before = current.lead_organization if current is not None else None
        provinces_before = current.organization_province_ids() if current is not None else set()
        changes = apply_fields(project, data)
        project.full_clean()
        new = project._state.adding
        if new:
            project.save()
        set_relations(project, changes)
        if funding is not None:
            changes.add(
                "funding", replace_rows(project.funding, "source", "amount", funding, field="funding", new_parent=new)
            )
        if targets is not None:
            changes.add(
                "targets",
                replace_rows(project.targets, "indicator", "target_value", targets, field="targets", new_parent=new),
            )
        try:
            check_funding_within_budget(project.total_budget, project.funding.values_list("amount", flat=True))
        except ValidationError as exc:
            raise ValidationError({"funding": exc.messages}) from exc
        save_changed(project, changes, created=current is None)
        if current is None or "lead_organization" in data or "partner_organizations" in data:
            check_participation_change(
                actor,
                lead_before=lead_before,
                lead_after=project.lead_organization,
                provinces_before=provinces_before,
                provinces_after=project.organization_province_ids(),
            )
        return project

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("lead_organization",)
    )


def project_transition(*, actor, instance: Project, to: str, comment: str = "", expected_version=None) -> Project:
    """Move a project to another status if the lifecycle allows it; keep who, when and why.

    "Accepted" needs a passed whole-project acceptance (``acceptance.check_project_accepted``)."""

    def check(project):
        if to == ProjectStatus.ACCEPTED:
            from projects.restoration.services.acceptance import check_project_accepted

            check_project_accepted(project)

    def log(project, from_status):
        ProjectTransition.objects.create(
            project=project, from_status=from_status, to_status=to, actor=actor, comment=comment
        )

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=PROJECT_LIFECYCLE,
        to=to,
        comment=comment,
        check=check,
        apply=log,
        expected_version=expected_version,
        related=("lead_organization",),
    )


def project_delete(*, actor, instance: Project, expected_version=None) -> None:
    """Only the joint office deletes, and not a project with reports (the database protects them: 409)."""
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)
