from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.core.serializers import (
    BriefCorridorSerializer,
    BriefDivisionSerializer,
    BriefKeyAreaSerializer,
    BriefOrganizationSerializer,
)
from projects.core.models import Corridor, Division, KeyArea, Organization
from projects.restoration.choices import AttachmentKind, ProjectStatus
from projects.restoration.models import (
    EcosystemElement,
    FundingSource,
    Indicator,
    MeasureType,
    ProgressReport,
    Project,
    ReportAttachment,
)

# --- catalogues ---


class EcosystemElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcosystemElement
        fields = ["id", "code", "name_zh", "name_en", "sort_order"]


class MeasureTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureType
        fields = ["id", "code", "name_zh", "name_en", "description", "is_active", "updated_at", "version"]


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name_zh", "name_en", "sort_order", "updated_at", "version"]


class IndicatorSerializer(serializers.ModelSerializer):
    element = serializers.SlugRelatedField(
        slug_field="code", queryset=EcosystemElement.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "unit",
            "aggregation",
            "element",
            "description",
            "updated_at",
            "version",
        ]


# --- projects ---


class FundingShareSerializer(serializers.Serializer):
    source = serializers.SlugRelatedField(slug_field="code", queryset=FundingSource.objects.all())
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class TargetSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    target_value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)


class LatestProgressSerializer(serializers.Serializer):
    period = serializers.CharField(source="latest_period")
    percent_complete = serializers.DecimalField(source="latest_percent_complete", max_digits=5, decimal_places=2)
    cumulative_investment = serializers.DecimalField(
        source="latest_cumulative_investment", max_digits=16, decimal_places=2
    )


class ProjectSerializer(serializers.ModelSerializer):
    """A project as read: related records in brief, derived facts, latest progress."""

    corridors = BriefCorridorSerializer(many=True, read_only=True)
    key_areas = BriefKeyAreaSerializer(many=True, read_only=True)
    divisions = BriefDivisionSerializer(many=True, read_only=True)
    elements = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    measures = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    lead_organization = BriefOrganizationSerializer(read_only=True)
    partner_organizations = BriefOrganizationSerializer(many=True, read_only=True)
    provinces = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    funding = FundingShareSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    geometry = GeometryField(read_only=True, allow_null=True)
    latest_progress = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "description",
            "status",
            "status_changed_at",
            "corridors",
            "key_areas",
            "divisions",
            "geometry",
            "elements",
            "measures",
            "bank",
            "reach",
            "lead_organization",
            "partner_organizations",
            "provinces",
            "is_cross_regional",
            "is_national_major",
            "planned_start",
            "planned_end",
            "total_budget",
            "funding",
            "targets",
            "reporting_period",
            "latest_progress",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_latest_progress(self, project) -> LatestProgressSerializer(allow_null=True):
        if getattr(project, "latest_period", None) is None:
            return None
        return LatestProgressSerializer(project).data


class ProjectWriteSerializer(serializers.ModelSerializer):
    """What a client sends: related records by slug or code, money as decimals."""

    corridors = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Corridor.objects.all(), required=False
    )
    key_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=KeyArea.objects.all(), required=False
    )
    divisions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Division.objects.all(), required=False
    )
    elements = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=EcosystemElement.objects.all(), required=False
    )
    measures = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=MeasureType.objects.all(), required=False
    )
    lead_organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    partner_organizations = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Organization.objects.all(), required=False
    )
    funding = FundingShareSerializer(many=True, required=False)
    targets = TargetSerializer(many=True, required=False)
    geometry = GeometryField(required=False, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "code",
            "name_zh",
            "name_en",
            "description",
            "corridors",
            "key_areas",
            "divisions",
            "geometry",
            "elements",
            "measures",
            "bank",
            "reach",
            "lead_organization",
            "partner_organizations",
            "is_national_major",
            "planned_start",
            "planned_end",
            "total_budget",
            "funding",
            "targets",
            "reporting_period",
        ]

    def to_domain(self) -> dict:
        data = dict(self.validated_data)
        if "funding" in data:
            data["funding"] = [(row["source"], row["amount"]) for row in data["funding"]]
        if "targets" in data:
            data["targets"] = [(row["indicator"], row["target_value"]) for row in data["targets"]]
        return data


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ProjectStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- progress reports ---


class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    value = serializers.DecimalField(max_digits=16, decimal_places=3)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportAttachment
        fields = ["id", "kind", "title", "file", "size", "created_at"]
        read_only_fields = ["size", "created_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField()


class BriefProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name_zh", "name_en", "status"]


class ProgressReportSerializer(serializers.ModelSerializer):
    project = BriefProjectSerializer(read_only=True)
    values = IndicatorValueSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "narrative",
            "percent_complete",
            "cumulative_investment",
            "values",
            "attachments",
            "status",
            "reported_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "created_at",
            "updated_at",
            "version",
        ]


class ProgressReportWriteSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    values = IndicatorValueSerializer(many=True, required=False)

    class Meta:
        model = ProgressReport
        fields = ["project", "period", "narrative", "percent_complete", "cumulative_investment", "values"]
        # One report per project and period is checked by the service (a 400 on the period).
        validators = []

    def to_domain(self) -> dict:
        data = dict(self.validated_data)
        if "values" in data:
            data["values"] = [(row["indicator"], row["value"]) for row in data["values"]]
        return data


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TargetProgressSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=16, decimal_places=3)
    achieved = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True)
    percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class LatestReportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    period = serializers.CharField()
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2)
    cumulative_investment = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField()


class ProjectProgressSerializer(serializers.Serializer):
    latest_report = LatestReportSerializer(allow_null=True)
    targets = TargetProgressSerializer(many=True)
    overdue_periods = serializers.ListField(child=serializers.CharField())
