"""Progress reports: drafted and changed by the reporting province, submitted, then accepted or
returned by another province taking part (or the joint office); photos and documents."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.bulk import insert_many
from projects.core.choices import ChangeAction
from projects.core.errors import DomainError, breaks_constraint
from projects.core.history import change_record, snapshot
from projects.core.models import ChangeRecord
from projects.core.services import (
    SYSTEM,
    apply_fields,
    lock,
    refresh_derived,
    save_changed,
    touch_parents,
    tracked_delete,
    tracked_save,
    tracked_transition,
)
from projects.core.validators import DOCUMENT_EXTENSIONS, PHOTO_EXTENSIONS, validate_attachment
from projects.permissions import ADD, CHANGE, can, is_provincial_staff, require
from projects.restoration.choices import AttachmentKind, ProjectStatus, ReportStatus
from projects.restoration.lifecycle import REPORT_LIFECYCLE
from projects.restoration.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ProgressReport,
    Project,
    ReportAttachment,
    ReportInvestment,
)
from projects.restoration.models.reports import period_bounds
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
    return Indicator.objects.filter(pk__in=reportable_indicators([project.pk])[project.pk])


def projects_to_report(user, queryset=None):
    """The projects ``user`` may draft a report on: under way, and one their province takes part in
    (any, for the joint office). The form's choices; ``report_save`` decides."""
    queryset = (Project.objects.all() if queryset is None else queryset).filter(status__in=REPORTABLE_STATUSES)
    if user.runs_everything:
        return queryset
    if not is_provincial_staff(user):
        return queryset.none()
    return queryset.filter(provinces=user.province_id).distinct()


def reportable_indicators(project_ids) -> dict:
    """For each of ``project_ids``, the ids of the indicators its reports give values on, as
    ``indicators_to_report`` says, for many projects in one query."""
    # Each target with its indicator's components and theirs: one walk of the projects' targets
    # (a union of two joins walked the targets once per indicator: 32-41 ms for 500 projects, now 4).
    rows = (
        IndicatorTarget.objects.filter(project_id__in=project_ids)
        .order_by()
        .values_list("project_id", "indicator_id", "indicator__components", "indicator__components__components")
    )
    reportable = {pk: set() for pk in project_ids}
    components = defaultdict(set)  # project → the components of its targeted derived indicators
    derived = set()  # components derived themselves (not reported)
    for project_id, indicator_id, component_id, its_component_id in rows:
        if component_id is None:
            reportable[project_id].add(indicator_id)
        else:
            components[project_id].add(component_id)
            if its_component_id is not None:
                derived.add(component_id)
    for project_id, ids in components.items():
        reportable[project_id] |= ids - derived
    return reportable


def derived_indicator_ids(indicator_ids) -> set:
    """Which of ``indicator_ids`` are derived from others (computed, never reported), in one query."""
    links = Indicator.components.through.objects.filter(from_indicator_id__in=indicator_ids)
    return set(links.values_list("from_indicator_id", flat=True))


def check_values(project: Project, indicators) -> None:
    """Reports give values on the indicators their project targets (or on the components of a
    targeted derived indicator), never on a derived indicator: that one is computed."""
    with_components = derived_indicator_ids([i.pk for i in indicators])
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
    targeted = reportable_indicators([project.pk])[project.pk]
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
    check_against_neighbours(report, mine, earlier, later, _by_source)


def check_against_neighbours(report: ProgressReport, mine: dict, earlier, later, parts_of) -> None:
    """``check_cumulative``'s comparison: ``report`` (its amounts per source ``mine``) against the
    counted reports just before and after it (None: there is none); ``parts_of(report)`` gives a
    neighbour's amounts per source."""
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
        _check_sources(parts_of(earlier), mine, earlier.period, later=False)
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
        _check_sources(mine, parts_of(later), later.period, later=True)


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


