"""The workspace's task pages: what is waiting for me, and doing it in one page each.

Views stay thin: reads go through ``projects.permissions.visible`` (and the rule, ``can``, to
offer only what the user may do), writes through the domains' services. A refusal comes back
as a message beside its field, or above the form, in the user's language, with everything
typed kept; never an error page.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.compensation.choices import SettlementStatus, Side
from projects.compensation.models import Settlement
from projects.compensation.services import settlement_transition
from projects.compensation.settlement import settlement_words
from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import ActionItem, AnnualPlan, Meeting
from projects.conference.rules import REPORT
from projects.conference.services import action_item_report, plan_transition
from projects.conference.services.plans import check_meeting_for
from projects.core.errors import DomainError
from projects.core.validators import PHOTO_EXTENSIONS
from projects.permissions import CHANGE, TRANSITION, can, visible
from projects.restoration.choices import AttachmentKind, ReportStatus
from projects.restoration.models import FundingSource, ProgressReport, Project, ReportAttachment
from projects.restoration.rules import REVIEW
from projects.restoration.services.reports import report_attach, report_save, report_transition
from projects.workspace.waiting import reportable_projects, waiting_for

try:  # the close-out issue's comparison; the panel shows once it is there
    from projects.restoration.comparison import compare_with_last_accepted
except ImportError:  # pragma: no cover - depends on the branch
    compare_with_last_accepted = None


class Refusal(Exception):
    """What the services refused, sorted by field for the form: ``errors[field] = [messages]``."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(errors)


def refusal_of(exc: Exception) -> Refusal:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return Refusal({name: list(messages_) for name, messages_ in exc.message_dict.items()})
        return Refusal({"__all__": list(exc.messages)})
    if isinstance(exc, DomainError):
        return Refusal({"__all__": [str(exc.message)]})
    if isinstance(exc, PermissionDenied):
        return Refusal({"__all__": [str(exc) or _("You are not allowed to do this.")]})
    raise exc


REFUSED = (ValidationError, DomainError, PermissionDenied)


def general_errors(errors: dict, shown: set) -> list:
    """The refusals not shown beside a field of the page: above the form."""
    return [message for name, found in errors.items() if name not in shown for message in found]


def _decimal(text: str, errors: dict, name: str):
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.setdefault(name, []).append(_("Enter a number, e.g. 12.5."))
        return None
    if not value.is_finite():
        errors.setdefault(name, []).append(_("Enter a number, e.g. 12.5."))
        return None
    return value


def money(amount) -> str:
    """An amount with thousands separators and two decimals: 1,500,000.00."""
    return f"{Decimal(amount):,.2f}"


# --- My work --------------------------------------------------------------------------------


@login_required
def my_work(request):
    return render(request, "workspace/my_work.html", {"title": _("My work"), "waiting": waiting_for(request.user)})


# --- Progress report: draft and submit ------------------------------------------------------


def reportable_indicators(project: Project) -> list:
    """The indicators a report on ``project`` gives values for: its targeted ones, and for a
    targeted derived indicator its components (the derived one is computed)."""
    indicators = {}
    for target in project.targets.select_related("indicator").prefetch_related("indicator__components"):
        components = list(target.indicator.components.all())
        for indicator in components or [target.indicator]:
            indicators[indicator.pk] = indicator
    return sorted(indicators.values(), key=lambda indicator: indicator.code)


def _report_form(request, project, report, posted=None):
    """The fields to show: what was posted (kept on a refusal), else what is stored."""
    indicators = reportable_indicators(project) if project else []
    sources = list(FundingSource.objects.all())
    stored_values = {v.indicator_id: v.value for v in report.values.all()} if report else {}
    stored_investment = {i.source_id: i.amount for i in report.investment.all()} if report else {}
    if posted is not None:
        fields = {name: posted.get(name, "") for name in _FIELDS}
        values = {i.pk: posted.get(f"value-{i.pk}", "") for i in indicators}
        investment = {s.pk: posted.get(f"investment-{s.pk}", "") for s in sources}
    else:
        fields = {name: (getattr(report, name) if report else "") for name in _FIELDS}
        values = dict(stored_values)
        investment = dict(stored_investment)
    return {
        "fields": fields,
        "indicators": [{"indicator": i, "value": values.get(i.pk, ""), "name": f"value-{i.pk}"} for i in indicators],
        "sources": [{"source": s, "amount": investment.get(s.pk, ""), "name": f"investment-{s.pk}"} for s in sources],
    }


