"""Representations of the joint conference: one serializer per resource, read and written alike.

References are ``…Ref`` fields (id, code, slug, or the brief object in; brief objects out; a meeting
also by its sequence number, a plan by its year), so what a client reads it can send back.
Serializers check the shape of the input only; ``projects.conference.services`` decides and writes.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from api.briefs import CorridorRef, FundingSourceRef, IndicatorRef, OrganizationRef, ProjectRef, ProvinceRef, UserRef
from api.conference.briefs import (
    CorridorPlanRef,
    DecisionRef,
    ExpertRef,
    InlineChoiceField,
    MeetingRef,
    ModelSerializer,
    PlanRef,
)
from api.fields import WAN_YUAN, AllowedTransitionsField, UnitsField, UploadField
from api.viewsets import transition_body
from projects.conference.choices import ActionStatus, MeetingStatus, MilestoneYear, PlanStatus, ReviewStatus
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
    AnnualPlan,
    CorridorPlan,
    CorridorTarget,
    Decision,
    Expert,
    ExpertReview,
    Meeting,
    PlanAmendment,
    PlanItem,
    PlanTransition,
    ReviewPack,
)

TRACKED = ["created_at", "updated_at", "version"]


class StoredFileField(UploadField):
    """A document: uploaded as a file (multipart), read as its URL. The URL (or null) sent back with
    the rest of a body read from the API leaves the stored document as it is."""

    def run_validation(self, data=serializers.empty):
        if data is None or isinstance(data, str):
            raise SkipField
        return super().run_validation(data)


class PeopleTransitionsField(AllowedTransitionsField):
    """The moves a person may make next (those only the tracker makes are left out)."""

    def to_representation(self, status) -> list[str]:
        return [s for s in super().to_representation(status) if s not in ACTION_SET_BY_THE_TRACKER]


def _transition_body(name, statuses, **fields):
    return transition_body(name, statuses, to=InlineChoiceField(choices=statuses.choices), **fields)


# --- Meetings, decisions and follow-up actions ---------------------------------------------------


class AgendaItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True, help_text="The order on the agenda (the order sent).")
    title = serializers.CharField(max_length=300)
    presenter = OrganizationRef(required=False, allow_null=True)


class MeetingSerializer(ModelSerializer):
    """A meeting with its attendance and agenda; ``transition`` moves it planned → held → minutes_approved."""

    sequence_no = serializers.IntegerField(min_value=1, required=False, help_text="Next in order when left out.")
    host_province = ProvinceRef(required=False, help_text="The other province than last time when left out.")
    attending_organizations = OrganizationRef(many=True, required=False)
    attendees = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    agenda = AgendaItemSerializer(many=True, required=False)
    minutes_file = StoredFileField(required=False)
    decisions = DecisionRef(many=True, read_only=True)
    allowed_transitions = AllowedTransitionsField(MEETING_LIFECYCLE)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "sequence_no",
            "date",
            "host_province",
            "place",
            "attending_organizations",
            "attendees",
            "agenda",
            "minutes",
            "minutes_file",
            "status",
            "status_changed_at",
            "allowed_transitions",
            "decisions",
            *TRACKED,
        ]
        read_only_fields = ["status", "status_changed_at"]


MeetingTransitionSerializer = _transition_body("MeetingTransitionSerializer", MeetingStatus)


class DecisionActionSerializer(ModelSerializer):
    responsible_organization = OrganizationRef(read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "title", "responsible_organization", "due_date", "status"]


class DecisionSerializer(ModelSerializer):
    """A decision of a held meeting, numbered within it, with its follow-up actions."""

    meeting = MeetingRef()
    number = serializers.IntegerField(min_value=1, required=False, help_text="Next in the meeting when left out.")
    actions = DecisionActionSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "meeting", "number", "title", "text", "actions", *TRACKED]
        # One number per meeting is checked by the service with the model (a 400).
        validators = []


class ActionItemSerializer(ModelSerializer):
    """A follow-up action; ``transition`` to done, dropped or back to open (overdue is the tracker's)."""

    decision = DecisionRef()
    meeting = MeetingRef(source="decision.meeting", read_only=True)
    responsible_organization = OrganizationRef()
    allowed_transitions = PeopleTransitionsField(ACTION_LIFECYCLE)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "decision",
            "meeting",
            "title",
            "description",
            "responsible_organization",
            "due_date",
            "status",
            "status_changed_at",
            "completed_on",
            "overdue_notified_at",
            "allowed_transitions",
            *TRACKED,
        ]
        read_only_fields = ["status", "status_changed_at", "completed_on", "overdue_notified_at"]


