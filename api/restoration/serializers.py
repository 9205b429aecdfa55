"""Representations of the restoration records: one serializer per resource, read and written alike.

References are ``…Ref`` fields (id, code or slug in; brief objects out), so what a client reads it
can send back. Serializers check the shape of the input only; ``projects.restoration.services``
decides and writes.
"""

from decimal import ROUND_HALF_UP

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.briefs import (
    CorridorRef,
    DivisionRef,
    ElementRef,
    FundingSourceRef,
    IndicatorRef,
    KeyAreaRef,
    MeasureRef,
    OrganizationRef,
    ProjectRef,
    ProvinceRef,
    UserRef,
)
from api.fields import WAN_YUAN, YUAN, AllowedTransitionsField, UnitsField, UploadField, wan_yuan
from projects.restoration.choices import AttachmentKind
from projects.restoration.lifecycle import PARTICIPATION_LIFECYCLE, PROJECT_LIFECYCLE, REPORT_LIFECYCLE
from projects.restoration.models import (
    EcosystemElement,
    FundingSource,
    Indicator,
    MeasureType,
    ParticipationRequest,
    ProgressReport,
    Project,
    ReportAttachment,
    ShorelineSegment,
)

TRACKED = ["created_at", "updated_at", "version"]


# --- catalogues ---


class EcosystemElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcosystemElement
        fields = ["id", "code", "name_zh", "name_en", "sort_order", *TRACKED]


class MeasureTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureType
        fields = ["id", "code", "name_zh", "name_en", "description", "is_active", *TRACKED]


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name_zh", "name_en", "sort_order", *TRACKED]


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator and how its figures add up: over time (``aggregation``), across projects
    (``combination``, ``weight``), and, for a derived one, from its ``components``."""

    element = ElementRef(allow_null=True, required=False)
    components = IndicatorRef(
        many=True,
        required=False,
        help_text="A derived indicator is not reported: a project's figure is the sum of these, in its unit.",
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
            "combination",
            "weight",
            "components",
            "element",
            "description",
            *TRACKED,
        ]


# --- projects ---


class FundingShareSerializer(serializers.Serializer):
    source = FundingSourceRef()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, help_text="万元 (10,000 CNY)")


class FundAllocationBriefSerializer(serializers.Serializer):
    """A payment out of the compensation fund to the project: stored in 元, shown in 万元 exactly too."""

    id = serializers.UUIDField()
    fund = serializers.CharField(source="fund.code", help_text="The fund's code")
    allocated_on = serializers.DateField()
    amount_yuan = serializers.IntegerField(source="amount", help_text="元 (CNY), a whole number")
    amount_wan_yuan = serializers.SerializerMethodField(help_text="万元: 元 ÷ 10,000, exact (four decimals)")
    purpose = serializers.CharField()

    def get_amount_wan_yuan(self, allocation) -> str:
        return wan_yuan(allocation.amount)


class TargetSerializer(serializers.Serializer):
    indicator = IndicatorRef()
    target_value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)


class LatestProgressSerializer(serializers.Serializer):
    period = serializers.CharField(source="latest_period")
    percent_complete = serializers.DecimalField(source="latest_percent_complete", max_digits=5, decimal_places=2)
    cumulative_investment = serializers.DecimalField(
        source="latest_cumulative_investment", max_digits=16, decimal_places=2, help_text="万元 (10,000 CNY)"
    )


class FundAllocationsSerializer(serializers.Serializer):
    total_yuan = serializers.IntegerField(help_text="元 (CNY)")
    total_wan_yuan = serializers.CharField(help_text="万元, exact (four decimals)")
    planned_wan_yuan = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="万元: the project's planned share from the compensation fund (funding source compensation-fund)",
    )
    allocations = FundAllocationBriefSerializer(many=True)


COMPENSATION_FUND = "compensation-fund"  # the funding source the fund's payments belong to
PROJECT_UNITS = {
    "total_budget": WAN_YUAN,
    "funding.amount": WAN_YUAN,
    "fund_allocations.total_yuan": YUAN,
    "fund_allocations.total_wan_yuan": WAN_YUAN,
    "fund_allocations.planned_wan_yuan": WAN_YUAN,
    "fund_allocations.allocations.amount_yuan": YUAN,
    "fund_allocations.allocations.amount_wan_yuan": WAN_YUAN,
    "latest_progress.cumulative_investment": WAN_YUAN,
}
REPORT_UNITS = {"cumulative_investment": WAN_YUAN, "investment.amount": WAN_YUAN}


PROJECT_EXAMPLE = {
    "code": "CQ-2025-0012",
    "name_zh": "长江重庆主城段岸线生态修复",
    "name_en": "Yangtze shoreline restoration, central Chongqing",
    "corridors": ["yangtze"],
    "divisions": ["500103"],
    "elements": ["water", "forest"],
    "measures": ["shoreline-restoration", "buffer-zone"],
    "bank": "right",
    "reach": "midstream",
    "lead_organization": "cq-planning-natural-resources",
    "partner_organizations": ["cq-forestry"],
    "planned_start": "2025-03-01",
    "planned_end": "2027-12-31",
    "total_budget": "8600.00",
    "funding": [{"source": "central", "amount": "5000.00"}, {"source": "municipal", "amount": "3600.00"}],
    "targets": [{"indicator": "shoreline-restored", "target_value": "6.500"}],
    "geometry": {
        "type": "LineString",
        "coordinates": [[106.5504, 29.5541], [106.5721, 29.5583], [106.5897, 29.5652]],
    },
}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A Chongqing shoreline project",
            value=PROJECT_EXAMPLE,
            request_only=True,
            description="References by code or slug; geometry in WGS 84 along the Yangtze in central Chongqing.",
        )
    ]
)
class ProjectSerializer(serializers.ModelSerializer):
    """A project: related records in brief, derived facts and the latest progress."""

    corridors = CorridorRef(many=True, required=False)
    key_areas = KeyAreaRef(many=True, required=False)
    divisions = DivisionRef(many=True, required=False)
    geometry = GeometryField(required=False, allow_null=True)
    elements = ElementRef(many=True, required=False)
    measures = MeasureRef(many=True, required=False)
    lead_organization = OrganizationRef()
    partner_organizations = OrganizationRef(many=True, required=False)
    provinces = ProvinceRef(many=True, read_only=True)
    funding = FundingShareSerializer(many=True, required=False)
    targets = TargetSerializer(many=True, required=False)
    allowed_transitions = AllowedTransitionsField(PROJECT_LIFECYCLE)
    latest_progress = serializers.SerializerMethodField()
    fund_allocations = serializers.SerializerMethodField()
    units = UnitsField(PROJECT_UNITS)

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
            "allowed_transitions",
            "corridors",
            "key_areas",
            "divisions",
            "geometry",
            "extent_length_km",
            "extent_area_ha",
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
            "fund_allocations",
            "units",
            "targets",
            "reporting_period",
            "latest_progress",
            *TRACKED,
        ]
        read_only_fields = ["status", "status_changed_at", "is_cross_regional", "extent_length_km", "extent_area_ha"]
        extra_kwargs = {"total_budget": {"help_text": "万元 (10,000 CNY)"}}

    def get_latest_progress(self, project) -> LatestProgressSerializer(allow_null=True):
        if getattr(project, "latest_period", None) is None:
            return None
        return LatestProgressSerializer(project).data

    def get_fund_allocations(self, project) -> FundAllocationsSerializer:
        """Payments out of the compensation fund to the project (元, and exactly in 万元)."""
        allocations = list(project.fund_allocations.all())
        total = sum(allocation.amount for allocation in allocations)
        shares = project.funding.all()
        planned = next((share.amount for share in shares if share.source.code == COMPENSATION_FUND), None)
        return FundAllocationsSerializer(
            {
                "total_yuan": total,
                "total_wan_yuan": wan_yuan(total),
                "planned_wan_yuan": planned,
                "allocations": allocations,
            }
        ).data


class ParticipationRequestSerializer(serializers.ModelSerializer):
    """Ask that an organization join, leave or take the lead of a project; the other side decides."""

    project = ProjectRef()
    organization = OrganizationRef()
    requested_by = UserRef(read_only=True)
    decided_by = UserRef(read_only=True)
    requesting_province = ProvinceRef(read_only=True)
    deciding_province = ProvinceRef(read_only=True)
    allowed_transitions = AllowedTransitionsField(PARTICIPATION_LIFECYCLE)

    class Meta:
        model = ParticipationRequest
        fields = [
            "id",
            "project",
            "kind",
            "organization",
            "comment",
            "status",
            "status_changed_at",
            "allowed_transitions",
            "requested_by",
            "requesting_province",
            "deciding_province",
            "decided_by",
            "decision_comment",
            *TRACKED,
        ]
        read_only_fields = ["status", "status_changed_at", "decision_comment"]
        validators = []  # one pending request per change: checked by the model inside the service


class ShorelineSegmentSerializer(serializers.ModelSerializer):
    """A surveyed stretch of a corridor's bank; its length is measured from the line."""

    corridor = CorridorRef()
    province = ProvinceRef(help_text="The responsible province (GB/T 2260 code), one the corridor runs through.")
    geometry = GeometryField(help_text="A LineString in WGS 84.")
    project = ProjectRef(allow_null=True, required=False)

    class Meta:
        model = ShorelineSegment
        fields = [
            "id",
            "corridor",
            "province",
            "bank",
            "state",
            "geometry",
            "length_m",
            "project",
            "surveyed_on",
            "description",
            *TRACKED,
        ]
        read_only_fields = ["length_m"]


