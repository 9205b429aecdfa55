"""Progress reports: drafted and changed by the reporting province, submitted, then accepted or
returned by another province taking part (or the joint office); photos and documents."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.errors import DomainError
from projects.core.services import apply_fields, lock, save_changed, tracked_delete, tracked_save, tracked_transition
from projects.core.validators import DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS, validate_attachment
from projects.permissions import CHANGE, is_provincial_staff, require
from projects.restoration.choices import AttachmentKind, ProjectStatus, ReportStatus
from projects.restoration.lifecycle import REPORT_LIFECYCLE
from projects.restoration.models import Indicator, ProgressReport, Project, ReportAttachment
from projects.restoration.rules import REVIEW
from projects.restoration.services.projects import replace_rows

# Reports are written while a project is under way (or wound down), not before or after.
REPORTABLE_STATUSES = (
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
)
_WRITABLE = ("project", "period", "narrative", "percent_complete", "cumulative_investment", "correction_reason")
COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
# The permission each move asks for: the reporting side submits, a reviewing province decides.
TRANSITION_PERMISSIONS = {ReportStatus.SUBMITTED: CHANGE, ReportStatus.ACCEPTED: REVIEW, ReportStatus.RETURNED: REVIEW}


def indicators_to_report(project: Project):
    """The indicators a report on ``project`` gives values on: those it targets, and the components
    of a targeted derived indicator; never a derived one (it is computed)."""
    targeted = project.targets.values_list("indicator_id", flat=True)
    components = Indicator.components.through.objects.filter(from_indicator_id__in=targeted)
    return Indicator.objects.filter(
        Q(pk__in=targeted) | Q(pk__in=components.values("to_indicator_id")), components__isnull=True
    ).distinct()


def projects_to_report(user, queryset=None):
    """The projects ``user`` may draft a report on: under way, and one their province takes part in
    (any, for the joint office). The form's choices; ``report_save`` decides."""
    queryset = (Project.objects.all() if queryset is None else queryset).filter(status__in=REPORTABLE_STATUSES)
    if user.runs_everything:
        return queryset
    if not is_provincial_staff(user):
        return queryset.none()
    return queryset.filter(provinces=user.province_id).distinct()


def check_values(project: Project, indicators) -> None:
    """Reports give values on the indicators their project targets (or on the components of a
    targeted derived indicator), never on a derived indicator: that one is computed."""
    # Which of them are derived, in one query (not one per indicator).
    with_components = set(
        Indicator.components.through.objects.filter(from_indicator_id__in=[i.pk for i in indicators]).values_list(
            "from_indicator_id", flat=True
        )
    )
    derived = [i for i in indicators if i.pk in with_components]
    if derived:
        raise ValidationError(
            {
                "values": _("%(codes)s is derived from %(components)s: report those instead.")
                % {
                    "codes": ", ".join(i.code for i in derived),
                    "components": ", ".join(sorted({c.code for i in derived for c in i.components.all()})),
                }
            }
        )
    targeted = set(indicators_to_report(project).values_list("pk", flat=True))
    stray = [indicator.code for indicator in indicators if indicator.pk not in targeted]
    if stray:
        raise ValidationError({"values": _("The project has no target on: %(codes)s.") % {"codes": ", ".join(stray)}})


def check_reportable(project: Project) -> None:
    """Progress is reported while a project is under way or winding down, not before or after."""
    if project.status not in REPORTABLE_STATUSES:
        raise DomainError(
            _("Progress cannot be reported on a project that is %(status)s.") % {"status": project.get_status_display()}
        )


def _by_source(report: ProgressReport) -> dict:
    return {row.source: row.amount for row in report.investment.select_related("source")}


def check_investment_parts(report: ProgressReport, parts: dict | None = None) -> None:
    """A report that gives its investment per funding source has the sum of the parts as its total.
    ``parts``: its amounts per source, when the caller has them."""
    parts = _by_source(report) if parts is None else parts
    total = sum(parts.values(), Decimal("0"))
    if parts and total != report.cumulative_investment:
        raise ValidationError(
            {
                "investment": _(
                    "The amounts per funding source add up to %(parts)s 万元, but the cumulative investment "
                    "is %(total)s 万元: the total is the sum of its parts."
                )
                % {"parts": total, "total": report.cumulative_investment}
            }
        )