_FIELDS = ("period", "narrative", "percent_complete", "cumulative_investment", "correction_reason")


def _read_report(post, project, errors) -> dict:
    data = {"period": post.get("period", "").strip(), "narrative": post.get("narrative", "").strip()}
    data["correction_reason"] = post.get("correction_reason", "").strip()
    percent = _decimal(post.get("percent_complete"), errors, "percent_complete")
    if percent is None and "percent_complete" not in errors:
        errors["percent_complete"] = [_("Give the share of the work done, from 0 to 100.")]
    data["percent_complete"] = percent
    total = _decimal(post.get("cumulative_investment"), errors, "cumulative_investment")
    if total is not None:
        data["cumulative_investment"] = total
    values = []
    for indicator in reportable_indicators(project):
        value = _decimal(post.get(f"value-{indicator.pk}"), errors, f"value-{indicator.pk}")
        if value is not None:
            values.append({"indicator": indicator, "value": value})
    data["values"] = values
    investment = []
    for source in FundingSource.objects.all():
        amount = _decimal(post.get(f"investment-{source.pk}"), errors, f"investment-{source.pk}")
        if amount is not None:
            investment.append({"source": source, "amount": amount})
    data["investment"] = investment
    if total is None and not investment and "cumulative_investment" not in errors:
        errors["cumulative_investment"] = [
            _("Give the cumulative investment, or the amounts per funding source (their sum is the total).")
        ]
    return data


def _attachment_kind(upload) -> str:
    return (
        AttachmentKind.PHOTO if Path(upload.name or "").suffix.lower() in PHOTO_EXTENSIONS else AttachmentKind.DOCUMENT
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk=None):
    """Draft a new report (``?project=``) or change a draft or returned one, and submit it."""
    user = request.user
    report = None
    if pk is not None:
        report = get_object_or_404(
            visible(user, ProgressReport.objects.all()).select_related("project", "reported_by__organization"), pk=pk
        )
        if not can(user, CHANGE, report):
            messages.info(request, _("You can read this report but not change it."))
            return redirect("workspace:report-review", pk=report.pk)
        if not report.is_editable:
            messages.info(
                request, _("This report is %(status)s: nothing to change.") % {"status": report.get_status_display()}
            )
            return redirect("workspace:report-review", pk=report.pk)
    projects = reportable_projects(user) if report is None else [report.project]
    chosen = request.POST.get("project") or request.GET.get("project") if report is None else str(report.project_id)
    project = next((p for p in projects if str(p.pk) == chosen), None)
    if report is None and chosen and project is None:
        messages.error(request, _("You cannot report on that project; choose one of yours."))
    errors: dict = {}

    if request.method == "POST" and project is not None:
        submit = "submit" in request.POST
        data = _read_report(request.POST, project, errors)
        uploads = request.FILES.getlist("files")
        if not errors:
            try:
                with transaction.atomic():
                    saved = report_save(
                        actor=user,
                        instance=report,
                        data={**data, "project": project},
                        expected_version=request.POST.get("version") or None,
                    )
                    for upload in uploads:
                        report_attach(actor=user, report=saved, file=upload, kind=_attachment_kind(upload))
                    if submit:
                        report_transition(actor=user, instance=saved, to=ReportStatus.SUBMITTED)
            except REFUSED as exc:
                errors = refusal_of(exc).errors
            else:
                if submit:
                    messages.success(
                        request,
                        _("Report for %(period)s on %(project)s submitted for review.")
                        % {"period": saved.period, "project": project.name},
                    )
                    return redirect("workspace:my-work")
                messages.success(request, _("Draft saved."))
                return redirect("workspace:report-edit", pk=saved.pk)
        if uploads and errors:
            errors.setdefault("files", []).append(_("Nothing was saved: choose the files again."))

    form = _report_form(request, project, report, request.POST if request.method == "POST" else None)
    if report is None and request.method == "GET" and project is not None:
        form["fields"]["period"] = request.GET.get("period", "")
    known = set(_FIELDS) | {"files", "values", "investment", "project"}
    known |= {row["name"] for row in form["indicators"]} | {row["name"] for row in form["sources"]}
    general = general_errors(errors, known)
    return render(
        request,
        "workspace/tasks/report_form.html",
        {
            "title": _("Progress report")
            if report is None
            else _("Progress report for %(period)s") % {"period": report.period},
            "report": report,
            "projects": projects,
            "project": project,
            "form": form,
            "errors": errors,
            "general_errors": general,
            "attachments": list(report.attachments.all()) if report else [],
        },
        status=400 if errors else 200,
    )


