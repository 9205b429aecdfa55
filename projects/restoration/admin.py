"""The admin face of projects, reports and participation: forms and actions call the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.core.admin_base import LogInline, ReadOnlyAdmin, TrackedAdmin, TrackedInline, confirm_with_comment
from projects.core.admin_imports import ImportAdminMixin, api_import
from projects.core.choices import ImportResource
from projects.core.errors import DomainError
from projects.core.models import Organization
from projects.restoration import services
from projects.restoration.acceptance_form import acceptance_pdf
from projects.restoration.choices import (
    AcceptanceStatus,
    ParticipationStatus,
    ProjectStatus,
    RectificationStatus,
    ReportStatus,
)
from projects.restoration.comparison import compare_with_last_accepted
from projects.restoration.forms import ComplianceFilterForm
from projects.restoration.lifecycle import (
    ACCEPTANCE_LIFECYCLE,
    PARTICIPATION_LIFECYCLE,
    PROJECT_LIFECYCLE,
    RECTIFICATION_LIFECYCLE,
    REPORT_LIFECYCLE,
)
from projects.restoration.models import (
    AcceptanceDocument,
    AcceptanceIndicator,
    AcceptanceMember,
    AcceptanceRecord,
    EcosystemElement,
    FundingShare,
    FundingSource,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    LandUseChange,
    MeasureType,
    ParticipationRequest,
    ProgressReport,
    Project,
    ProjectTransition,
    RectificationItem,
    ReminderLog,
    ReportAttachment,
    ReportInvestment,
    ShorelineSegment,
)
from projects.restoration.rules import lead_organizations
from projects.restoration.services import participation as participation_services
from projects.restoration.services import reports as report_services


@admin.register(EcosystemElement)
class EcosystemElementAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "sort_order")


@admin.register(MeasureType)
class MeasureTypeAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(FundingSource)
class FundingSourceAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "sort_order")


@admin.register(Indicator)
class IndicatorAdmin(TrackedAdmin):
    list_display = ("code", "name_zh", "name_en", "unit", "aggregation", "combination", "weight", "element")
    list_filter = ("aggregation", "combination", "element")
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("components",)
    save_service = staticmethod(services.indicator_save)


class FundingInline(TrackedInline):
    model = FundingShare
    fields = ("source", "amount")
    service_field = "funding"


class TargetInline(TrackedInline):
    model = IndicatorTarget
    fields = ("indicator", "target_value")
    service_field = "targets"


class TransitionInline(LogInline):
    model = ProjectTransition
    fields = ("time", "from_status", "to_status", "actor", "comment")


@admin.register(Project)
class ProjectAdmin(ImportAdminMixin, TrackedAdmin):
    import_runner = staticmethod(api_import("api.restoration.views.ProjectViewSet"))
    import_resource = ImportResource.PROJECTS
    import_help = _(
        "One project per row, matched by its code: code, name_zh, lead_organization, partner_organizations, "
        "corridors, divisions, planned_start, planned_end, total_budget … (references by code or slug, several "
        "separated by ;), target:<indicator> and funding:<source> columns; an export of the list imports back."
    )
    list_display = (
        "code",
        "name_zh",
        "status",
        "lead_organization",
        "is_cross_regional",
        "is_national_major",
        "planned_start",
        "total_budget",
    )
    list_filter = (
        "status",
        "corridors",
        "key_areas",
        "provinces",
        "is_cross_regional",
        "is_national_major",
        "elements",
        "measures",
        "divisions__is_adjacent_area",
    )
    list_select_related = ("lead_organization",)
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("corridors", "key_areas", "divisions", "elements", "measures", "partner_organizations")
    readonly_fields = (
        "is_cross_regional",
        "provinces_display",
        "extent_length_km",
        "extent_area_ha",
        *TrackedAdmin.readonly_fields,
    )
    exclude = ("provinces",)
    inlines = [FundingInline, TargetInline, TransitionInline]
    actions = ["change_status"]
    save_service = staticmethod(services.project_save)
    delete_service = staticmethod(services.project_delete)
    lifecycle = PROJECT_LIFECYCLE
    transition_service = staticmethod(services.project_transition)

    def get_urls(self):
        view = self.admin_site.admin_view(self.reporting_compliance_view)
        return [
            path("reporting-compliance/", view, name="restoration_reporting_compliance"),
            *super().get_urls(),
        ]

    def reporting_compliance_view(self, request):
        """Who has not reported: the compliance list (``projects.restoration.compliance``), filtered."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ComplianceFilterForm(request.GET or None)
        result = form.compliance(self.get_queryset(request))
        counts = form.counts(result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reporting compliance"),
            "form": form,
            "result": result,
            "counts": counts,
        }
        return TemplateResponse(request, "restoration/reporting_compliance.html", context)

    def limit_choices(self, request, obj):
        return {"lead_organization": lead_organizations(request.user, Organization.objects.all())}

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (request.GET.get("model_name"), request.GET.get("field_name")) == ("progressreport", "project"):
            # The report form's project search offers what the user may report on.
            queryset = report_services.projects_to_report(request.user, queryset)
        return queryset, may_have_duplicates

    @admin.display(description=_("provinces taking part"))
    def provinces_display(self, obj):
        return "、".join(p.name for p in obj.provinces.all()) or "—"

    @admin.action(description=_("Change the status of the selected projects"))
    def change_status(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change status"),
            choices=ProjectStatus.choices,
            apply=lambda project, form: services.project_transition(
                actor=request.user, instance=project, to=form["to"], comment=form["comment"]
            ),
        )