def _fields(data: dict) -> dict:
    fields = {key: value for key, value in data.items() if key in _WRITABLE}
    investment = data.get("investment")
    if investment and "cumulative_investment" not in fields:
        # Sent per funding source only: the total is the sum of the parts.
        fields["cumulative_investment"] = sum((row["amount"] for row in investment), Decimal("0"))
    return fields


def _clean(report: ProgressReport) -> None:
    # The project and the reporter are records just read (the request's reference, the actor):
    # asking the database whether they exist would cost two queries per report.
    report.full_clean(exclude=["project", "reported_by"], validate_unique=False, validate_constraints=False)


def report_save(*, actor, instance: ProgressReport | None = None, data: dict, expected_version=None) -> ProgressReport:
    """Draft a new report or change a draft/returned one; ``data["values"]`` is [{"indicator", "value"}].

    A report stays with its project: sending its own project back is accepted, another one is not.
    """
    values = data.get("values")
    investment = data.get("investment")
    fields = _fields(data)

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
        _clean(report)
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
        except IntegrityError as exc:
            if not breaks_constraint(exc, ProgressReport, "one_report_per_project_and_period"):
                raise
            # A parallel request took the same period first.
            raise ValidationError({"period": _("This project already has a report for this period.")}) from exc
        return report

    return tracked_save(
        actor=actor,
        instance=instance,
        write=write,
        expected_version=expected_version,
        related=("project", "reported_by__organization"),
    )


def report_create_many(*, actor, items: list[dict]) -> list[ProgressReport | None]:
    """Draft many new reports at once (an import's rows): ``report_save``'s checks, rows and change
    records, in a fixed number of queries for the whole batch instead of about twenty per report.

    An item this path cannot vouch for (any check would refuse it, or two items name the same
    project and period) is left out, nothing of it written, and answered None: the caller sends it
    through ``report_save``, which refuses it with its reason (or saves it). Tests hold what this
    path writes equal to what ``report_save`` writes for the same items.
    """
    drafts = [_draft(actor, data) for data in items]
    candidates = [draft for draft in drafts if draft is not None]
    projects = {draft.report.project_id: draft.report.project for draft in candidates}
    # The permission rule reads the provinces' ids: from the link table, in one query (a prefetch
    # built a queryset per project, 40 µs each).
    province_ids = defaultdict(set)
    links = Project.provinces.through.objects.filter(project_id__in=projects).values_list("project_id", "province_id")
    for project_id, province_id in links:
        province_ids[project_id].add(province_id)
    for project_id, project in projects.items():
        project.province_ids = province_ids[project_id]
    candidates = _without_taken_periods(candidates)
    candidates = _with_reportable_values(candidates, list(projects))
    candidates = _within_neighbours(candidates)
    candidates = [draft for draft in candidates if actor is SYSTEM or can(actor, ADD, draft.report)]
    if not candidates:
        return [None] * len(items)
    with transaction.atomic():
        insert_many(ProgressReport, [draft.report for draft in candidates])
        insert_many(IndicatorValue, [row for draft in candidates for row in draft.values])
        insert_many(ReportInvestment, [row for draft in candidates for row in draft.investment])
        records = []
        for draft in candidates:
            report = draft.report
            # The history's picture reads the rows just written from here, not back from the database.
            rows = {"values": draft.values, "investment": draft.investment, "attachments": []}
            report._prefetched_objects_cache = rows
            refresh_derived(report)
            after = snapshot(report)
            records.append(change_record(instance=report, action=ChangeAction.CREATE, actor=actor, after=after))
            touch_parents(report, actor=actor, before=None)
        insert_many(ChangeRecord, records)
    for draft in candidates:
        draft.written = True
    return [draft.report if draft is not None and draft.written else None for draft in drafts]


@dataclass
class _Draft:
    report: ProgressReport
    values: list  # unsaved IndicatorValue rows
    investment: list  # unsaved ReportInvestment rows
    parts: dict  # the amounts per funding source
    written: bool = False

    @property
    def key(self) -> tuple:
        return self.report.project_id, self.report.period