@login_required
def attachment_file(request, pk):
    """A report's photo or document, to those who may see the report (the tracker does not serve
    /media/ in production: a link there would be readable by anyone who has it)."""
    attachment = get_object_or_404(visible(request.user, ReportAttachment.objects.all()), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(handle, filename=Path(attachment.file.name).name)


# --- Progress report: review -----------------------------------------------------------------


def _compare(report):
    if compare_with_last_accepted is None:
        return None
    return compare_with_last_accepted(report)


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request, pk):
    """The report beside what changed since the last accepted one; accept or return it."""
    user = request.user
    report = get_object_or_404(
        visible(user, ProgressReport.objects.all())
        .select_related("project__lead_organization", "reported_by__organization", "reviewed_by")
        .prefetch_related("values__indicator", "investment__source", "attachments", "project__provinces"),
        pk=pk,
    )
    may_review = report.status == ReportStatus.SUBMITTED and can(user, REVIEW, report)
    errors: dict = {}
    if request.method == "POST":
        decision = request.POST.get("decision")
        comment = request.POST.get("comment", "")
        to = {"accept": ReportStatus.ACCEPTED, "return": ReportStatus.RETURNED}.get(decision)
        if to is None:
            errors["__all__"] = [_("Choose to accept the report or to return it.")]
        else:
            try:
                report_transition(
                    actor=user,
                    instance=report,
                    to=to,
                    comment=comment,
                    expected_version=request.POST.get("version") or None,
                )
            except REFUSED as exc:
                errors = refusal_of(exc).errors
            else:
                text = _("Report accepted.") if to == ReportStatus.ACCEPTED else _("Report returned for rework.")
                messages.success(request, text)
                return redirect("workspace:my-work")
    context = {
        "title": _("Review a progress report"),
        "report": report,
        "may_review": may_review,
        "may_edit": report.is_editable and can(user, CHANGE, report),
        "errors": errors,
        "general_errors": general_errors(errors, {"comment"}),
        "comment": request.POST.get("comment", "") if request.method == "POST" else "",
    }
    comparison = _compare(report)
    if comparison is not None:
        context["comparison"] = comparison
    return render(request, "workspace/tasks/report_review.html", context, status=400 if errors else 200)


# --- Annual plan: submit to a meeting ---------------------------------------------------------


def _candidate_meetings(user, plan):
    # Meetings still to be held, and the held one that returned this plan (to take it back).
    returned_to = Q(pk=plan.meeting_id) if plan.status == PlanStatus.RETURNED and plan.meeting_id else Q(pk__in=[])
    return (
        visible(user, Meeting.objects.filter(Q(status=MeetingStatus.PLANNED) | returned_to))
        .select_related("host_province")
        .order_by("date", "sequence_no")
    )


def _meeting_allowed(plan, meeting) -> bool:
    """The plan service's own rule on which meeting a plan may go to."""
    try:
        check_meeting_for(plan, meeting)
    except REFUSED:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def plan_submit(request, pk):
    user = request.user
    plan = get_object_or_404(visible(user, AnnualPlan.objects.select_related("meeting")), pk=pk)
    meetings = [meeting for meeting in _candidate_meetings(user, plan) if _meeting_allowed(plan, meeting)]
    may_submit = plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED) and can(user, TRANSITION, plan)
    errors: dict = {}
    chosen = request.POST.get("meeting", "")
    if request.method == "POST":
        meeting = next((m for m in meetings if str(m.pk) == chosen), None)
        if meeting is None:
            errors["meeting"] = [_("Choose one of the planned meetings.")]
        else:
            try:
                plan_transition(
                    actor=user,
                    instance=plan,
                    to=PlanStatus.SUBMITTED,
                    meeting=meeting,
                    comment=request.POST.get("comment", ""),
                    expected_version=request.POST.get("version") or None,
                )
            except REFUSED as exc:
                errors = refusal_of(exc).errors
            else:
                messages.success(
                    request,
                    _("%(plan)s submitted to %(meeting)s (%(date)s).")
                    % {"plan": plan.display_title, "meeting": meeting, "date": meeting.date},
                )
                return redirect("workspace:my-work")
    items = plan.items.select_related("project", "province").order_by("province__code", "project__code")
    return render(
        request,
        "workspace/tasks/plan_submit.html",
        {
            "title": _("Submit %(plan)s") % {"plan": plan.display_title},
            "plan": plan,
            "items": items,
            "meetings": meetings,
            "chosen": chosen,
            "may_submit": may_submit,
            "errors": errors,
            "general_errors": general_errors(errors, {"meeting", "items"}),
            "comment": request.POST.get("comment", ""),
        },
        status=400 if errors else 200,
    )