ActionTransitionSerializer = _transition_body("ActionTransitionSerializer", ActionStatus)


class ActionUpdateSerializer(ModelSerializer):
    author = UserRef(read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "time", "author", "text", "from_status", "to_status"]
        read_only_fields = ["time", "from_status", "to_status"]


class ActionReportSerializer(serializers.Serializer):
    """A progress note on a follow-up action."""

    text = serializers.CharField(max_length=5000, help_text="What has been done.")


# --- Annual plans ----------------------------------------------------------------------------


class PlanItemFundingSerializer(serializers.Serializer):
    source = FundingSourceRef()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, help_text="10,000 CNY (万元)")


class PlanItemTargetSerializer(serializers.Serializer):
    indicator = IndicatorRef()
    target_value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)


class PlanMilestoneSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    done_on = serializers.DateField(required=False, allow_null=True)


class BriefReviewSerializer(ModelSerializer):
    expert = ExpertRef(read_only=True)

    class Meta:
        model = ExpertReview
        fields = ["id", "expert", "status", "recommendation", "score", "opinion", "submitted_at"]


class PlanItemSerializer(ModelSerializer):
    """One project in a year's plan with its funding, annual targets and milestones."""

    units = UnitsField({"planned_investment": WAN_YUAN, "funding.amount": WAN_YUAN})
    plan = PlanRef()
    project = ProjectRef()
    province = ProvinceRef(required=False, help_text="The drafting staff's province when left out.")
    funding = PlanItemFundingSerializer(many=True, required=False)
    targets = PlanItemTargetSerializer(many=True, required=False)
    milestones = PlanMilestoneSerializer(many=True, required=False)
    expert_reviews = BriefReviewSerializer(source="project.visible_reviews", many=True, read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "project",
            "province",
            "description",
            "planned_investment",
            "funding",
            "targets",
            "milestones",
            "review_comment",
            "expert_reviews",
            *TRACKED,
            "units",
        ]
        read_only_fields = ["planned_investment", "review_comment"]
        # One item per project and plan is checked by the service (a 400 on the project).
        validators = []


class MilestoneDoneSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    done_on = serializers.DateField(allow_null=True)


class PlanAmendmentSerializer(ModelSerializer):
    opened_by = UserRef(read_only=True)
    approved_meeting = MeetingRef(read_only=True)

    class Meta:
        model = PlanAmendment
        fields = ["revision", "reason", "opened_by", "created_at", "approved_at", "approved_meeting", "baseline"]


class PlanTransitionRecordSerializer(ModelSerializer):
    actor = UserRef(read_only=True)
    meeting = MeetingRef(read_only=True)

    class Meta:
        model = PlanTransition
        fields = ["from_status", "to_status", "meeting", "actor", "time", "comment", "item_comments"]


class AnnualPlanSerializer(ModelSerializer):
    """A year's plan; ``transition`` submits it to a meeting, approves, returns or amends it."""

    units = UnitsField({"planned_investment": WAN_YUAN})
    display_title = serializers.CharField(read_only=True, label=_("Title"))
    meeting = MeetingRef(read_only=True, help_text="The meeting it was last submitted to.")
    item_count = serializers.IntegerField(read_only=True, label=_("Number of items"))
    planned_investment = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, allow_null=True, label=_("Planned investment (10,000 CNY)")
    )
    expert_reviews = BriefReviewSerializer(source="visible_reviews", many=True, read_only=True)
    amendments = PlanAmendmentSerializer(many=True, read_only=True)
    transitions = PlanTransitionRecordSerializer(many=True, read_only=True)
    allowed_transitions = AllowedTransitionsField(PLAN_LIFECYCLE)

    class Meta:
        model = AnnualPlan
        fields = [
            "id",
            "year",
            "title",
            "display_title",
            "notes",
            "status",
            "status_changed_at",
            "allowed_transitions",
            "meeting",
            "approved_at",
            "revision",
            "item_count",
            "planned_investment",
            "expert_reviews",
            "amendments",
            "transitions",
            *TRACKED,
            "units",
        ]
        read_only_fields = ["status", "status_changed_at", "approved_at", "revision"]


