"""The admin face of the joint conference: the same services, rules and history as the API.

Every form saves through its service (``save_service``) with its inline rows inside ``data``;
deletes go through ``delete_service``; status fields are read-only and change only through
actions that call the transition services, all or nothing. What the domain refuses is shown on
the form or as a message, and nothing is saved.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from projects.conference import services
from projects.conference.choices import ActionStatus, MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.lifecycle import (
    ACTION_LIFECYCLE,
    ACTION_SET_BY_THE_TRACKER,
    MEETING_LIFECYCLE,
    PLAN_LIFECYCLE,
    REVIEW_LIFECYCLE,
)
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
    PlanAmendment,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
    PlanTransition,
    ReviewPack,
)
from projects.core.admin_base import (
    LogInline,
    TrackedAdmin,
    TrackedInline,
    confirm_with_comment,
    run_all_or_nothing,
)
from projects.restoration.models import Indicator


def _choices(choice_set, exclude=()):
    return [(value, label) for value, label in choice_set.choices if value not in exclude]


# --- Meetings ------------------------------------------------------------------------------


class RowsWidget(forms.Widget):
    """One text box per entry and a few empty ones to add more: a list edited as rows."""

    blank_rows = 3

    def render(self, name, value, attrs=None, renderer=None):
        values = [*(value or []), *[""] * self.blank_rows]
        return format_html_join(
            "",
            '<div><input type="text" name="{}" value="{}" maxlength="200" class="vTextField"></div>',
            ((name, entry) for entry in values),
        )

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False  # no rows filled in: an empty list


class RowsField(forms.Field):
    """A list of short texts (the meeting's attendees), one per row; empty rows are left out."""

    widget = RowsWidget
    max_length = 200

    def to_python(self, value):
        return [str(entry).strip() for entry in (value or []) if str(entry).strip()]

    def validate(self, value):
        super().validate(value)
        if any(len(entry) > self.max_length for entry in value):
            raise ValidationError(_("Each entry has at most %(max)d characters.") % {"max": self.max_length})

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class MeetingForm(forms.ModelForm):
    attendees = RowsField(
        label=_("attendees"), required=False, help_text=_("The people present, one per row; add rows as needed.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out, the service numbers the meeting next and gives it to the province whose turn it is.
        for name in ("sequence_no", "host_province"):
            if name in self.fields:
                self.fields[name].required = False
        if "sequence_no" in self.fields:
            self.fields["sequence_no"].help_text = _("Empty: the next number.")
        if "host_province" in self.fields:
            self.fields["host_province"].help_text = _("Empty: the other province than last time.")

    class Meta:
        model = Meeting
        fields = (
            "sequence_no",
            "date",
            "host_province",
            "place",
            "attending_organizations",
            "attendees",
            "minutes",
            "minutes_file",
        )


class AgendaInline(TrackedInline):
    model = AgendaItem
    fields = ("position", "title", "presenter")
    service_field = "agenda"


@admin.register(Meeting)
class MeetingAdmin(TrackedAdmin):
    form = MeetingForm
    list_display = ("sequence_no", "date", "host_province", "place", "status")
    list_filter = ("status", "host_province")
    search_fields = ("place", "minutes")
    list_select_related = ("host_province",)
    filter_horizontal = ("attending_organizations",)
    inlines = [AgendaInline]
    actions = ["change_status", "build_review_pack"]
    save_service = staticmethod(services.meeting_save)
    delete_service = staticmethod(services.meeting_delete)
    lifecycle = MEETING_LIFECYCLE
    transition_service = staticmethod(services.meeting_transition)

    def has_change_permission(self, request, obj=None):
        # Approved minutes lock the record: the form is read-only (the service refuses too).
        return super().has_change_permission(request, obj) and not (obj is not None and obj.minutes_locked)

    @admin.action(description=_("Change the status of the selected meetings"))
    def change_status(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change the status"),
            choices=_choices(MeetingStatus, exclude=[MeetingStatus.PLANNED]),
            apply=lambda meeting, form: services.meeting_transition(
                actor=request.user, instance=meeting, to=form["to"], comment=form["comment"]
            ),
        )

    @admin.action(description=_("Build review packs for the selected meetings"))
    def build_review_pack(self, request, queryset):
        run_all_or_nothing(
            self,
            request,
            queryset,
            lambda meeting: services.review_pack_request(actor=request.user, meeting=meeting),
            _("Review packs are being built for %(count)d meeting(s); see “Review packs”."),
        )


@admin.register(Decision)
class DecisionAdmin(TrackedAdmin):
    list_display = ("meeting", "number", "title")
    list_filter = ("meeting",)
    search_fields = ("title", "text")
    list_select_related = ("meeting",)
    save_service = staticmethod(services.decision_save)
    delete_service = staticmethod(services.decision_delete)


class ActionUpdateInline(LogInline):
    model = ActionUpdate
    fields = ("time", "author", "from_status", "to_status", "text")


@admin.register(ActionItem)
class ActionItemAdmin(TrackedAdmin):
    list_display = ("title", "decision", "responsible_organization", "due_date", "status")
    list_filter = ("status", "responsible_organization")
    search_fields = ("title", "description")
    list_select_related = ("decision__meeting", "responsible_organization")
    date_hierarchy = "due_date"
    readonly_fields = (*TrackedAdmin.readonly_fields, "completed_on", "overdue_notified_at")
    inlines = [ActionUpdateInline]
    actions = ["change_status", "report_progress"]
    save_service = staticmethod(services.action_item_save)
    delete_service = staticmethod(services.action_item_delete)
    lifecycle = ACTION_LIFECYCLE
    transition_service = staticmethod(services.action_item_transition)
    transition_set_by_tracker = ACTION_SET_BY_THE_TRACKER

    @admin.action(description=_("Change the status of the selected follow-up actions"))
    def change_status(self, request, queryset):
        # Overdue is the tracker's to set (when the due date passes), never offered to a person.
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Change the status"),
            choices=_choices(ActionStatus, exclude=ACTION_SET_BY_THE_TRACKER),
            apply=lambda item, form: services.action_item_transition(
                actor=request.user, instance=item, to=form["to"], comment=form["comment"]
            ),
        )

    @admin.action(description=_("Add a progress note to the selected follow-up actions"))
    def report_progress(self, request, queryset):
        return confirm_with_comment(
            self,
            request,
            queryset,
            title=_("Add a progress note"),
            apply=lambda item, form: services.action_item_report(
                actor=request.user, instance=item, text=form["comment"]
            ),
        )


# --- Annual plans ----------------------------------------------------------------------------


class PlanTransitionInline(LogInline):
    model = PlanTransition
    fields = ("time", "from_status", "to_status", "meeting", "actor", "comment", "item_comments")


class PlanAmendmentInline(LogInline):
    model = PlanAmendment
    fields = ("revision", "reason", "opened_by", "created_at", "approved_at", "approved_meeting")


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting} ({meeting.date:%Y-%m-%d}, {meeting.get_status_display()})"


class ItemCommentsField(forms.CharField):
    """Comments per item, one line each: ``project code: comment``."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        comments = {}
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            code, colon, text = line.replace("：", ":").partition(":")
            if not colon or not code.strip():
                raise ValidationError(_("Write each line as “project code: comment”."))
            comments[code.strip()] = text.strip()
        return comments


def _meeting_field(plans):
    # The meetings still planned, and the held meeting that returned one of the plans (to submit
    # the reworked plan to it again), in a plan's year or the year before (the service's rule):
    # chosen by the user, never guessed.
    years = {year + shift for year in plans.values_list("year", flat=True) for shift in (-1, 0)}
    meetings = Meeting.objects.filter(
        Q(status=MeetingStatus.PLANNED)
        | Q(status=MeetingStatus.HELD, pk__in=plans.filter(status=PlanStatus.RETURNED).values("meeting")),
        date__year__in=years,
    ).order_by("date", "sequence_no")
    return MeetingChoiceField(queryset=meetings, label=_("Meeting"))


def _item_comments_field():
    return ItemCommentsField(
        label=_("Comments per item"), required=False, help_text=_("One line per item: project code: comment.")
    )


def _reason_field():
    # Not required here: the service says why a reason is needed, as it does to the API.
    return forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(AnnualPlan)
class AnnualPlanAdmin(TrackedAdmin):
    list_display = ("year", "__str__", "status", "meeting", "revision", "approved_at")
    list_filter = ("status",)
    readonly_fields = (*TrackedAdmin.readonly_fields, "meeting", "approved_at", "revision")
    inlines = [PlanTransitionInline, PlanAmendmentInline]
    actions = ["submit", "approve", "return_for_rework", "amend"]
    save_service = staticmethod(services.plan_save)
    delete_service = staticmethod(services.plan_delete)
    lifecycle = PLAN_LIFECYCLE
    transition_service = staticmethod(services.plan_transition)

    def transition_fields(self, request, obj, to):
        # The plan's own transition arguments, the same the actions ask for.
        if to == PlanStatus.SUBMITTED:
            return {"meeting": _meeting_field(AnnualPlan.objects.filter(pk=obj.pk))}
        if to == PlanStatus.RETURNED:
            return {"item_comments": _item_comments_field()}
        if to == PlanStatus.DRAFT:
            return {"reason": _reason_field()}
        return {}

    def has_change_permission(self, request, obj=None):
        # Submitted and approved plans are locked: the lifecycle decides, not the form.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    @admin.action(description=_("Submit the selected plans to a meeting"))
    def submit(self, request, queryset):
        # The meetings still planned, and the held meeting that returned a selected plan (to
        # submit the reworked plan to it again): chosen by the user, never guessed.
        return self.transition_selected(
            request,
            queryset,
            to=PlanStatus.SUBMITTED,
            title=_("Submit to a meeting"),
            extra_fields={"meeting": _meeting_field(queryset)},
        )

    @admin.action(description=_("Approve the selected plans"))
    def approve(self, request, queryset):
        return self.transition_selected(request, queryset, to=PlanStatus.APPROVED, title=_("Approve"))

    @admin.action(description=_("Return the selected plans for rework"))
    def return_for_rework(self, request, queryset):
        return self.transition_selected(
            request,
            queryset,
            to=PlanStatus.RETURNED,
            title=_("Return for rework"),
            extra_fields={"item_comments": _item_comments_field()},
        )

    @admin.action(description=_("Amend the selected approved plans (back to draft)"))
    def amend(self, request, queryset):
        return self.transition_selected(
            request, queryset, to=PlanStatus.DRAFT, title=_("Amend"), extra_fields={"reason": _reason_field()}
        )


class PlanFundingInline(TrackedInline):
    model = PlanItemFunding
    fields = ("source", "amount")
    service_field = "funding"


class PlanTargetInline(TrackedInline):
    model = PlanItemTarget
    fields = ("indicator", "target_value")
    service_field = "targets"

    def limit_choices(self, request, obj):
        # Annual targets only on what the project itself targets (services.check_targets decides).
        if obj is None:
            return {}
        return {"indicator": Indicator.objects.filter(targets__project=obj.project_id)}


class PlanMilestoneInline(TrackedInline):
    model = PlanMilestone
    fields = ("title", "due_date", "done_on")
    service_field = "milestones"


@admin.register(PlanItem)
class PlanItemAdmin(TrackedAdmin):
    list_display = ("plan", "project", "province", "planned_investment")
    list_filter = ("plan", "province")
    search_fields = ("project__code", "project__name_zh")
    list_select_related = ("plan", "project", "province")
    autocomplete_fields = ("project",)
    readonly_fields = (*TrackedAdmin.readonly_fields, "planned_investment", "review_comment")
    inlines = [PlanFundingInline, PlanTargetInline, PlanMilestoneInline]
    save_service = staticmethod(services.plan_item_save)
    delete_service = staticmethod(services.plan_item_delete)

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
    save_service = staticmethod(services.expert_save)
    delete_service = staticmethod(services.expert_delete)


@admin.register(ExpertReview)
class ExpertReviewAdmin(TrackedAdmin):
    """Requested by the joint office (expert, subject, question); answered by the expert (opinion)."""

    list_display = ("expert", "project", "plan", "status", "recommendation", "score")
    list_filter = ("status", "recommendation")
    list_select_related = ("expert", "project", "plan")
    readonly_fields = (*TrackedAdmin.readonly_fields, "submitted_at", "requested_by")
    actions = ["submit", "reopen"]
    save_service = staticmethod(services.review_save)
    delete_service = staticmethod(services.review_delete)
    lifecycle = REVIEW_LIFECYCLE
    transition_service = staticmethod(services.review_transition)

    def get_readonly_fields(self, request, obj=None):
        # The request is the joint office's, the opinion the expert's: each form shows the other read-only.
        others = (
            ("expert", "project", "plan", "question", "due_date") if obj else ("opinion", "recommendation", "score")
        )
        return [*super().get_readonly_fields(request, obj), *others]

    @admin.action(description=_("Submit the opinions of the selected reviews"))
    def submit(self, request, queryset):
        return self.transition_selected(request, queryset, to=ReviewStatus.SUBMITTED, title=_("Submit the opinion"))

    @admin.action(description=_("Reopen the selected reviews"))
    def reopen(self, request, queryset):
        return self.transition_selected(request, queryset, to=ReviewStatus.REQUESTED, title=_("Reopen"))


@admin.register(ReviewPack)
class ReviewPackAdmin(TrackedAdmin):
    list_display = ("meeting", "plan", "status", "as_of", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("meeting", "plan")
    readonly_fields = [field.name for field in ReviewPack._meta.fields]
    save_service = None  # packs are requested from their meeting (an action there) and built by a task
    delete_service = staticmethod(services.review_pack_delete)
    actions = ["build_again"]

    @admin.action(description=_("Build the selected packs' meetings a new pack"))
    def build_again(self, request, queryset):
        # A pack still in the works is reused; one left running past its deadline is marked failed.
        run_all_or_nothing(
            self,
            request,
            Meeting.objects.filter(review_packs__in=queryset).distinct(),
            lambda meeting: services.review_pack_request(actor=request.user, meeting=meeting),
            _("Review packs are being built for %(count)d meeting(s); see “Review packs”."),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CorridorTargetInline(TrackedInline):
    model = CorridorTarget
    fields = ("corridor", "indicator", "year", "target_value")
    service_field = "targets"


@admin.register(CorridorPlan)
class CorridorPlanAdmin(TrackedAdmin):
    list_display = ("title_zh", "start_year", "end_year", "approved_on")
    filter_horizontal = ("compiled_by",)
    inlines = [CorridorTargetInline]
    save_service = staticmethod(services.corridor_plan_save)
    delete_service = staticmethod(services.corridor_plan_delete)