def check_cumulative(report: ProgressReport, parts: dict | None = None) -> None:
    """Cumulative investment, in all and per funding source, never falls from one counted report of
    the project to the next, unless the report states why (``correction_reason``): the earlier figure
    was wrong. Checked when a report is saved and again when it is submitted or accepted.
    ``parts``: the report's amounts per source, when the caller has them."""
    if report.correction_reason.strip():
        return
    counted = ProgressReport.objects.filter(project_id=report.project_id, status__in=COUNTED).exclude(pk=report.pk)
    earlier = counted.filter(period_end__lt=report.period_end).order_by("-period_end", "-period_start").first()
    later = counted.filter(period_end__gt=report.period_end).order_by("period_end", "period_start").first()
    mine = _by_source(report) if parts is None else parts
    if earlier is not None:
        if report.cumulative_investment < earlier.cumulative_investment:
            raise ValidationError(
                {
                    "cumulative_investment": _(
                        "Cumulative investment cannot fall: %(previous)s 万元 in the report for %(period)s, "
                        "%(value)s 万元 here. If the earlier figure was wrong, say so in correction_reason."
                    )
                    % {
                        "previous": earlier.cumulative_investment,
                        "period": earlier.period,
                        "value": report.cumulative_investment,
                    }
                }
            )
        _check_sources(_by_source(earlier), mine, earlier.period, later=False)
    if later is not None:
        if report.cumulative_investment > later.cumulative_investment:
            raise ValidationError(
                {
                    "cumulative_investment": _(
                        "Cumulative investment cannot fall: %(value)s 万元 here, %(next)s 万元 in the later "
                        "report for %(period)s. If this figure corrects that one, say so in correction_reason."
                    )
                    % {
                        "next": later.cumulative_investment,
                        "period": later.period,
                        "value": report.cumulative_investment,
                    }
                }
            )
        _check_sources(mine, _by_source(later), later.period, later=True)


def _check_sources(before: dict, after: dict, period: str, *, later: bool) -> None:
    if not before or not after:
        return  # a report without parts states only its total
    for source, amount in before.items():
        if after.get(source, Decimal("0")) < amount:
            message = (
                _("%(source)s cannot fall: %(here)s 万元 here, %(other)s 万元 in the later report for %(period)s.")
                if later
                else _("%(source)s cannot fall: %(other)s 万元 in the report for %(period)s, %(here)s 万元 here.")
            )
            raise ValidationError(
                {
                    "investment": message
                    % {
                        "source": source.name,
                        "here": amount if later else after.get(source, Decimal("0")),
                        "other": after.get(source, Decimal("0")) if later else amount,
                        "period": period,
                    }
                }
            )