PlanTransitionSerializer = _transition_body(
    "PlanTransitionSerializer",
    PlanStatus,
    meeting=MeetingRef(required=False, allow_null=True, help_text="To submit: the meeting (id or sequence number)."),
    item_comments=serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="To return: comments per item, keyed by item id or project code.",
    ),
    reason=serializers.CharField(
        required=False, allow_blank=True, default="", help_text="To amend an approved plan (to draft): why."
    ),
)


# --- Experts -------------------------------------------------------------------------------


class ExpertSerializer(ModelSerializer):
    province = ProvinceRef(required=False, allow_null=True)
    user = UserRef(required=False, allow_null=True, help_text="The account the expert signs in with (role: expert).")

    class Meta:
        model = Expert
        fields = ["id", "name", "field", "affiliation", "province", "term_start", "term_end", "user", *TRACKED]


class ExpertReviewSerializer(ModelSerializer):
    """A review the joint office asks of an expert (of one project or one plan) and the expert's opinion."""

    expert = ExpertRef()
    project = ProjectRef(required=False, allow_null=True)
    plan = PlanRef(required=False, allow_null=True)
    requested_by = UserRef(read_only=True)
    allowed_transitions = AllowedTransitionsField(REVIEW_LIFECYCLE)

    class Meta:
        model = ExpertReview
        fields = [
            "id",
            "expert",
            "project",
            "plan",
            "question",
            "due_date",
            "requested_by",
            "status",
            "allowed_transitions",
            "opinion",
            "recommendation",
            "score",
            "submitted_at",
            *TRACKED,
        ]
        read_only_fields = ["status", "submitted_at"]


ReviewTransitionSerializer = _transition_body("ReviewTransitionSerializer", ReviewStatus)


# --- Review packs ------------------------------------------------------------------------


class ReviewPackSerializer(ModelSerializer):
    meeting = MeetingRef(read_only=True)
    plan = PlanRef(read_only=True)
    requested_by = UserRef(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="reviewpack-detail", label=_("Link"))
    xlsx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ReviewPack
        fields = [
            "id",
            "url",
            "meeting",
            "plan",
            "status",
            "as_of",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "xlsx_url",
            "pdf_url",
            "updated_at",
            "version",
        ]

    def _download(self, pack, kind) -> str | None:
        if not getattr(pack, kind):
            return None
        return self.context["request"].build_absolute_uri(reverse(f"reviewpack-{kind}", args=[pack.pk]))

    def get_xlsx_url(self, pack) -> str | None:
        return self._download(pack, "xlsx")

    def get_pdf_url(self, pack) -> str | None:
        return self._download(pack, "pdf")


class ReviewPackRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)


# --- The corridor plan ---------------------------------------------------------------------


class CorridorTargetSerializer(ModelSerializer):
    plan = CorridorPlanRef()
    corridor = CorridorRef()
    indicator = IndicatorRef()

    class Meta:
        model = CorridorTarget
        fields = ["id", "plan", "corridor", "indicator", "year", "target_value", *TRACKED]
        # One target per corridor, indicator and year is checked by the service with the model.
        validators = []


class CorridorPlanTargetSerializer(serializers.Serializer):
    """A target row inside its corridor plan."""

    id = serializers.UUIDField(read_only=True)
    corridor = CorridorRef()
    indicator = IndicatorRef()
    year = InlineChoiceField(choices=MilestoneYear.choices)
    target_value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)


class CorridorPlanSerializer(ModelSerializer):
    compiled_by = OrganizationRef(many=True, required=False)
    document = StoredFileField(required=False)
    targets = CorridorPlanTargetSerializer(many=True, required=False)

    class Meta:
        model = CorridorPlan
        fields = [
            "id",
            "slug",
            "title_zh",
            "title_en",
            "start_year",
            "end_year",
            "compiled_by",
            "approved_on",
            "document",
            "description",
            "targets",
            *TRACKED,
        ]
