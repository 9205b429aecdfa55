"""Acceptance (验收): recorded as a draft with its group, targets against achievements and land-use
change, then concluded. A failed whole-project acceptance sends the project back in progress with its
rectification items; the project becomes "accepted" only on a passed whole-project acceptance (checked
in ``project_transition``, so every face enforces it)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.errors import DomainError
from projects.core.services import (
    apply_fields,
    lock,
    save_changed,
    save_fields,
    tracked_delete,
    tracked_save,
    tracked_transition,
)
from projects.core.validators import DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS, validate_attachment
from projects.permissions import CHANGE, require
from projects.restoration.choices import (
    AcceptanceConclusion,
    AcceptanceKind,
    AcceptanceStatus,
    ProjectStatus,
    RectificationStatus,
)
from projects.restoration.lifecycle import ACCEPTANCE_LIFECYCLE, RECTIFICATION_LIFECYCLE
from projects.restoration.models import (
    AcceptanceDocument,
    AcceptanceRecord,
    Project,
    RectificationItem,
)
from projects.restoration.selectors import indicator_totals

_WRITABLE = ("project", "kind", "subject", "accepted_on", "conclusion", "opinion")
# Rows of a record, each written as a whole list: (related name, fields of a row).
ROWS = {
    "members": ("name", "organization_name", "expert", "is_leader"),
    "indicators": ("indicator", "target_value", "achieved_value", "shortfall_reason"),
    "land_use": ("land_use", "area_before_ha", "area_after_ha"),
}
# Acceptance happens once the works are done (sub-projects and units may be accepted on the way).
ACCEPTABLE = {
    AcceptanceKind.WHOLE_PROJECT: (ProjectStatus.COMPLETED,),
    AcceptanceKind.SUB_PROJECT: (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED),
    AcceptanceKind.UNIT_EVALUATION: (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED),
}


def _places(value: Decimal | None) -> Decimal | None:
    # Figures are exact (an average has 28 digits); the record keeps what is shown, half up.
    return None if value is None else Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def project_figures(project: Project) -> list[dict]:
    """The project's targets against what its reports achieved, to prefill an acceptance."""
    totals = indicator_totals(project_ids=[project.pk])
    return [
        {
            "indicator": target.indicator,
            "target_value": target.target_value,
            "achieved_value": _places(totals.get((project.pk, target.indicator_id))),
            "shortfall_reason": "",
        }
        for target in project.targets.select_related("indicator")
    ]


def _replace_all(record: AcceptanceRecord, name: str, rows: list[dict]) -> bool:
    """Make the record's ``name`` rows exactly ``rows``; True if they differ from the stored ones."""
    fields = ROWS[name]
    manager = getattr(record, name)

    def key(values: dict) -> tuple:
        return tuple(getattr(values.get(f), "pk", values.get(f)) for f in fields)

    stored = [key({f: getattr(row, f) for f in fields}) for row in manager.all()]
    wanted = [key(row) for row in rows]
    if sorted(map(str, stored)) == sorted(map(str, wanted)):
        return False
    manager.all().delete()
    for row in rows:
        obj = manager.model(record=record, **{f: row.get(f) for f in fields if f in row})
        if name == "members" and obj.expert_id:
            # An expert of the committee is named as the committee knows them.
            obj.name = obj.name or obj.expert.name
            obj.organization_name = obj.organization_name or obj.expert.affiliation
        obj.full_clean(exclude=["record"])
        obj.save()
    return True


def check_acceptable(record: AcceptanceRecord) -> None:
    # The stored status: the caller's copy of the project may be older.
    status = Project.objects.filter(pk=record.project_id).values_list("status", flat=True).get()
    if status not in ACCEPTABLE[record.kind]:
        raise DomainError(
            _("A %(kind)s cannot be recorded for a project that is %(status)s.")
            % {"kind": record.get_kind_display(), "status": ProjectStatus(status).label}
        )


def acceptance_save(
    *, actor, instance: AcceptanceRecord | None = None, data: dict, expected_version=None
) -> AcceptanceRecord:
    """Record or change a draft acceptance with its rows (``members``, ``indicators``, ``land_use``:
    whole lists). A new record without ``indicators`` gets the project's targets and achievements."""
    rows = {name: data[name] for name in ROWS if name in data}
    fields = {key: value for key, value in data.items() if key in _WRITABLE}

    def write(current: AcceptanceRecord | None) -> AcceptanceRecord:
        record = current if current is not None else AcceptanceRecord(recorded_by=actor)
        if current is not None:
            if not current.is_editable:
                raise DomainError(_("A concluded acceptance cannot be changed."))
            project = fields.pop("project", None)
            if project is not None and project.pk != current.project_id:
                raise ValidationError({"project": _("An acceptance stays with its project.")})
        changes = apply_fields(record, fields)
        if record.project_id is None:
            raise ValidationError({"project": _("Name the project accepted.")})
        record.full_clean(exclude=["recorded_by"])
        check_acceptable(record)
        created = record._state.adding
        if created:
            record.save()
            rows.setdefault("indicators", project_figures(record.project))
        for name, given in rows.items():
            changes.add(name, _replace_all(record, name, given))
        save_changed(record, changes, created=created)
        return record

    return tracked_save(
        actor=actor, instance=instance, write=write, expected_version=expected_version, related=("project",)
    )


