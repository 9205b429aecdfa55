"""Response shapes of the computed endpoints (figures, not records), for the OpenAPI schema.

Decimals are sent as text with their exact digits ("675.000"); nothing here is computed, the
domain selectors are (projects/*/selectors.py, execution.py, evaluation.py).
"""

from rest_framework import serializers

DECIMAL = {"help_text": "A decimal as text, exact digits"}


def _decimal(**kwargs):
    return serializers.CharField(**{**DECIMAL, **kwargs})


def _nullable_decimal(**kwargs):
    return serializers.CharField(allow_null=True, **{**DECIMAL, **kwargs})


# --- how indicators add up (execution, corridor progress, totals) ---


class ProjectFigureSerializer(serializers.Serializer):
    project = serializers.CharField(help_text="Project code")
    figure = _nullable_decimal()
    weight = _nullable_decimal(required=False)


class CombinedIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Indicator code")
    name = serializers.CharField(required=False)
    name_zh = serializers.CharField(required=False)
    name_en = serializers.CharField(required=False)
    unit = serializers.CharField()
    rule = serializers.CharField(help_text="How the projects' figures were combined (sum, weighted mean …)")
    planned = _nullable_decimal(required=False)
    actual = _nullable_decimal(required=False)
    value = _nullable_decimal(required=False)
    rate = _nullable_decimal(required=False)
    projects = serializers.JSONField(required=False, help_text="Projects counted (a number, or their figures)")
    left_out = serializers.ListField(child=serializers.CharField(), required=False, help_text="Projects not counted")


class ShorelineBankSerializer(serializers.Serializer):
    natural_km = _decimal()
    restored_km = _decimal()
    hardened_km = _decimal()
    total_km = _decimal()
    natural_ratio = _nullable_decimal()
    natural_or_restored_ratio = _nullable_decimal()


class ShorelineSerializer(ShorelineBankSerializer):
    unit = serializers.CharField()
    segments = serializers.IntegerField()
    surveyed_to = serializers.CharField(allow_null=True)
    by_bank = serializers.DictField(child=ShorelineBankSerializer())


# --- annual plan execution ---


class BriefPlanFigureSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    year = serializers.IntegerField(required=False)
    title = serializers.CharField()
    status = serializers.CharField(required=False)


class ExecutionTargetSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    planned = _nullable_decimal()
    actual = _nullable_decimal()
    rate = _nullable_decimal()


class ExecutionMilestoneSerializer(serializers.Serializer):
    title = serializers.CharField()
    due_date = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)


class ExecutionProjectSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class ExecutionItemSerializer(serializers.Serializer):
    item = serializers.UUIDField()
    project = ExecutionProjectSerializer()
    province = serializers.CharField()
    corridors = serializers.ListField(child=serializers.CharField())
    planned_investment = _decimal()
    actual_investment = _decimal()
    investment_rate = _nullable_decimal()
    targets = ExecutionTargetSerializer(many=True)
    milestones = ExecutionMilestoneSerializer(many=True)
    behind = serializers.BooleanField()
    behind_reasons = serializers.ListField(child=serializers.JSONField())


class ExecutionGroupSerializer(serializers.Serializer):
    corridor = serializers.CharField(allow_null=True, required=False)
    province = serializers.CharField(required=False)
    name = serializers.CharField(required=False, help_text="The corridor's or province's name (not on totals)")
    items = serializers.IntegerField()
    behind = serializers.IntegerField()
    planned_investment = _decimal()
    actual_investment = _decimal()
    investment_rate = _nullable_decimal()
    indicators = CombinedIndicatorSerializer(many=True, required=False)


class PlanExecutionSerializer(serializers.Serializer):
    plan = BriefPlanFigureSerializer()
    as_of = serializers.DateField()
    units = serializers.DictField(child=serializers.CharField(), required=False)
    year_share = _decimal()
    tolerance = _decimal()
    totals = ExecutionGroupSerializer()
    items = ExecutionItemSerializer(many=True)
    behind = serializers.ListField(child=serializers.CharField(), help_text="Codes of the projects behind")
    by_corridor = ExecutionGroupSerializer(many=True)
    by_province = ExecutionGroupSerializer(many=True)