def _check_editable(report: ProgressReport) -> None:
    if not report.is_editable:
        raise DomainError(
            _("Only draft or returned reports can be changed; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )


def report_save(*, actor, instance: ProgressReport | None = None, data: dict, expected_version=None) -> ProgressReport:
    """Draft a new report or change a draft/returned one; ``data["values"]`` is [{"indicator", "value"}].

    A report stays with its project: sending its own project back is accepted, another one is not.
    """
    values = data.get("values")
    investment = data.get("investment")
    fields = {key: value for key, value in data.items() if key in _WRITABLE}
    if investment and "cumulative_investment" not in fields:
        # Sent per funding source only: the total is the sum of the parts.
        fields["cumulative_investment"] = sum((row["amount"] for row in investment), Decimal("0"))

    def write(current: ProgressReport | None) -> ProgressReport:
        report = current if current is not None else ProgressReport(reported_by=actor)
        if current is not None:
            _check_editable(current)
            project = fields.pop("project", None)
            if project is not None and project.pk != current.project_id:
                raise ValidationError({"project": _("A report stays with its project.")})
        changes = apply_fields(report, fields)
        if report.project_id is None:
            raise ValidationError({"project": _("Name the project the report is on.")})
        check_reportable(report.project)
        duplicate = ProgressReport.objects.filter(project=report.project_id, period=report.period).exclude(pk=report.pk)
        if duplicate.exists():
            raise ValidationError({"period": _("This project already has a report for this period.")})
        report.full_clean(validate_unique=False, validate_constraints=False)
        if values is not None:
            check_values(report.project, [row["indicator"] for row in values])
        try:
            with transaction.atomic():
                new = report._state.adding
                if new:
                    report.save()
                if values is not None:
                    changes.add(
                        "values",
                        replace_rows(report.values, "indicator", "value", values, field="values", new_parent=new),
                    )
                if investment is not None:
                    changes.add(
                        "investment",
                        replace_rows(
                            report.investment, "source", "amount", investment, field="investment", new_parent=new
                        ),
                    )
                # A report created without amounts per source has none to read.
                parts = {} if new and investment is None else _by_source(report)
                check_investment_parts(report, parts)
                check_cumulative(report, parts)
                save_changed(report, changes, created=current is None)
        except IntegrityError as exc:  # a parallel request took the same period first
            raise ValidationError({"period": _("This project already has a report for this period.")}) from exc
        return report

    return tracked_save(
        actor=actor,
        instance=instance,
        write=write,
        expected_version=expected_version,
        related=("project", "reported_by__organization"),
    )


def report_transition(
    *, actor, instance: ProgressReport, to: str, comment: str = "", expected_version=None
) -> ProgressReport:
    """Submit (the reporting side), accept, or return with a comment (a reviewing province).

    A (re)submitted report carries no earlier reviewer, time or comment: those are in its history.
    """
    reviewing = to in (ReportStatus.ACCEPTED, ReportStatus.RETURNED)
    if to == ReportStatus.RETURNED and not comment.strip():
        raise ValidationError({"comment": _("Say what must be reworked when returning a report.")})

    def check(report):
        if to in COUNTED:  # it is about to count: its figures may not fall from its neighbours'
            check_cumulative(report)

    def apply(report, _from_status):
        now = timezone.now()
        if reviewing:
            report.reviewed_by, report.reviewed_at, report.review_comment = actor, now, comment
        else:
            report.submitted_at = now
            report.reviewed_by, report.reviewed_at, report.review_comment = None, None, ""

    return tracked_transition(
        actor=actor,
        instance=instance,
        lifecycle=REPORT_LIFECYCLE,
        to=to,
        permission=TRANSITION_PERMISSIONS.get(to, CHANGE),
        comment=comment,
        check=check,
        apply=apply,
        expected_version=expected_version,
        related=("project", "reported_by__organization"),
    )


def report_delete(*, actor, instance: ProgressReport, expected_version=None) -> None:
    tracked_delete(actor=actor, instance=instance, expected_version=expected_version)


def report_attach_check(*, actor, report: ProgressReport) -> None:
    """Whether ``actor`` may attach a file to ``report`` now: asked before the upload is read
    (the API) and again, under the lock, before it is stored."""
    require(actor, CHANGE, report)
    if not report.is_editable:
        raise DomainError(_("Attachments can be added to draft or returned reports only."))


def report_attach(*, actor, report: ProgressReport, file, kind: str, title: str = "") -> ReportAttachment:
    """Attach a photo or document to a draft or returned report.

    Permission, state, type (by content) and size are checked before the file is stored; a file
    stored by a write that then fails is removed.
    """
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose photo or document.")})
    stored = []
    try:
        with transaction.atomic():
            report = lock(report, related=("project",))
            report_attach_check(actor=actor, report=report)
            allowed = PHOTO_EXTENSIONS if kind == AttachmentKind.PHOTO else DOCUMENT_EXTENSIONS
            try:
                validate_attachment(file, allowed)
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc

            def write(_current):
                attachment = ReportAttachment(
                    report=report,
                    kind=kind,
                    title=(title or file.name)[: ReportAttachment._meta.get_field("title").max_length],
                    size=file.size or 0,
                    uploaded_by=actor,
                )
                attachment.file = file
                attachment.full_clean(exclude=["file"])
                attachment.save()
                stored.append(attachment.file)
                return attachment

            return tracked_save(actor=actor, instance=None, write=write)
    except BaseException:
        for field in stored:
            field.storage.delete(field.name)
        raise


def attachment_delete(*, actor, instance: ReportAttachment, expected_version=None) -> None:
    """Remove an attachment of a draft or returned report; the file goes when the transaction commits."""

    def check(attachment):
        if not attachment.report.is_editable:
            raise DomainError(_("Attachments can be removed from draft or returned reports only."))
        name, storage = attachment.file.name, attachment.file.storage
        transaction.on_commit(lambda: storage.delete(name))

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)