# --- Settlement: confirm ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settlement_confirm(request, pk):
    user = request.user
    settlement = get_object_or_404(
        visible(user, Settlement.objects.all()).select_related(
            "agreement__upstream_province",
            "agreement__downstream_province",
            "agreement__upstream_division",
            "agreement__downstream_division",
            "agreement__rule",
            "upstream_confirmed_by",
            "downstream_confirmed_by",
        ),
        pk=pk,
    )
    agreement = settlement.agreement
    my_sides = [
        side
        for side in Side.values
        if agreement.party_province_id(side) == user.province_id and not getattr(settlement, f"{side}_confirmed_at")
    ]
    may_confirm = (
        settlement.status == SettlementStatus.COMPUTED and bool(my_sides) and can(user, TRANSITION, settlement)
    )
    errors: dict = {}
    if request.method == "POST":
        side = request.POST.get("side") or None
        try:
            settlement_transition(
                actor=user,
                instance=settlement,
                to=SettlementStatus.CONFIRMED,
                side=side,
                comment=request.POST.get("comment", ""),
                expected_version=request.POST.get("version") or None,
            )
        except REFUSED as exc:
            errors = refusal_of(exc).errors
        else:
            messages.success(
                request, _("Settlement confirmed for the %(side)s.") % {"side": Side(side or my_sides[0]).label}
            )
            return redirect("workspace:my-work")
    parties = [
        {
            "side": Side(side).label,
            "name": agreement.party_name(side),
            "confirmed_by": getattr(settlement, f"{side}_confirmed_by"),
            "confirmed_at": getattr(settlement, f"{side}_confirmed_at"),
        }
        for side in Side.values
    ]
    inputs = settlement.inputs or {}
    return render(
        request,
        "workspace/tasks/settlement_confirm.html",
        {
            "title": _("Confirm a settlement"),
            "settlement": settlement,
            "agreement": agreement,
            "payer_name": agreement.party_name(settlement.payer) if settlement.payer else "",
            "payee_name": agreement.party_name(settlement.payee) if settlement.payer else "",
            "amount": money(settlement.amount),
            # The same words the admin shows: amounts with thousands separators.
            "steps": settlement_words(settlement)["steps"],
            "sections": inputs.get("sections", []),
            "period": inputs.get("period", {}),
            "parties": parties,
            "my_sides": [{"value": side, "label": Side(side).label} for side in my_sides],
            "may_confirm": may_confirm,
            "errors": errors,
            "general_errors": general_errors(errors, {"side"}),
        },
        status=400 if errors else 200,
    )


# --- Follow-up action: add an update ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    user = request.user
    item = get_object_or_404(
        visible(user, ActionItem.objects.for_api()).prefetch_related("updates__author"),
        pk=pk,
    )
    may_report = can(user, REPORT, item)
    errors: dict = {}
    text = request.POST.get("text", "")
    if request.method == "POST":
        try:
            action_item_report(actor=user, instance=item, text=text)
        except REFUSED as exc:
            errors = refusal_of(exc).errors
        else:
            messages.success(request, _("Update added to “%(action)s”.") % {"action": item.title})
            return redirect(reverse("workspace:action-update", kwargs={"pk": item.pk}))
    return render(
        request,
        "workspace/tasks/action_update.html",
        {
            "title": item.title,
            "item": item,
            "updates": list(item.updates.all()),
            "may_report": may_report,
            "errors": errors,
            "general_errors": general_errors(errors, {"text"}),
            "text": text if errors else "",
        },
        status=400 if errors else 200,
    )