@admin.register(ParticipationRequest)
class ParticipationRequestAdmin(TrackedAdmin):
    list_display = ("project", "kind", "organization", "status", "requesting_province", "deciding_province")
    list_filter = ("status", "kind")
    list_select_related = ("project", "organization", "requesting_province", "deciding_province")
    autocomplete_fields = ("project",)
    fields = ("project", "kind", "organization", "comment", "status", "decided_by", "decision_comment")
    readonly_fields = ("decided_by", "decision_comment", *TrackedAdmin.readonly_fields)
    actions = ["decide"]
    save_service = staticmethod(services.participation_request)
    lifecycle = PARTICIPATION_LIFECYCLE
    transition_service = staticmethod(services.participation_transition)
    transition_permissions = participation_services.TRANSITION_PERMISSIONS

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Accept, decline or withdraw the selected requests"))
    def decide(self, request, queryset):
        choices = [(s, label) for s, label in ParticipationStatus.choices if s != ParticipationStatus.PENDING]
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Decide"),
            choices=choices,
            apply=lambda obj, form: services.participation_transition(
                actor=request.user, instance=obj, to=form["to"], comment=form["comment"]
            ),
        )


class InvestmentInline(TrackedInline):
    """Cumulative investment per funding source (万元); the report's total is their sum."""

    model = ReportInvestment
    fields = ("source", "amount")
    service_field = "investment"


class ValueInline(TrackedInline):
    model = IndicatorValue
    fields = ("indicator", "value")
    service_field = "values"

    def limit_choices(self, request, obj):
        # The project's targeted indicators (a new report's project is not known yet: the service checks).
        if obj is None:
            return {"indicator": Indicator.objects.filter(components__isnull=True)}
        return {"indicator": report_services.indicators_to_report(obj.project)}


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ("project", "period", "narrative", "percent_complete", "cumulative_investment", "correction_reason")

    def clean_project(self):
        project = self.cleaned_data["project"]
        try:
            services.check_reportable(project)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return project


class AttachmentInline(TrackedInline):
    """Photos and documents, uploaded here like through the API (``report_attach`` checks them)."""

    model = ReportAttachment
    fields = ("kind", "title", "file", "size", "uploaded_by")
    readonly_fields = ("size", "uploaded_by")

    def get_extra(self, request, obj=None, **kwargs):
        # One empty row with its file input, so a photo can be added without the "add" link's script;
        # only where the service takes attachments (draft and returned reports, as in the API).
        return 1 if obj is None or obj.is_editable else 0


