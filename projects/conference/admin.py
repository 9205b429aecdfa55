"""The admin face of the joint conference: the same rules and services as the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.conference import services
from projects.conference.choices import ActionStatus, MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.models import (
    ActionItem,
    ActionUpdate,
    AgendaItem,
    AnnualPlan,
    CorridorPlan,
    CorridorTarget,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
    PlanTransition,
    ReviewPack,
)
from projects.core.admin_base import LegacyTrackedAdmin as TrackedAdmin
from projects.core.admin_base import TrackedInline
from projects.core.admin_base import legacy_confirm_with_comment as confirm_with_comment


def _choices(choice_set, exclude=()):
    return [(value, label) for value, label in choice_set.choices if value not in exclude]


class _ServiceCheckedForm(forms.ModelForm):
    """Runs the service's own check on the edited record, so the admin refuses what the API refuses."""

    check = None

    def _post_clean(self):
        super()._post_clean()  # builds self.instance from the cleaned data
        if not self.errors and self.check is not None:
            try:
                type(self).check(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


# --- Meetings ------------------------------------------------------------------------------


class AgendaInline(TrackedInline):
    model = AgendaItem
    fields = ("position", "title", "presenter")


class MeetingForm(_ServiceCheckedForm):
    check = staticmethod(services.check_host_takes_turns)


@admin.register(Meeting)
class MeetingAdmin(TrackedAdmin):
    form = MeetingForm
    list_display = ("sequence_no", "date", "host_province", "place", "status")
    list_filter = ("status", "host_province")
    search_fields = ("place", "minutes")
    list_select_related = ("host_province",)
    filter_horizontal = ("attending_organizations",)
    readonly_fields = (*TrackedAdmin.readonly_fields, "status", "status_changed_at")
    inlines = [AgendaInline]
    actions = ["change_status", "build_review_pack"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and obj.minutes_locked)

    @admin.action(description=_("Change the status of the selected meetings"))
    def change_status(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change the status"),
            choices=_choices(MeetingStatus, exclude=[MeetingStatus.PLANNED]),
            apply=lambda obj, to, comment: services.meeting_transition(
                instance=obj, to=to, actor=request.user, comment=comment
            ),
        )

    @admin.action(description=_("Build review packs for the selected meetings"))
    def build_review_pack(self, request, queryset):
        for meeting in queryset:
            services.review_pack_request(actor=request.user, meeting=meeting)
        self.message_user(request, _("The review packs are being built; see “Review packs”."))


class DecisionForm(forms.ModelForm):
    def clean_meeting(self):
        meeting = self.cleaned_data["meeting"]
        services.check_decisions_open(meeting)
        return meeting


@admin.register(Decision)
class DecisionAdmin(TrackedAdmin):
    form = DecisionForm
    list_display = ("meeting", "number", "title")
    list_filter = ("meeting",)
    search_fields = ("title", "text")
    list_select_related = ("meeting",)


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    fields = ("time", "author", "from_status", "to_status", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(TrackedAdmin):
    list_display = ("title", "decision", "responsible_organization", "due_date", "status")
    list_filter = ("status", "responsible_organization")
    search_fields = ("title", "description")
    list_select_related = ("decision__meeting", "responsible_organization")
    date_hierarchy = "due_date"
    readonly_fields = (
        *TrackedAdmin.readonly_fields,
        "status",
        "status_changed_at",
        "completed_on",
        "overdue_notified_at",
    )
    inlines = [ActionUpdateInline]
    actions = ["change_status"]

    @admin.action(description=_("Change the status of the selected follow-up actions"))
    def change_status(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change the status"),
            choices=_choices(ActionStatus, exclude=[ActionStatus.OVERDUE]),
            apply=lambda obj, to, comment: services.action_item_transition(
                instance=obj, to=to, actor=request.user, comment=comment
            ),
        )


# --- Annual plans ----------------------------------------------------------------------------


class PlanTransitionInline(admin.TabularInline):
    model = PlanTransition
    fields = ("time", "from_status", "to_status", "meeting", "actor", "comment", "item_comments")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(TrackedAdmin):
    list_display = ("year", "__str__", "status", "meeting", "revision", "approved_at")
    list_filter = ("status",)
    readonly_fields = (
        *TrackedAdmin.readonly_fields,
        "status",
        "status_changed_at",
        "meeting",
        "approved_at",
        "revision",
    )
    inlines = [PlanTransitionInline]
    actions = ["change_status"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    @admin.action(description=_("Change the status of the selected plans"))
    def change_status(self, request, queryset):
        def apply(plan, to, comment):
            # In the admin a plan goes to the next meeting whose minutes are still open.
            meeting = (
                Meeting.objects.exclude(status=MeetingStatus.MINUTES_APPROVED).order_by("sequence_no").first()
                if to == PlanStatus.SUBMITTED
                else None
            )
            services.plan_transition(
                instance=plan, to=to, actor=request.user, comment=comment, meeting=meeting, reason=comment
            )

        return confirm_with_comment(
            self, request, queryset, title=_("Change the status"), choices=_choices(PlanStatus), apply=apply
        )


class PlanFundingInline(TrackedInline):
    model = PlanItemFunding
    fields = ("source", "amount")


class PlanTargetInline(TrackedInline):
    model = PlanItemTarget
    fields = ("indicator", "target_value")


class PlanMilestoneInline(TrackedInline):
    model = PlanMilestone
    fields = ("title", "due_date", "done_on")


class PlanItemForm(_ServiceCheckedForm):
    check = staticmethod(services.check_plan_item)


@admin.register(PlanItem)
class PlanItemAdmin(TrackedAdmin):
    form = PlanItemForm
    list_display = ("plan", "project", "province", "planned_investment")
    list_filter = ("plan", "province")
    search_fields = ("project__code", "project__name_zh")
    list_select_related = ("plan", "project", "province")
    autocomplete_fields = ("project",)
    readonly_fields = (*TrackedAdmin.readonly_fields, "planned_investment", "review_comment")
    inlines = [PlanFundingInline, PlanTargetInline, PlanMilestoneInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.plan.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.plan.is_editable)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            kwargs["queryset"] = AnnualPlan.objects.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Experts, packs and the corridor plan ------------------------------------------------------


@admin.register(Expert)
class ExpertAdmin(TrackedAdmin):
    list_display = ("name", "field", "affiliation", "province", "term_start", "term_end", "user")
    list_filter = ("province",)
    search_fields = ("name", "field", "affiliation")
    list_select_related = ("province", "user")


@admin.register(ExpertReview)
class ExpertReviewAdmin(TrackedAdmin):
    list_display = ("expert", "project", "plan", "status", "recommendation", "score")
    list_filter = ("status", "recommendation")
    list_select_related = ("expert", "project", "plan")
    readonly_fields = (*TrackedAdmin.readonly_fields, "status", "submitted_at", "requested_by")
    actions = ["change_status"]

    @admin.action(description=_("Submit or reopen the selected reviews"))
    def change_status(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change the status"),
            choices=_choices(ReviewStatus),
            apply=lambda obj, to, comment: services.review_transition(
                instance=obj, to=to, actor=request.user, comment=comment
            ),
        )


@admin.register(ReviewPack)
class ReviewPackAdmin(TrackedAdmin):
    list_display = ("meeting", "plan", "status", "as_of", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("meeting", "plan")
    readonly_fields = [field.name for field in ReviewPack._meta.fields]

    def has_add_permission(self, request):
        return False  # packs are requested from their meeting

    def has_change_permission(self, request, obj=None):
        return False


class CorridorTargetInline(TrackedInline):
    model = CorridorTarget
    fields = ("corridor", "indicator", "year", "target_value")


@admin.register(CorridorPlan)
class CorridorPlanAdmin(TrackedAdmin):
    list_display = ("title_zh", "start_year", "end_year", "approved_on")
    filter_horizontal = ("compiled_by",)
    inlines = [CorridorTargetInline]
