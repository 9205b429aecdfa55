"""Representations of the compensation records: brief nested objects on read, ids on write."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.briefs import (
    BriefCorridorSerializer,
    BriefDivisionSerializer,
    BriefKeyAreaSerializer,
    BriefOrganizationSerializer,
    BriefProvinceSerializer,
)
from projects.compensation.choices import Parameter, SampleSource, Side, WaterClass
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    Measurement,
    MonitoringSection,
    ProductListing,
    ProductType,
    Settlement,
    SettlementRule,
    Standard,
    Trade,
    WaterSample,
)
from projects.compensation.settlement import describe_step
from projects.core.models import Corridor, Division, KeyArea, Organization, Province
from projects.restoration.models import EcosystemElement, MeasureType, Project


class Nested(serializers.PrimaryKeyRelatedField):
    """Accepts an id on write, shows a brief object on read."""

    def __init__(self, brief, **kwargs):
        self.brief = brief
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        return self.brief(value, context=self.context).data


class ModelCleanMixin:
    """Runs the model's ``clean()`` on the proposed values so its rules answer 400 with field messages."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for field, value in attrs.items():
            if not model._meta.get_field(field).many_to_many:
                setattr(instance, field, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        return attrs


class BriefProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name_zh"]


class BriefCodeNameSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class BriefSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringSection
        fields = ["id", "code", "name_zh", "river", "target_class"]


class BriefRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementRule
        fields = ["id", "code", "name_zh", "kind", "verified"]


class BriefAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationAgreement
        fields = ["id", "code", "name_zh", "river"]


class BriefStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "code", "title_zh", "issuer", "status"]


class BriefProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcologicalProduct
        fields = ["id", "name", "unit", "vintage"]


class StatusChangeSerializer(serializers.Serializer):
    to = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


# --- water quality ------------------------------------------------------------------------------


class MonitoringSectionSerializer(serializers.ModelSerializer):
    corridor = Nested(BriefCorridorSerializer, queryset=Corridor.objects.all(), required=False, allow_null=True)
    responsible_organizations = Nested(BriefOrganizationSerializer, queryset=Organization.objects.all(), many=True)
    location = GeometryField(required=False, allow_null=True)

    class Meta:
        model = MonitoringSection
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "river",
            "corridor",
            "waterbody",
            "location",
            "responsible_organizations",
            "target_class",
            "is_national",
            "description",
            "updated_at",
            "version",
        ]


class MeasurementSerializer(serializers.ModelSerializer):
    parameter = serializers.ChoiceField(choices=Parameter.choices)
    # Checked by the service (units, bounds, negatives) so every problem is reported at once.
    value = serializers.CharField()
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    detection_limit = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)

    class Meta:
        model = Measurement
        fields = ["parameter", "value", "unit", "below_detection_limit", "detection_limit"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["value"] = str(instance.value.normalize())
        if instance.detection_limit is not None:
            data["detection_limit"] = str(instance.detection_limit.normalize())
        return data


class WaterSampleSerializer(serializers.ModelSerializer):
    section = Nested(BriefSectionSerializer, queryset=MonitoringSection.objects.all())
    source = serializers.ChoiceField(choices=SampleSource.choices, default=SampleSource.MANUAL)
    measurements = MeasurementSerializer(many=True)
    water_class_label = serializers.SerializerMethodField()

    class Meta:
        model = WaterSample
        fields = [
            "id",
            "section",
            "sampled_on",
            "source",
            "note",
            "measurements",
            "water_class",
            "water_class_label",
            "limiting_parameters",
            "updated_at",
            "version",
        ]
        read_only_fields = ["water_class", "limiting_parameters"]
        validators = []  # the service reports a duplicate sample with its own message

    def get_water_class_label(self, obj) -> str | None:
        return str(WaterClass(obj.water_class).label) if obj.water_class else None


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class SectionEvaluationQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    method = serializers.ChoiceField(choices=["period_mean", "monthly_mean"], default="period_mean")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end cannot be before the start.")})
        return attrs


# --- agreements and settlements -----------------------------------------------------------------


class SettlementRuleSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = SettlementRule
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "kind",
            "amount_met",
            "amount_missed",
            "max_amount",
            "parameters",
            "document",
            "source_url",
            "source_note",
            "verified",
            "updated_at",
            "version",
        ]