# --- progress reports ---


class InvestmentShareSerializer(serializers.Serializer):
    source = FundingSourceRef()
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text="万元 (10,000 CNY), cumulative: invested from this source since the project began",
    )


class IndicatorValueSerializer(serializers.Serializer):
    indicator = IndicatorRef()
    value = serializers.DecimalField(max_digits=16, decimal_places=3)


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = UserRef(read_only=True)

    class Meta:
        model = ReportAttachment
        fields = ["id", "kind", "title", "file", "size", "uploaded_by", "created_at"]
        read_only_fields = ["file", "size", "created_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    file = UploadField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A monthly report on a Sichuan project",
            request_only=True,
            value={
                "project": "SC-2024-0003",
                "period": "2025-06",
                "narrative": "岷江乐山段完成岸坡整治1.2公里，种植护岸林3.5公顷。",
                "percent_complete": "42.50",
                "cumulative_investment": "2310.00",
                "values": [{"indicator": "forest-restored-area", "value": "3.500"}],
            },
        )
    ]
)
class ProgressReportSerializer(serializers.ModelSerializer):
    """A progress report: written as drafted; submitted, accepted and returned by ``transition``."""

    project = ProjectRef()
    investment = InvestmentShareSerializer(
        many=True,
        required=False,
        help_text="Cumulative investment per funding source; the total is their sum (sent alone, it becomes it).",
    )
    values = IndicatorValueSerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)
    units = UnitsField(REPORT_UNITS)
    reported_by = UserRef(read_only=True)
    reviewed_by = UserRef(read_only=True)
    allowed_transitions = AllowedTransitionsField(REPORT_LIFECYCLE)

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
            "investment",
            "correction_reason",
            "units",
            "values",
            "attachments",
            "status",
            "allowed_transitions",
            "reported_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            *TRACKED,
        ]
        read_only_fields = ["status", "submitted_at", "reviewed_at", "review_comment"]
        # The total may come from the parts per funding source (the service adds them up).
        extra_kwargs = {"cumulative_investment": {"required": False}}
        # One report per project and period is checked by the service (a 400 on the period).
        validators = []


class TargetProgressSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=16, decimal_places=3)
    achieved = serializers.DecimalField(
        max_digits=40,
        decimal_places=3,
        allow_null=True,
        rounding=ROUND_HALF_UP,
        help_text="Added up over the reports as the indicator says; a derived one from its components. "
        "Rounded half up for display.",
    )
    percent = serializers.DecimalField(max_digits=40, decimal_places=1, allow_null=True, rounding=ROUND_HALF_UP)
    derived_from = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the indicators a derived one adds up (else empty)."
    )


class LatestReportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    period = serializers.CharField()
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2)
    cumulative_investment = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="万元 (10,000 CNY)")
    status = serializers.CharField()


class ProjectProgressSerializer(serializers.Serializer):
    latest_report = LatestReportSerializer(allow_null=True)
    units = UnitsField({"latest_report.cumulative_investment": WAN_YUAN})
    targets = TargetProgressSerializer(many=True)
    overdue_periods = serializers.ListField(child=serializers.CharField())


# --- figures (read only: described for the schema) ---

FIGURE = "A figure as text, rounded half up to 3 decimals once computed exactly; null when there is none."


class TotalsQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=[("province", "province"), ("corridor", "corridor")])
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="Reports whose period ends in this year; all reports to date when left out.",
    )
    detail = serializers.BooleanField(default=False, help_text="Each project's figure and weight too.")


class ContributionSerializer(serializers.Serializer):
    project = serializers.CharField(help_text="Project code")
    figure = serializers.CharField(help_text=FIGURE)
    weight = serializers.CharField(allow_null=True, help_text="The project's weight in a weighted mean (else null).")


class IndicatorFigureSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    rule = serializers.CharField(
        help_text="How the projects' figures combine: sum, weighted_mean:<quantity> or per_project (no total)."
    )
    value = serializers.CharField(allow_null=True, help_text=FIGURE)
    projects = serializers.IntegerField(help_text="Projects with a figure")
    left_out = serializers.ListField(
        child=serializers.CharField(), help_text="Projects with a figure but no weight (weighted means only)."
    )
    contributions = ContributionSerializer(many=True, required=False, help_text="With ?detail=true")


class ShoreSerializer(serializers.Serializer):
    natural_km = serializers.CharField()
    restored_km = serializers.CharField()
    hardened_km = serializers.CharField()
    total_km = serializers.CharField()
    natural_ratio = serializers.CharField(allow_null=True, help_text="Natural length ÷ total length × 100 (%).")
    natural_or_restored_ratio = serializers.CharField(allow_null=True, help_text="(Natural + restored) ÷ total × 100.")


class ShorelineFigureSerializer(ShoreSerializer):
    unit = serializers.CharField(help_text="km")
    segments = serializers.IntegerField()
    surveyed_to = serializers.DateField(help_text="The latest survey date counted.")
    by_bank = serializers.DictField(child=ShoreSerializer(), help_text="left, right")


class TotalsGroupSerializer(serializers.Serializer):
    province = serializers.DictField(required=False, help_text="code, name_zh, name_en (by=province)")
    corridor = serializers.DictField(
        required=False, allow_null=True, help_text="slug, name_zh, name_en (by=corridor; null: on no corridor)"
    )
    projects = serializers.IntegerField(help_text="Projects of the group with a figure in the window")
    indicators = IndicatorFigureSerializer(many=True)
    shoreline = ShorelineFigureSerializer(allow_null=True)


class AllProjectsSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    indicators = IndicatorFigureSerializer(many=True)


class IndicatorTotalsSerializer(serializers.Serializer):
    by = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    groups = TotalsGroupSerializer(many=True)
    all = AllProjectsSerializer(help_text="Every project once (a project in two groups counts in both groups).")
