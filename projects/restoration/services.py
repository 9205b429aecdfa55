"""Writes of projects and progress reports. The admin, the API and tasks all call these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.choices import ChangeAction
from projects.core.errors import DomainError
from projects.core.history import record_change, snapshot
from projects.core.services import save_tracked
from projects.core.validators import DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS, validate_attachment
from projects.permissions import CHANGE, TRANSITION, require
from projects.restoration.choices import AttachmentKind, ProjectStatus, ReportStatus
from projects.restoration.lifecycle import PROJECT_LIFECYCLE, REPORT_LIFECYCLE
from projects.restoration.models import ProgressReport, Project, ProjectTransition, ReportAttachment
from projects.restoration.models.projects import check_funding_within_budget
from projects.restoration.rules import REVIEW

PROJECT_RELATIONS = ("corridors", "key_areas", "divisions", "elements", "measures", "partner_organizations")
# Reports are written while a project is under way (or wound down), not before or after.
REPORTABLE_STATUSES = (
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
)


def _replace_rows(manager, key_field: str, value_field: str, pairs: list[tuple]) -> None:
    """Make the rows of ``manager`` exactly ``pairs`` of (key object, value)."""
    wanted = {key.pk: value for key, value in pairs}
    if len(wanted) != len(pairs):
        raise ValidationError({key_field: _("Each entry may appear only once.")})
    manager.exclude(**{f"{key_field}_id__in": wanted}).delete()
    for key, value in pairs:
        manager.update_or_create(**{key_field: key}, defaults={value_field: value})


def project_save(*, actor, data: dict, project: Project | None = None) -> Project:
    """Create (``project`` None) or update a project with its relations, budget and targets.

    ``data`` holds model fields, lists for the many-to-many relations, and optionally
    ``funding`` [(FundingSource, amount)] and ``targets`` [(Indicator, value)]. The status
    is never set here: it changes only through ``project_transition``.
    """
    data = dict(data)
    data.pop("status", None)
    relations = {name: data.pop(name) for name in PROJECT_RELATIONS if name in data}
    funding = data.pop("funding", None)
    targets = data.pop("targets", None)

    def save() -> Project:
        obj = project if project is not None else Project()
        for field, value in data.items():
            setattr(obj, field, value)
        obj.full_clean()
        obj.save()
        for name, values in relations.items():
            getattr(obj, name).set(values)
        if funding is not None:
            _replace_rows(obj.funding, "source", "amount", funding)
        if targets is not None:
            _replace_rows(obj.targets, "indicator", "target_value", targets)
        try:
            check_funding_within_budget(obj.total_budget, obj.funding.values_list("amount", flat=True))
        except ValidationError as exc:
            raise ValidationError({"funding": exc.messages}) from exc
        return obj

    return save_tracked(actor=actor, save=save, instance=project)


def project_transition(*, project: Project, to: str, actor, comment: str = "") -> Project:
    """Move a project to another status if the lifecycle allows it; keep who, when and why."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        require(actor, TRANSITION, project)
        PROJECT_LIFECYCLE.check(project.status, to)
        before = snapshot(project)
        ProjectTransition.objects.create(
            project=project, from_status=project.status, to_status=to, actor=actor, comment=comment
        )
        project.status = to
        project.status_changed_at = timezone.now()
        project.save(update_fields=["status", "status_changed_at"])
        record_change(
            instance=project,
            action=ChangeAction.TRANSITION,
            actor=actor,
            before=before,
            after=snapshot(project),
            message=comment or f"{before['status']} → {to}",
        )
        return project


def check_values(project: Project, indicators) -> None:
    """Reports give values only on the indicators their project targets."""
    targeted = set(project.targets.values_list("indicator_id", flat=True))
    stray = [indicator.code for indicator in indicators if indicator.pk not in targeted]
    if stray:
        raise ValidationError({"values": _("The project has no target on: %(codes)s.") % {"codes": ", ".join(stray)}})


def check_reportable(project: Project) -> None:
    """Progress is reported while a project is under way or winding down, not before or after."""
    if project.status not in REPORTABLE_STATUSES:
        raise DomainError(
            _("Progress cannot be reported on a project that is %(status)s.") % {"status": project.get_status_display()}
        )


def report_save(*, actor, data: dict, report: ProgressReport | None = None) -> ProgressReport:
    """Draft a new report or change a draft/returned one; ``data["values"]`` is [(Indicator, value)]."""
    data = dict(data)
    values = data.pop("values", None)
    if report is not None:
        data.pop("project", None)  # a report stays with its project
        if not report.is_editable:
            raise DomainError(
                _("Only draft or returned reports can be changed; this one is %(status)s.")
                % {"status": report.get_status_display()}
            )
    check_reportable(data.get("project") or report.project)

    def save() -> ProgressReport:
        obj = report if report is not None else ProgressReport(reported_by=actor)
        for field, value in data.items():
            setattr(obj, field, value)
        duplicate = ProgressReport.objects.filter(project=obj.project_id, period=obj.period).exclude(pk=obj.pk)
        if obj.project_id and duplicate.exists():
            raise ValidationError({"period": _("This project already has a report for this period.")})
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:  # a parallel request took the same period first
            raise ValidationError({"period": _("This project already has a report for this period.")}) from exc
        if values is not None:
            check_values(obj.project, [indicator for indicator, _value in values])
            _replace_rows(obj.values, "indicator", "value", values)
        return obj

    return save_tracked(actor=actor, save=save, instance=report)


def _report_transition(*, report, to, actor, action, comment="", **changes) -> ProgressReport:
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("reported_by__organization")
            .get(pk=report.pk)
        )
        require(actor, action, report)
        REPORT_LIFECYCLE.check(report.status, to)
        before = snapshot(report)
        report.status = to
        for field, value in changes.items():
            setattr(report, field, value)
        report.save()
        record_change(
            instance=report,
            action=ChangeAction.TRANSITION,
            actor=actor,
            before=before,
            after=snapshot(report),
            message=comment or f"{before['status']} → {to}",
        )
        return report


def report_submit(*, report: ProgressReport, actor) -> ProgressReport:
    return _report_transition(
        report=report, to=ReportStatus.SUBMITTED, actor=actor, action=CHANGE, submitted_at=timezone.now()
    )


def report_review(*, report: ProgressReport, actor, accept: bool, comment: str = "") -> ProgressReport:
    """Accept a submitted report, or return it for rework with a comment (required)."""
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say what must be reworked when returning a report.")})
    return _report_transition(
        report=report,
        to=ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED,
        actor=actor,
        action=REVIEW,
        comment=comment,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_comment=comment,
    )


def report_attach(*, report: ProgressReport, actor, file, kind: str, title: str = "") -> ReportAttachment:
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose photo or document.")})
    allowed = PHOTO_EXTENSIONS if kind == AttachmentKind.PHOTO else DOCUMENT_EXTENSIONS
    try:
        validate_attachment(file, allowed)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if not report.is_editable:
        raise DomainError(_("Attachments can be added to draft or returned reports only."))

    def save() -> ReportAttachment:
        return ReportAttachment.objects.create(
            report=report, kind=kind, title=title or file.name, file=file, size=file.size or 0, uploaded_by=actor
        )

    return save_tracked(actor=actor, save=save)