def _draft(actor, data: dict) -> _Draft | None:
    """The new report ``report_save`` would build of ``data``, if the checks of its own fields pass."""
    values, investment = data.get("values") or [], data.get("investment") or []
    if len({row["indicator"].pk for row in values}) != len(values):
        return None
    if len({row["source"].pk for row in investment}) != len(investment):
        return None
    report = ProgressReport(reported_by=actor)
    apply_fields(report, _fields(data))
    if report.project_id is None or report.project.status not in REPORTABLE_STATUSES:
        return None
    parts = {row["source"]: row["amount"] for row in investment}
    try:
        _clean(report)
        check_investment_parts(report, parts)
    except ValidationError:
        return None
    # What the model's save sets (a bulk insert does not call it).
    report.period_kind, report.period_start, report.period_end = period_bounds(report.period)
    return _Draft(
        report=report,
        values=[IndicatorValue(report=report, indicator=row["indicator"], value=row["value"]) for row in values],
        investment=[ReportInvestment(report=report, source=row["source"], amount=row["amount"]) for row in investment],
        parts=parts,
    )


def _without_taken_periods(drafts: list[_Draft]) -> list[_Draft]:
    """One report per project and period: none stored, none named twice in the batch."""
    if not drafts:
        return []
    named = Counter(draft.key for draft in drafts)
    taken = set(
        ProgressReport.objects.filter(
            project_id__in={draft.report.project_id for draft in drafts},
            period__in={draft.report.period for draft in drafts},
        )
        .order_by()
        .values_list("project_id", "period")
    )
    return [draft for draft in drafts if named[draft.key] == 1 and draft.key not in taken]


def _with_reportable_values(drafts: list[_Draft], project_ids: list) -> list[_Draft]:
    """``check_values`` for the batch (a derived indicator is never among the reportable ones)."""
    if not any(draft.values for draft in drafts):
        return drafts
    reportable = reportable_indicators(project_ids)
    return [
        draft
        for draft in drafts
        if all(row.indicator_id in reportable[draft.report.project_id] for row in draft.values)
    ]


def _within_neighbours(drafts: list[_Draft]) -> list[_Draft]:
    """``check_cumulative`` for the batch: the counted reports of its projects read at once."""
    checked = [draft for draft in drafts if not draft.report.correction_reason.strip()]
    if not checked:
        return drafts
    counted = defaultdict(list)
    # Rows, not models: thousands per batch, and the comparison reads only these.
    # Unordered: the model's ordering joins every project to sort by its code (150 ms a batch).
    stored = (
        ProgressReport.objects.filter(project_id__in={draft.report.project_id for draft in checked}, status__in=COUNTED)
        .order_by()
        .values_list("pk", "project_id", "period", "period_start", "period_end", "cumulative_investment", named=True)
    )
    for report in stored:
        counted[report.project_id].append(report)

    def order(report):
        return report.period_end, report.period_start

    neighbours = {}
    for draft in checked:
        end = draft.report.period_end
        around = counted[draft.report.project_id]
        earlier = max((report for report in around if report.period_end < end), key=order, default=None)
        later = min((report for report in around if report.period_end > end), key=order, default=None)
        neighbours[id(draft)] = earlier, later
    parts = defaultdict(dict)
    wanted = {report.pk for pair in neighbours.values() for report in pair if report is not None}
    for share in ReportInvestment.objects.filter(report_id__in=wanted).select_related("source"):
        parts[share.report_id][share.source] = share.amount
    kept = []
    for draft in drafts:
        if id(draft) in neighbours:
            earlier, later = neighbours[id(draft)]
            try:
                check_against_neighbours(draft.report, draft.parts, earlier, later, lambda report: parts[report.pk])
            except ValidationError:
                continue
        kept.append(draft)
    return kept


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
