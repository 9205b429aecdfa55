"""The admin face of projects, reports and participation: forms and actions call the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.core.admin_base import LogInline, TrackedAdmin, TrackedInline, confirm_with_comment
from projects.core.admin_imports import ImportAdminMixin, api_import
from projects.core.errors import DomainError
from projects.restoration import services
from projects.restoration.choices import ParticipationStatus, ProjectStatus, ReportStatus
from projects.restoration.models import (
    EcosystemElement,
    FundingShare,
    FundingSource,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MeasureType,
    ParticipationRequest,
    ProgressReport,
    Project,
    ProjectTransition,
    ReportAttachment,
    ReportInvestment,
    ShorelineSegment,
)


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


@admin.register(ProgressReport)
class ProgressReportAdmin(ImportAdminMixin, TrackedAdmin):
    import_runner = staticmethod(api_import("api.restoration.views.ProgressReportViewSet"))
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
        *TrackedAdmin.readonly_fields,
    )
    inlines = [InvestmentInline, ValueInline, AttachmentInline]
    actions = ["submit", "accept", "return_for_rework"]
    save_service = staticmethod(services.report_save)
    delete_service = staticmethod(services.report_delete)

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

    def _transition(self, request, queryset, *, to, title):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=title,
            apply=lambda report, form: services.report_transition(
                actor=request.user, instance=report, to=to, comment=form["comment"]
            ),
        )

    @admin.action(description=_("Submit the selected reports"))
    def submit(self, request, queryset):
        return self._transition(request, queryset, to=ReportStatus.SUBMITTED, title=_("Submit"))

    @admin.action(description=_("Accept the selected reports"))
    def accept(self, request, queryset):
        return self._transition(request, queryset, to=ReportStatus.ACCEPTED, title=_("Accept"))

    @admin.action(description=_("Return the selected reports for rework"))
    def return_for_rework(self, request, queryset):
        return self._transition(request, queryset, to=ReportStatus.RETURNED, title=_("Return for rework"))


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