class CompensationAgreementSerializer(ModelCleanMixin, serializers.ModelSerializer):
    corridor = Nested(BriefCorridorSerializer, queryset=Corridor.objects.all(), required=False, allow_null=True)
    upstream_province = Nested(BriefProvinceSerializer, queryset=Province.objects.all())
    downstream_province = Nested(BriefProvinceSerializer, queryset=Province.objects.all())
    upstream_division = Nested(
        BriefDivisionSerializer, queryset=Division.objects.all(), required=False, allow_null=True
    )
    downstream_division = Nested(
        BriefDivisionSerializer, queryset=Division.objects.all(), required=False, allow_null=True
    )
    sections = Nested(BriefSectionSerializer, queryset=MonitoringSection.objects.all(), many=True)
    rule = Nested(BriefRuleSerializer, queryset=SettlementRule.objects.all())
    pool_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = CompensationAgreement
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "river",
            "corridor",
            "upstream_province",
            "upstream_division",
            "downstream_province",
            "downstream_division",
            "start_date",
            "end_date",
            "sections",
            "upstream_contribution",
            "downstream_contribution",
            "pool_total",
            "rule",
            "evaluation_method",
            "settlement_period",
            "status",
            "document",
            "is_demo",
            "updated_at",
            "version",
        ]
        read_only_fields = ["status"]


class SettlementSerializer(serializers.ModelSerializer):
    agreement = Nested(BriefAgreementSerializer, queryset=CompensationAgreement.objects.all())
    payee = serializers.CharField(read_only=True)
    payer_name = serializers.SerializerMethodField()
    payee_name = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Settlement
        fields = [
            "id",
            "agreement",
            "period",
            "period_start",
            "period_end",
            "status",
            "payer",
            "payee",
            "payer_name",
            "payee_name",
            "amount",
            "steps",
            "input_digest",
            "computed_at",
            "upstream_confirmed_at",
            "downstream_confirmed_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [f for f in fields if f not in ("agreement", "period")]
        validators = []

    def _party(self, obj, side):
        return obj.agreement.party_name(side) if side else ""

    def get_payer_name(self, obj) -> str:
        return self._party(obj, obj.payer)

    def get_payee_name(self, obj) -> str:
        return self._party(obj, obj.payee)

    def get_steps(self, obj) -> list:
        return [{**step, "text": describe_step(step)} for step in obj.steps]


class SettlementDetailSerializer(SettlementSerializer):
    class Meta(SettlementSerializer.Meta):
        fields = [*SettlementSerializer.Meta.fields, "inputs"]
        read_only_fields = [*SettlementSerializer.Meta.read_only_fields, "inputs"]


class ConfirmSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices, required=False, allow_null=True, default=None)


# --- the fund -----------------------------------------------------------------------------------


class FundContributionSerializer(serializers.ModelSerializer):
    fund = serializers.SlugRelatedField(slug_field="code", queryset=CompensationFund.objects.all())
    contributor = Nested(BriefOrganizationSerializer, queryset=Organization.objects.all())

    class Meta:
        model = FundContribution
        fields = ["id", "fund", "contributor", "received_on", "amount", "note", "updated_at", "version"]


class FundAllocationSerializer(serializers.ModelSerializer):
    fund = serializers.SlugRelatedField(slug_field="code", queryset=CompensationFund.objects.all())
    province = Nested(BriefProvinceSerializer, queryset=Province.objects.all())
    corridor = Nested(BriefCorridorSerializer, queryset=Corridor.objects.all(), required=False, allow_null=True)
    key_area = Nested(BriefKeyAreaSerializer, queryset=KeyArea.objects.all(), required=False, allow_null=True)
    project = Nested(BriefProjectSerializer, queryset=Project.objects.all(), required=False, allow_null=True)
    to_upstream_barrier = serializers.BooleanField(read_only=True)

    class Meta:
        model = FundAllocation
        fields = [
            "id",
            "fund",
            "allocated_on",
            "amount",
            "province",
            "corridor",
            "key_area",
            "project",
            "purpose",
            "to_upstream_barrier",
            "updated_at",
            "version",
        ]


