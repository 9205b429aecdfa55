from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from projects.core.admin_base import TrackedAdmin, TrackedInline, confirm_with_comment
from projects.core.errors import DomainError
from projects.restoration import services
from projects.restoration.choices import ProjectStatus
from projects.restoration.models import (
    EcosystemElement,
    FundingShare,
    FundingSource,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MeasureType,
    ProgressReport,
    Project,
    ProjectTransition,
    ReportAttachment,
)
from projects.restoration.models.projects import check_funding_within_budget


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
    list_display = ("code", "name_zh", "name_en", "unit", "aggregation", "element")
    list_filter = ("aggregation", "element")
    search_fields = ("code", "name_zh", "name_en")


class FundingFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        amounts = [
            form.cleaned_data.get("amount")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        check_funding_within_budget(self.instance.total_budget, amounts)


class FundingInline(TrackedInline):
    model = FundingShare
    formset = FundingFormSet
    fields = ("source", "amount")


class TargetInline(TrackedInline):
    model = IndicatorTarget
    fields = ("indicator", "target_value")


class TransitionInline(admin.TabularInline):
    model = ProjectTransition
    fields = ("time", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(Project)
class ProjectAdmin(TrackedAdmin):
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
        "status",
        "status_changed_at",
        "is_cross_regional",
        "provinces_display",
        *TrackedAdmin.readonly_fields,
    )
    exclude = ("provinces",)
    inlines = [FundingInline, TargetInline, TransitionInline]
    actions = ["change_status"]

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
            apply=lambda project, to, comment: services.project_transition(
                project=project, to=to, actor=request.user, comment=comment
            ),
        )


class ValueFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.project_id:
            indicators = [
                form.cleaned_data["indicator"]
                for form in self.forms
                if form.cleaned_data.get("indicator") and not form.cleaned_data.get("DELETE")
            ]
            try:
                services.check_values(self.instance.project, indicators)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["values"]) from exc


class ValueInline(TrackedInline):
    model = IndicatorValue
    formset = ValueFormSet
    fields = ("indicator", "value")


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ("project", "period", "narrative", "percent_complete", "cumulative_investment")

    def clean_project(self):
        project = self.cleaned_data["project"]
        try:
            services.check_reportable(project)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return project


class AttachmentInline(TrackedInline):
    model = ReportAttachment
    fields = ("kind", "title", "file", "size", "uploaded_by")
    readonly_fields = ("size", "uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the API or report_attach, which check type and size


@admin.register(ProgressReport)
class ProgressReportAdmin(TrackedAdmin):
    form = ProgressReportForm
    list_display = ("project", "period", "status", "percent_complete", "cumulative_investment", "reported_by")
    list_filter = ("status", "period_kind", "project__provinces", "project__corridors")
    list_select_related = ("project", "reported_by")
    search_fields = ("project__code", "project__name_zh", "period")
    autocomplete_fields = ("project",)
    readonly_fields = (
        "status",
        "reported_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        *TrackedAdmin.readonly_fields,
    )
    inlines = [ValueInline, AttachmentInline]
    actions = ["submit", "accept", "return_for_rework"]

    def has_change_permission(self, request, obj=None):
        # Submitted and accepted reports are frozen: the lifecycle decides, not the form.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Submit the selected reports"))
    def submit(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Submit"),
            apply=lambda report, _to, _comment: services.report_submit(report=report, actor=request.user),
        )

    @admin.action(description=_("Accept the selected reports"))
    def accept(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Accept"),
            apply=lambda report, _to, comment: services.report_review(
                report=report, actor=request.user, accept=True, comment=comment
            ),
        )

    @admin.action(description=_("Return the selected reports for rework"))
    def return_for_rework(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Return for rework"),
            apply=lambda report, _to, comment: services.report_review(
                report=report, actor=request.user, accept=False, comment=comment
            ),
        )