@admin.register(ProgressReport)
class ProgressReportAdmin(ImportAdminMixin, TrackedAdmin):
    import_runner = staticmethod(api_import("api.restoration.views.ProgressReportViewSet"))
    import_resource = ImportResource.PROGRESS_REPORTS
    import_help = _(
        "One report per row, matched by project and period: project (its code), period (2025-03 or 2025-Q1), "
        "narrative, percent_complete, cumulative_investment, and value:<indicator> and "
        "investment:<source> columns. Reports are imported as drafts."
    )
    form = ProgressReportForm
    list_display = ("project", "period", "status", "percent_complete", "cumulative_investment", "reported_by")
    list_filter = ("status", "period_kind", "project__provinces", "project__corridors")
    list_select_related = ("project", "reported_by")
    search_fields = ("project__code", "project__name_zh", "period")
    autocomplete_fields = ("project",)
    readonly_fields = (
        "reported_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "changes_since_last_accepted",
        *TrackedAdmin.readonly_fields,
    )
    inlines = [InvestmentInline, ValueInline, AttachmentInline]

    @admin.display(description=_("changes since the last accepted report"))
    def changes_since_last_accepted(self, obj):
        """The reviewer's comparison (``projects.restoration.comparison``), read-only."""
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string("restoration/report_comparison.html", {"comparison": compare_with_last_accepted(obj)})

    actions = ["submit", "accept", "return_for_rework"]
    save_service = staticmethod(services.report_save)
    delete_service = staticmethod(services.report_delete)
    lifecycle = REPORT_LIFECYCLE
    transition_service = staticmethod(services.report_transition)
    transition_permissions = report_services.TRANSITION_PERMISSIONS

    def limit_choices(self, request, obj):
        return {"project": report_services.projects_to_report(request.user)}

    def has_change_permission(self, request, obj=None):
        # Submitted and accepted reports are frozen: the lifecycle decides, not the form.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = request._tracked_saved
        for formset in formsets:
            if formset.model is not ReportAttachment:
                continue
            for row in formset.forms:
                data = row.cleaned_data
                if not data:
                    continue
                stored = not row.instance._state.adding
                replaced = stored and "file" in row.changed_data
                if stored and (data.get("DELETE") or replaced):
                    services.attachment_delete(actor=request.user, instance=row.instance)
                if not data.get("DELETE") and data.get("file") and (not stored or replaced):
                    services.report_attach(
                        actor=request.user,
                        report=report,
                        file=data["file"],
                        kind=data.get("kind"),
                        title=data.get("title") or "",
                    )

    @admin.action(description=_("Submit the selected reports"))
    def submit(self, request, queryset):
        return self.transition_selected(request, queryset, to=ReportStatus.SUBMITTED, title=_("Submit"))

    @admin.action(description=_("Accept the selected reports"))
    def accept(self, request, queryset):
        return self.transition_selected(request, queryset, to=ReportStatus.ACCEPTED, title=_("Accept"))

    @admin.action(description=_("Return the selected reports for rework"))
    def return_for_rework(self, request, queryset):
        return self.transition_selected(request, queryset, to=ReportStatus.RETURNED, title=_("Return for rework"))


@admin.register(ShorelineSegment)
class ShorelineSegmentAdmin(TrackedAdmin):
    list_display = ("corridor", "bank", "state", "length_m", "province", "project", "surveyed_on")
    list_filter = ("corridor", "bank", "state", "province")
    list_select_related = ("corridor", "province", "project")
    search_fields = ("project__code", "description")
    autocomplete_fields = ("project",)
    fields = ("corridor", "province", "bank", "state", "geometry", "length_m", "project", "surveyed_on", "description")
    readonly_fields = ("length_m", *TrackedAdmin.readonly_fields)
    save_service = staticmethod(services.shoreline_segment_save)
    delete_service = staticmethod(services.shoreline_segment_delete)


class AcceptanceMemberInline(TrackedInline):
    model = AcceptanceMember
    fields = ("name", "organization_name", "expert", "is_leader")
    autocomplete_fields = ("expert",)
    service_field = "members"


class AcceptanceIndicatorInline(TrackedInline):
    """Targets against achievements, prefilled from the project's figures when the record is added."""

    model = AcceptanceIndicator
    fields = ("indicator", "target_value", "achieved_value", "shortfall_reason")
    service_field = "indicators"


class LandUseInline(TrackedInline):
    model = LandUseChange
    fields = ("land_use", "area_before_ha", "area_after_ha")
    service_field = "land_use"


class AcceptanceDocumentInline(TrackedInline):
    model = AcceptanceDocument
    fields = ("title", "file", "uploaded_by")
    readonly_fields = ("uploaded_by",)


class RectificationInline(TrackedInline):
    """Written through ``rectification_save``/``_delete`` in ``save_related``; done through the items' admin."""

    model = RectificationItem
    fields = ("title", "responsible_organization", "due_date", "status", "completed_on")
    readonly_fields = ("status", "completed_on")