# --- standards ----------------------------------------------------------------------------------


class StandardSerializer(ModelCleanMixin, serializers.ModelSerializer):
    elements = Nested(BriefCodeNameSerializer, queryset=EcosystemElement.objects.all(), many=True, required=False)
    measures = Nested(BriefCodeNameSerializer, queryset=MeasureType.objects.all(), many=True, required=False)
    replaces = Nested(BriefStandardSerializer, queryset=Standard.objects.all(), many=True, required=False)
    replaced_by = BriefStandardSerializer(many=True, read_only=True)
    projects = Nested(BriefProjectSerializer, queryset=Project.objects.all(), many=True, required=False)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "title_zh",
            "title_en",
            "issuer",
            "kind",
            "status",
            "effective_date",
            "elements",
            "measures",
            "replaces",
            "replaced_by",
            "projects",
            "document",
            "url",
            "is_demo",
            "updated_at",
            "version",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["status"].read_only = True  # changes through the transition action
        return fields


# --- products and trades ------------------------------------------------------------------------


class ProductTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductType
        fields = ["id", "code", "name_zh", "name_en", "default_unit", "sort_order", "updated_at", "version"]


class EcologicalProductSerializer(serializers.ModelSerializer):
    product_type = serializers.SlugRelatedField(slug_field="code", queryset=ProductType.objects.all())
    project = Nested(BriefProjectSerializer, queryset=Project.objects.all())
    owner = Nested(BriefOrganizationSerializer, queryset=Organization.objects.all())
    sold = serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True)
    remaining = serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True)

    class Meta:
        model = EcologicalProduct
        fields = [
            "id",
            "name",
            "product_type",
            "project",
            "quantity",
            "unit",
            "vintage",
            "owner",
            "sold",
            "remaining",
            "description",
            "is_demo",
            "updated_at",
            "version",
        ]


class ProductListingSerializer(serializers.ModelSerializer):
    product = Nested(BriefProductSerializer, queryset=EcologicalProduct.objects.all())

    class Meta:
        model = ProductListing
        fields = ["id", "product", "quantity", "asking_price", "listed_on", "status", "note", "updated_at", "version"]
        read_only_fields = ["status"]


class TradeSerializer(serializers.ModelSerializer):
    product = Nested(BriefProductSerializer, queryset=EcologicalProduct.objects.all())
    listing = serializers.PrimaryKeyRelatedField(queryset=ProductListing.objects.all(), required=False, allow_null=True)
    seller = BriefOrganizationSerializer(read_only=True)
    buyer = Nested(BriefOrganizationSerializer, queryset=Organization.objects.all())

    class Meta:
        model = Trade
        fields = [
            "id",
            "product",
            "listing",
            "seller",
            "buyer",
            "quantity",
            "unit_price",
            "amount",
            "traded_on",
            "status",
            "note",
            "is_demo",
            "updated_at",
            "version",
        ]
        read_only_fields = ["amount", "status"]

    def validate(self, attrs):
        if attrs.get("buyer") is not None and attrs["buyer"] == attrs["product"].owner:
            raise serializers.ValidationError({"buyer": _("The buyer cannot be the seller.")})
        return attrs


# --- carbon -------------------------------------------------------------------------------------


class CarbonCoefficientSerializer(serializers.ModelSerializer):
    element = serializers.SlugRelatedField(slug_field="code", queryset=EcosystemElement.objects.all())

    class Meta:
        model = CarbonCoefficient
        fields = [
            "id",
            "element",
            "tco2e_per_ha_year",
            "source",
            "source_url",
            "verified",
            "note",
            "updated_at",
            "version",
        ]


class CarbonPathQuerySerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=2000, max_value=2100, default=2021)
    end = serializers.IntegerField(min_value=2000, max_value=2100, default=2025)

    def validate(self, attrs):
        if attrs["end"] < attrs["start"] or attrs["end"] - attrs["start"] > 30:
            raise serializers.ValidationError({"end": _("Give at most 30 years, the end not before the start.")})
        return attrs
