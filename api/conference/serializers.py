"""Representations of the joint conference: related records briefly, written by code or id.

Serializers only check the shape of the input; the services in ``projects.conference.services``
decide and write.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.briefs import BriefOrganizationSerializer, BriefProvinceSerializer
from projects.conference.choices import ActionStatus, MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.lifecycle import ACTION_LIFECYCLE, MEETING_LIFECYCLE, PLAN_LIFECYCLE, REVIEW_LIFECYCLE
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
from projects.core.models import Corridor, Organization, Province, User
from projects.restoration.models import FundingSource, Indicator, Project


class InlineChoiceField(serializers.ChoiceField):
    """A choice field documented with its values in place, not as a shared enum component.

    Several apps have fields named ``status`` or ``to`` with different choices; shared components
    would collide by name (drf-spectacular W001).
    """


class InlineChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = InlineChoiceField

    def map_serializer_field(self, auto_schema, direction):
        values = list(self.target.choices)
        if self.target.allow_blank:
            values.append("")
        kind = "integer" if values and all(isinstance(v, int) for v in values) else "string"
        # Wrapped in allOf so the enum post-processing leaves it in place instead of naming a component.
        return {"type": kind, "allOf": [{"enum": values}]}


class ModelSerializer(serializers.ModelSerializer):
    serializer_choice_field = InlineChoiceField


class _BriefRelatedField(serializers.SlugRelatedField):
    """Written as a code or slug, read as a brief object."""

    brief = None

    def to_representation(self, obj):
        return self.brief(obj).data


@extend_schema_field(BriefProvinceSerializer)
class ProvinceField(_BriefRelatedField):
    brief = BriefProvinceSerializer

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Province.objects.all(), **kwargs)


@extend_schema_field(BriefOrganizationSerializer)
class OrganizationField(_BriefRelatedField):
    brief = BriefOrganizationSerializer

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Organization.objects.all(), **kwargs)


class PlanProjectSerializer(ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name_zh", "name_en", "status"]


class BriefMeetingSerializer(ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "sequence_no", "date", "status"]


class BriefPlanSerializer(ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)

    class Meta:
        model = AnnualPlan
        fields = ["id", "year", "title", "status"]


class BriefExpertSerializer(ModelSerializer):
    class Meta:
        model = Expert
        fields = ["id", "name", "field", "affiliation"]


class AllowedTransitionsMixin(serializers.Serializer):
    allowed_transitions = serializers.SerializerMethodField()
    lifecycle = None

    def get_allowed_transitions(self, obj) -> list[str]:
        return list(self.lifecycle.allowed_from(obj.status))


class MeetingTransitionSerializer(serializers.Serializer):
    to = InlineChoiceField(choices=MeetingStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- Meetings ------------------------------------------------------------------------------


class AgendaItemSerializer(ModelSerializer):
    presenter = OrganizationField(required=False, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["position", "title", "presenter"]
        read_only_fields = ["position"]


class BriefDecisionSerializer(ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "number", "title"]


class MeetingSerializer(AllowedTransitionsMixin, ModelSerializer):
    lifecycle = MEETING_LIFECYCLE
    sequence_no = serializers.IntegerField(min_value=1, required=False)
    host_province = ProvinceField(required=False)
    attending_organizations = OrganizationField(many=True, required=False)
    attendees = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    agenda = AgendaItemSerializer(many=True, required=False)
    decisions = BriefDecisionSerializer(many=True, read_only=True)

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
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["status", "status_changed_at"]


class DecisionActionSerializer(ModelSerializer):
    responsible_organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "title", "responsible_organization", "due_date", "status"]


class DecisionSerializer(ModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())
    meeting_detail = BriefMeetingSerializer(source="meeting", read_only=True)
    number = serializers.IntegerField(min_value=1, required=False)
    actions = DecisionActionSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "meeting", "meeting_detail", "number", "title", "text", "actions", "updated_at", "version"]
        # The number is optional (next in the meeting); the service checks uniqueness with the model.
        validators = []


class ActionItemSerializer(AllowedTransitionsMixin, ModelSerializer):
    lifecycle = ACTION_LIFECYCLE
    decision = serializers.PrimaryKeyRelatedField(queryset=Decision.objects.all())
    decision_detail = BriefDecisionSerializer(source="decision", read_only=True)
    meeting = BriefMeetingSerializer(source="decision.meeting", read_only=True)
    responsible_organization = OrganizationField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "decision",
            "decision_detail",
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
            "updated_at",
            "version",
        ]
        read_only_fields = ["status", "status_changed_at", "completed_on", "overdue_notified_at"]

    def get_allowed_transitions(self, obj) -> list[str]:
        # Overdue is the tracker's to set, never a person's.
        return [s for s in super().get_allowed_transitions(obj) if s != ActionStatus.OVERDUE]


class ActionUpdateSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "time", "author", "text", "from_status", "to_status"]
        read_only_fields = ["time", "author", "from_status", "to_status"]


class ActionTransitionSerializer(serializers.Serializer):
    to = InlineChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Annual plans ------------------------------------------------------------------------


class PlanItemFundingSerializer(ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", queryset=FundingSource.objects.all())

    class Meta:
        model = PlanItemFunding
        fields = ["source", "amount"]


class PlanItemTargetSerializer(ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    unit = serializers.CharField(source="indicator.unit", read_only=True)

    class Meta:
        model = PlanItemTarget
        fields = ["indicator", "unit", "target_value"]


class PlanMilestoneSerializer(ModelSerializer):
    class Meta:
        model = PlanMilestone
        fields = ["title", "due_date", "done_on"]


class BriefReviewSerializer(ModelSerializer):
    expert = BriefExpertSerializer(read_only=True)

    class Meta:
        model = ExpertReview
        fields = ["id", "expert", "status", "recommendation", "score", "opinion", "submitted_at"]


class PlanItemSerializer(ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=AnnualPlan.objects.all())
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    project_detail = PlanProjectSerializer(source="project", read_only=True)
    province = ProvinceField(required=False)
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
            "project_detail",
            "province",
            "description",
            "planned_investment",
            "funding",
            "targets",
            "milestones",
            "review_comment",
            "expert_reviews",
            "updated_at",
            "version",
        ]
        read_only_fields = ["planned_investment", "review_comment"]


class MilestoneDoneSerializer(serializers.Serializer):
    title = serializers.CharField()
    done_on = serializers.DateField(allow_null=True)


class PlanAmendmentSerializer(ModelSerializer):
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PlanAmendment
        fields = ["revision", "reason", "opened_by", "created_at", "approved_at", "approved_meeting", "baseline"]


class PlanTransitionRecordSerializer(ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PlanTransition
        fields = ["from_status", "to_status", "meeting", "actor", "time", "comment", "item_comments"]


class AnnualPlanSerializer(AllowedTransitionsMixin, ModelSerializer):
    lifecycle = PLAN_LIFECYCLE
    display_title = serializers.CharField(read_only=True)
    meeting = BriefMeetingSerializer(read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    planned_investment = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    expert_reviews = BriefReviewSerializer(source="visible_reviews", many=True, read_only=True)
    amendments = PlanAmendmentSerializer(many=True, read_only=True)
    transitions = PlanTransitionRecordSerializer(many=True, read_only=True)

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
            "updated_at",
            "version",
        ]
        read_only_fields = ["status", "status_changed_at", "approved_at", "revision"]


class PlanTransitionSerializer(serializers.Serializer):
    to = InlineChoiceField(choices=PlanStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False, allow_null=True)
    item_comments = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Experts -------------------------------------------------------------------------------


class ExpertSerializer(ModelSerializer):
    province = ProvinceField(required=False, allow_null=True)
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "field",
            "affiliation",
            "province",
            "term_start",
            "term_end",
            "user",
            "updated_at",
            "version",
        ]


class ExpertReviewSerializer(AllowedTransitionsMixin, ModelSerializer):
    lifecycle = REVIEW_LIFECYCLE
    expert = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all())
    expert_detail = BriefExpertSerializer(source="expert", read_only=True)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all(), required=False, allow_null=True)
    project_detail = PlanProjectSerializer(source="project", read_only=True)
    plan = serializers.PrimaryKeyRelatedField(queryset=AnnualPlan.objects.all(), required=False, allow_null=True)
    plan_detail = BriefPlanSerializer(source="plan", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ExpertReview
        fields = [
            "id",
            "expert",
            "expert_detail",
            "project",
            "project_detail",
            "plan",
            "plan_detail",
            "question",
            "due_date",
            "requested_by",
            "status",
            "allowed_transitions",
            "opinion",
            "recommendation",
            "score",
            "submitted_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["status", "submitted_at"]


class ReviewTransitionSerializer(serializers.Serializer):
    to = InlineChoiceField(choices=ReviewStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- Review packs ------------------------------------------------------------------------


class ReviewPackSerializer(ModelSerializer):
    meeting = BriefMeetingSerializer(read_only=True)
    plan = BriefPlanSerializer(read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="reviewpack-detail")
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
        ]

    def _download(self, pack, kind) -> str | None:
        if not getattr(pack, kind):
            return None
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(reverse(f"reviewpack-{kind}", args=[pack.pk]))

    def get_xlsx_url(self, pack) -> str | None:
        return self._download(pack, "xlsx")

    def get_pdf_url(self, pack) -> str | None:
        return self._download(pack, "pdf")


class ReviewPackRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)


# --- The corridor plan ---------------------------------------------------------------------


class CorridorTargetSerializer(ModelSerializer):
    corridor = serializers.SlugRelatedField(slug_field="slug", queryset=Corridor.objects.all())
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    plan = serializers.PrimaryKeyRelatedField(queryset=CorridorPlan.objects.all())

    class Meta:
        model = CorridorTarget
        fields = ["id", "plan", "corridor", "indicator", "year", "target_value", "updated_at", "version"]


class CorridorPlanSerializer(ModelSerializer):
    compiled_by = OrganizationField(many=True, required=False)
    targets = CorridorTargetSerializer(many=True, read_only=True)

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
            "updated_at",
            "version",
        ]