# --- corridor plan progress ---


class CorridorIndicatorProgressSerializer(CombinedIndicatorSerializer):
    targets = serializers.DictField(child=_decimal(), help_text="Target per year (2025, 2030, 2035)")
    achieved = _nullable_decimal()
    planned_this_year = _nullable_decimal()
    remaining = _nullable_decimal()
    share_achieved = _nullable_decimal()
    projects = ProjectFigureSerializer(many=True, required=False)


class CorridorProgressEntrySerializer(serializers.Serializer):
    corridor = serializers.CharField()
    name = serializers.CharField()
    projects = serializers.IntegerField()
    indicators = CorridorIndicatorProgressSerializer(many=True)
    shoreline = ShorelineSerializer(allow_null=True, required=False)


class AnnualPlanRefSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    id = serializers.UUIDField()


class CorridorProgressSerializer(serializers.Serializer):
    plan = BriefPlanFigureSerializer()
    as_of = serializers.DateField()
    annual_plan = AnnualPlanRefSerializer(allow_null=True)
    corridors = CorridorProgressEntrySerializer(many=True)


# --- water quality ---


class EvaluationPeriodSerializer(serializers.Serializer):
    samples = serializers.IntegerField()
    means = serializers.DictField(child=_decimal(), help_text="Mean per parameter")
    means_rounded = serializers.DictField(child=_decimal(), required=False)
    classes = serializers.DictField(child=serializers.IntegerField(), required=False)
    limiting = serializers.ListField(child=serializers.CharField())
    meets_target = serializers.BooleanField(allow_null=True, help_text="null: no data (neither met nor missed)")
    status = serializers.CharField(help_text="met, missed or no_data")


class SectionEvaluationSerializer(EvaluationPeriodSerializer):
    section = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    target_class = serializers.IntegerField()
    method = serializers.CharField()
    months = serializers.DictField(child=EvaluationPeriodSerializer(), required=False, help_text="Per YYYY-MM")


class ImportCountsSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    samples = serializers.IntegerField(help_text="Samples imported (or, on a dry run, that would be)")
    measurements = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Samples already stored with the same measurements")


# --- the fund ---


class BarrierShareSerializer(serializers.Serializer):
    allocated = serializers.IntegerField(help_text="元")
    share = _nullable_decimal(help_text="Rounded to 4 places for display")
    share_exact = _nullable_decimal(help_text="The exact share")


class YearTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    contributed = serializers.IntegerField(help_text="元")
    allocated = serializers.IntegerField(help_text="元")


class ProvinceTotalSerializer(serializers.Serializer):
    province = serializers.CharField()
    name = serializers.CharField()
    contributed = serializers.IntegerField(help_text="元")
    allocated = serializers.IntegerField(help_text="元")


class CorridorTotalSerializer(serializers.Serializer):
    corridor = serializers.CharField()
    name = serializers.CharField()
    six_rivers = serializers.BooleanField()
    allocated = serializers.IntegerField(help_text="元")
    allocations = serializers.IntegerField()


class FundTotalsSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="yuan (元)")
    contributed = serializers.IntegerField()
    allocated = serializers.IntegerField()
    balance = serializers.IntegerField()
    upstream_barrier = BarrierShareSerializer()
    by_year = YearTotalSerializer(many=True)
    by_province = ProvinceTotalSerializer(many=True)
    by_corridor = CorridorTotalSerializer(many=True)


# --- standards ---


class HarmonizedStandardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    title_zh = serializers.CharField()
    status = serializers.CharField()
    effective_date = serializers.DateField(allow_null=True)
    replaced_by_joint = serializers.BooleanField()


class HarmonizedMeasureSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class HarmonizationRowSerializer(serializers.Serializer):
    measure = HarmonizedMeasureSerializer()
    sichuan = HarmonizedStandardSerializer(many=True)
    chongqing = HarmonizedStandardSerializer(many=True)
    joint = HarmonizedStandardSerializer(many=True)
    national = HarmonizedStandardSerializer(many=True)
    joint_replaces_both = serializers.BooleanField()
    state = serializers.CharField(help_text="unified, joint_only, joint_in_progress, separate, one_province_only, none")


# --- carbon ---


class CoefficientUsedSerializer(serializers.Serializer):
    element = serializers.CharField()
    name_zh = serializers.CharField()
    tco2e_per_ha_year = _decimal()
    source = serializers.CharField()
    verified = serializers.BooleanField()


class CarbonProjectSerializer(serializers.Serializer):
    code = serializers.CharField()
    by_year = serializers.DictField(child=_decimal(), help_text="t CO2e per year, per year")
    area_ha = serializers.DictField(
        child=serializers.DictField(child=_decimal()), help_text="Per year, per ecosystem element: hectares"
    )


class CarbonPathSerializer(serializers.Serializer):
    unit = serializers.CharField()
    years = serializers.ListField(child=serializers.IntegerField())
    coefficients = CoefficientUsedSerializer(many=True)
    all_coefficients_verified = serializers.BooleanField()
    elements_without_coefficient = serializers.ListField(child=serializers.CharField())
    total = serializers.DictField(child=_decimal(), help_text="Per year")
    by_corridor = serializers.DictField(
        child=serializers.DictField(child=_decimal()), help_text="Per corridor, per year"
    )
    by_province = serializers.DictField(
        child=serializers.DictField(child=_decimal()), help_text="Per province, per year"
    )
    projects = CarbonProjectSerializer(many=True)


# --- what changed since the last accepted report (projects/restoration/comparison.py) ---


class ComparedReportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    period = serializers.CharField()
    status = serializers.CharField()


class ComparedPairSerializer(serializers.Serializer):
    current = _nullable_decimal()
    previous = _nullable_decimal()
    change = _nullable_decimal(help_text="current − previous; null when either is missing")


class ComparedFigureSerializer(ComparedPairSerializer):
    went_backwards = serializers.BooleanField()


class ComparedIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Indicator code")
    name = serializers.CharField()
    unit = serializers.CharField()
    aggregation = serializers.CharField()
    per_period = ComparedPairSerializer(help_text="The value each report itself gives")
    absolute = ComparedPairSerializer(help_text="The project's figure as of each report, by the indicator's rule")
    went_backwards = serializers.BooleanField()


class ComparedSourceSerializer(ComparedFigureSerializer):
    source = serializers.CharField(help_text="Funding source code")
    name = serializers.CharField()


class NarrativeDiffSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    diff = serializers.ListField(child=serializers.CharField(allow_blank=True), help_text="Unified diff lines")


class ComparedAttachmentSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    file = serializers.CharField()


class ComparedAttachmentsSerializer(serializers.Serializer):
    added = ComparedAttachmentSerializer(many=True)
    removed = ComparedAttachmentSerializer(many=True)
    kept = ComparedAttachmentSerializer(many=True)


class ReportComparisonSerializer(serializers.Serializer):
    report = ComparedReportSerializer()
    baseline = ComparedReportSerializer(allow_null=True, help_text="The last accepted report before this one")
    indicators = ComparedIndicatorSerializer(many=True)
    percent_complete = ComparedFigureSerializer()
    cumulative_investment = ComparedFigureSerializer(help_text="万元")
    investment_by_source = ComparedSourceSerializer(many=True, help_text="万元")
    narrative = NarrativeDiffSerializer()
    attachments = ComparedAttachmentsSerializer()
    went_backwards = serializers.ListField(child=serializers.CharField(), help_text="Names of the figures that fell")