def check_conclusion(record: AcceptanceRecord) -> None:
    """What a concluded acceptance must hold: a conclusion, its group, a reason for every target
    achieved below ``ACCEPTANCE_MIN_SHARE``, and rectification items unless it simply passed."""
    errors = {}
    if not record.conclusion:
        errors["conclusion"] = _("State the conclusion: passed, passed after rectification, or failed.")
    if not record.members.exists():
        errors["members"] = _("Name the members of the acceptance group.")
    share = settings.ACCEPTANCE_MIN_SHARE
    short = [
        row.indicator.name
        for row in record.indicators.select_related("indicator")
        if row.target_value and row.share < share and not row.shortfall_reason.strip()
    ]
    if short:
        errors["indicators"] = _(
            "Achieved below %(share)s %% of the target without a stated reason: %(indicators)s. "
            "Give the reason for each."
        ) % {"share": f"{share * 100:f}".rstrip("0").rstrip("."), "indicators": "、".join(short)}
    if record.conclusion in (AcceptanceConclusion.PASSED_WITH_RECTIFICATION, AcceptanceConclusion.FAILED) and (
        not record.rectifications.exists()
    ):
        errors["rectifications"] = _("List what must be rectified, each with a due date.")
    if errors:
        raise ValidationError(errors)
    check_acceptable(record)


def acceptance_transition(
    *, actor, instance: AcceptanceRecord, to: str, comment: str = "", expected_version=None
) -> AcceptanceRecord:
    """Conclude an acceptance. A failed whole-project acceptance sends the project back in progress."""
    from projects.restoration.services.projects import project_transition

    def apply(record, _from_status):
        if record.kind == AcceptanceKind.WHOLE_PROJECT and record.conclusion == AcceptanceConclusion.FAILED:
            items = "；".join(record.rectifications.values_list("title", flat=True))
            project_transition(
                actor=actor,
                instance=record.project,
                to=ProjectStatus.IN_PROGRESS,
                comment=_("Acceptance failed on %(date)s; to rectify: %(items)s")
                % {"date": record.accepted_on, "items": items},
            )

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=ACCEPTANCE_LIFECYCLE,
        to=to,
        comment=comment,
        check=check_conclusion,
        apply=apply,
        expected_version=expected_version,
        related=("project",),
    )


def acceptance_delete(*, actor, instance: AcceptanceRecord, expected_version=None) -> None:
    def check(record):
        if not record.is_editable:
            raise DomainError(_("A concluded acceptance cannot be deleted."))

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)


def check_project_accepted(project: Project) -> None:
    """A project is accepted only on a concluded whole-project acceptance that passed (or passed
    after rectification, once every rectification item is done)."""
    concluded = AcceptanceRecord.objects.filter(
        project=project, kind=AcceptanceKind.WHOLE_PROJECT, status=AcceptanceStatus.CONCLUDED
    ).order_by("-accepted_on", "-created_at")
    latest = concluded.first()
    if latest is None or latest.conclusion == AcceptanceConclusion.FAILED:
        raise DomainError(_("A project is accepted only after a whole-project acceptance it passed is recorded."))
    if latest.conclusion == AcceptanceConclusion.PASSED_WITH_RECTIFICATION:
        open_items = latest.rectifications.filter(status=RectificationStatus.OPEN)
        if open_items.exists():
            raise DomainError(
                _("The acceptance passed after rectification: these items are still open: %(items)s.")
                % {"items": "、".join(open_items.values_list("title", flat=True))}
            )


def acceptance_attach(*, actor, record: AcceptanceRecord, file, title: str = "") -> AcceptanceDocument:
    """Attach a document (the signed form, minutes, opinions) to an acceptance, concluded or not."""
    with transaction.atomic():
        record = lock(record, related=("project",))
        require(actor, CHANGE, record)
        try:
            validate_attachment(file, DOCUMENT_EXTENSIONS | PHOTO_EXTENSIONS)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc

        def write(_current):
            document = AcceptanceDocument(record=record, title=title or file.name, uploaded_by=actor)
            document.file = file
            document.full_clean(exclude=["file"])
            document.save()
            return document

        return tracked_save(actor=actor, instance=None, write=write)


_ITEM_FIELDS = ("record", "title", "description", "responsible_organization", "due_date")


def rectification_save(
    *, actor, instance: RectificationItem | None = None, data: dict, expected_version=None
) -> RectificationItem:
    """Add or change a rectification item while its acceptance is being recorded."""
    fields = {key: value for key, value in data.items() if key in _ITEM_FIELDS}
    plain = save_fields(RectificationItem, fields)

    def write(current):
        record = fields.get("record") or (current.record if current is not None else None)
        if record is not None and not record.is_editable:
            raise DomainError(_("Rectification items are set while the acceptance is being recorded."))
        if current is not None and "record" in fields and fields["record"].pk != current.record_id:
            raise ValidationError({"record": _("A rectification item stays with its acceptance.")})
        return plain(current)

    return tracked_save(actor=actor, instance=instance, write=write, expected_version=expected_version)


def rectification_transition(
    *, actor, instance: RectificationItem, to: str, comment: str = "", expected_version=None
) -> RectificationItem:
    """Mark an item done (today) or open again."""

    def apply(item, _from_status):
        item.completed_on = timezone.localdate() if to == RectificationStatus.DONE else None

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=RECTIFICATION_LIFECYCLE,
        to=to,
        comment=comment,
        apply=apply,
        expected_version=expected_version,
        related=("record__project", "responsible_organization"),
    )


def rectification_delete(*, actor, instance: RectificationItem, expected_version=None) -> None:
    def check(item):
        if not item.record.is_editable:
            raise DomainError(_("Rectification items are set while the acceptance is being recorded."))

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)


__all__ = [
    "acceptance_attach",
    "acceptance_delete",
    "acceptance_save",
    "acceptance_transition",
    "check_project_accepted",
    "project_figures",
    "rectification_delete",
    "rectification_save",
    "rectification_transition",
]