@admin.register(AcceptanceRecord)
class AcceptanceRecordAdmin(TrackedAdmin):
    list_display = ("project", "kind", "subject", "accepted_on", "conclusion", "status")
    list_filter = ("kind", "conclusion", "status", "project__provinces")
    list_select_related = ("project",)
    search_fields = ("project__code", "project__name_zh", "subject")
    autocomplete_fields = ("project",)
    fields = ("project", "kind", "subject", "accepted_on", "conclusion", "opinion", "status", "form_pdf")
    readonly_fields = ("form_pdf", *TrackedAdmin.readonly_fields)
    inlines = [
        AcceptanceMemberInline,
        AcceptanceIndicatorInline,
        LandUseInline,
        RectificationInline,
        AcceptanceDocumentInline,
    ]
    actions = ["conclude"]
    save_service = staticmethod(services.acceptance_save)
    delete_service = staticmethod(services.acceptance_delete)
    lifecycle = ACCEPTANCE_LIFECYCLE
    transition_service = staticmethod(services.acceptance_transition)

    def has_change_permission(self, request, obj=None):
        # A concluded acceptance is frozen; documents are added through the API.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def get_urls(self):
        view = self.admin_site.admin_view(self.form_view)
        return [path("<uuid:pk>/form.pdf", view, name="restoration_acceptancerecord_form"), *super().get_urls()]

    def form_view(self, request, pk):
        record = self.get_queryset(request).filter(pk=pk).select_related("project__lead_organization").first()
        if record is None:
            raise Http404
        return HttpResponse(acceptance_pdf(record), content_type="application/pdf")

    @admin.display(description=_("acceptance form (PDF)"))
    def form_pdf(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', f"{obj.pk}/form.pdf", _("Print the acceptance form"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record = request._tracked_saved
        for formset in formsets:
            if formset.model is RectificationItem:
                self._save_rectifications(request, record, formset)
            elif formset.model is AcceptanceDocument:
                for row in formset.forms:
                    data = row.cleaned_data
                    if data and not data.get("DELETE") and data.get("file") and row.instance._state.adding:
                        services.acceptance_attach(
                            actor=request.user, record=record, file=data["file"], title=data.get("title") or ""
                        )

    def _save_rectifications(self, request, record, formset):
        for row in formset.forms:
            data = row.cleaned_data
            if not data:
                continue
            stored = not row.instance._state.adding
            if stored and data.get("DELETE"):
                services.rectification_delete(actor=request.user, instance=row.instance)
            elif not data.get("DELETE") and (row.has_changed() or not stored):
                fields = {name: data.get(name) for name in ("title", "responsible_organization", "due_date")}
                services.rectification_save(
                    actor=request.user,
                    instance=row.instance if stored else None,
                    data={**fields, **({} if stored else {"record": record})},
                )

    @admin.action(description=_("Conclude the selected acceptances"))
    def conclude(self, request, queryset):
        return self.transition_selected(request, queryset, to=AcceptanceStatus.CONCLUDED, title=_("Conclude"))


@admin.register(RectificationItem)
class RectificationItemAdmin(TrackedAdmin):
    list_display = ("title", "record", "responsible_organization", "due_date", "status", "overdue")
    list_filter = ("status", "responsible_organization")
    list_select_related = ("record__project", "responsible_organization")
    search_fields = ("title", "record__project__code")
    fields = ("record", "title", "description", "responsible_organization", "due_date", "status", "completed_on")
    readonly_fields = ("completed_on", *TrackedAdmin.readonly_fields)
    actions = ["mark_done", "reopen"]
    save_service = staticmethod(services.rectification_save)
    delete_service = staticmethod(services.rectification_delete)
    lifecycle = RECTIFICATION_LIFECYCLE
    transition_service = staticmethod(services.rectification_transition)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.action(description=_("Mark the selected items done"))
    def mark_done(self, request, queryset):
        return self.transition_selected(request, queryset, to=RectificationStatus.DONE, title=_("Mark done"))

    @admin.action(description=_("Open the selected items again"))
    def reopen(self, request, queryset):
        return self.transition_selected(request, queryset, to=RectificationStatus.OPEN, title=_("Open again"))


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The reporting reminders sent: written by the reminder task only, never edited."""

    list_display = ("project", "period", "step", "due_date", "sent_at", "emails")
    list_filter = ("step", "project__provinces")
    list_select_related = ("project",)
    search_fields = ("project__code", "period")
    readonly_fields = ("project", "period", "step", "due_date", "sent_at", "recipients", "emails")
