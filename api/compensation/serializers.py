"""Representations of the compensation records: one serializer per resource, read and written alike.

References are ``…Ref`` fields (id, code or slug in; brief objects out), so what a client reads it
can send back. Serializers check the shape of the input only; ``projects.compensation.services``
decides and writes. ``is_demo`` is set by the demo loader only.
"""

from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.briefs import (
    CorridorRef,
    DivisionRef,
    ElementRef,
    KeyAreaRef,
    MeasureRef,
    OrganizationRef,
    ProjectRef,
    ProvinceRef,
)
from api.compensation.briefs import (
    AgreementRef,
    FundRef,
    ListingRef,
    ProductRef,
    ProductTypeRef,
    RuleRef,
    SectionRef,
    StandardRef,
)
from api.fields import YUAN, AllowedTransitionsField, UnitsField, UploadField
from api.parsers import DecimalJSONDecoder
from projects.compensation.choices import EvaluationMethod, Parameter, SampleSource, Side, WaterClass
from projects.compensation.lifecycle import (
    AGREEMENT_LIFECYCLE,
    LISTING_LIFECYCLE,
    SETTLEMENT_LIFECYCLE,
    STANDARD_LIFECYCLE,
    TRADE_LIFECYCLE,
)
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
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
from projects.compensation.numbers import plain
from projects.compensation.settlement import describe_step

TRACKED = ["created_at", "updated_at", "version"]
YUAN_HELP = _("In yuan (元), a whole number.")


# --- water quality ------------------------------------------------------------------------------


class MonitoringSectionSerializer(serializers.ModelSerializer):
    corridor = CorridorRef(required=False, allow_null=True)
    responsible_organizations = OrganizationRef(many=True)
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
            *TRACKED,
        ]
        validators = []  # a duplicate code is reported by the model's validation in the service


class DecimalTextField(serializers.CharField):
    """A decimal as the client wrote it: text (``"0.0000501"``, ``"<0.01"``) or a JSON number read
    with its own digits (``api.parsers.DecimalJSONParser``), handed on as text to the service."""

    def to_internal_value(self, data):
        if isinstance(data, Decimal):
            data = format(data, "f")
        elif isinstance(data, float):
            data = repr(data)
        return super().to_internal_value(data)


class MeasurementSerializer(serializers.ModelSerializer):
    parameter = serializers.ChoiceField(choices=Parameter.choices)
    # Checked by the service (units, bounds, exactness, negatives) so every problem is reported at
    # once. "<0.01" means below a detection limit of 0.01.
    value = DecimalTextField(max_length=50, help_text='A decimal, or "<x" below a detection limit of x.')
    unit = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    below_detection_limit = serializers.BooleanField(required=False, default=False)
    detection_limit = DecimalTextField(required=False, allow_null=True, allow_blank=True, default=None, max_length=50)

    class Meta:
        model = Measurement
        fields = ["parameter", "value", "unit", "below_detection_limit", "detection_limit"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["value"] = plain(instance.value)
        if instance.detection_limit is not None:
            data["detection_limit"] = plain(instance.detection_limit)
        return data


class WaterSampleSerializer(serializers.ModelSerializer):
    """A sample: its measurements in, its class and limiting parameters (derived) out."""

    section = SectionRef()
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
            *TRACKED,
        ]
        read_only_fields = ["water_class", "limiting_parameters"]
        validators = []  # the service reports a duplicate sample with its own message

    def get_water_class_label(self, obj) -> str | None:
        return str(WaterClass(obj.water_class).label) if obj.water_class else None


class SectionEvaluationQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    method = serializers.ChoiceField(choices=EvaluationMethod.choices, default=EvaluationMethod.PERIOD_MEAN)

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end cannot be before the start.")})
        return attrs


# --- agreements and settlements -----------------------------------------------------------------


class DocumentMixin:
    """A document reads as its address or null; null written back means "no document"."""

    def validate_document(self, value):
        return value or ""


DOCUMENT = {"required": False, "allow_null": True}


class SettlementRuleSerializer(DocumentMixin, serializers.ModelSerializer):
    """A settlement rule as data; the improvement index's parameters are checked by the service."""

    units = UnitsField({"amount_met": YUAN, "amount_missed": YUAN, "max_amount": YUAN})
    document = UploadField(**DOCUMENT)
    parameters = serializers.JSONField(
        required=False,
        encoder=DjangoJSONEncoder,
        decoder=DecimalJSONDecoder,
        help_text="For the improvement index: weights, k0, threshold and a baseline, as decimals "
        '(text or numbers, kept with their own digits), e.g. {"weights": {"tp": "0.5", "nh3n": "0.5"}, '
        '"k0": "0.85", "threshold": "1", "baseline": {"tp": "0.1", "nh3n": "0.4"}}.',
    )

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
            *TRACKED,
            "units",
        ]
        validators = []


class CompensationAgreementSerializer(DocumentMixin, serializers.ModelSerializer):
    units = UnitsField({"upstream_contribution": YUAN, "downstream_contribution": YUAN, "pool_total": YUAN})
    document = UploadField(**DOCUMENT)
    corridor = CorridorRef(required=False, allow_null=True)
    upstream_province = ProvinceRef()
    downstream_province = ProvinceRef()
    upstream_division = DivisionRef(required=False, allow_null=True)
    downstream_division = DivisionRef(required=False, allow_null=True)
    sections = SectionRef(many=True)
    rule = RuleRef()
    pool_total = serializers.IntegerField(read_only=True, help_text=YUAN_HELP)
    allowed_transitions = AllowedTransitionsField(AGREEMENT_LIFECYCLE)
    supersedes = AgreementRef(read_only=True, help_text="The earlier version (set by revise).")
    superseded_by = AgreementRef(read_only=True, help_text="The newer version, if any.")

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
            "allowed_transitions",
            "supersedes",
            "superseded_by",
            "document",
            "is_demo",
            *TRACKED,
            "units",
        ]
        read_only_fields = ["status", "is_demo"]
        validators = []  # dates and parties are checked by the model's validation in the service


class SettlementSerializer(serializers.ModelSerializer):
    """POST ``{agreement, period}`` opens a settlement; everything else is computed. ``inputs`` is
    shown on a single settlement only (it is large)."""

    units = UnitsField({"amount": YUAN})
    agreement = AgreementRef()
    payee = serializers.CharField(read_only=True, label=_("Payee"))
    payer_name = serializers.SerializerMethodField()
    payee_name = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    allowed_transitions = AllowedTransitionsField(SETTLEMENT_LIFECYCLE)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "agreement",
            "period",
            "period_start",
            "period_end",
            "status",
            "allowed_transitions",
            "payer",
            "payee",
            "payer_name",
            "payee_name",
            "amount",
            "steps",
            "inputs",
            "input_digest",
            "computed_at",
            "upstream_confirmed_at",
            "downstream_confirmed_at",
            *TRACKED,
            "units",
        ]
        read_only_fields = [f for f in fields if f not in ("agreement", "period")]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        view = self.context.get("view")
        if getattr(view, "action", None) == "list":
            fields.pop("inputs")  # deferred in lists
        return fields

    def _party(self, obj, side):
        return obj.agreement.party_name(side) if side else ""

    def get_payer_name(self, obj) -> str:
        return self._party(obj, obj.payer)

    def get_payee_name(self, obj) -> str:
        return self._party(obj, obj.payee)

    def get_steps(self, obj) -> list:
        return [{**step, "text": describe_step(step)} for step in obj.steps]


# --- the fund -----------------------------------------------------------------------------------


class FundContributionSerializer(serializers.ModelSerializer):
    units = UnitsField({"amount": YUAN})
    fund = FundRef()
    contributor = OrganizationRef()

    class Meta:
        model = FundContribution
        fields = ["id", "fund", "contributor", "received_on", "amount", "note", *TRACKED, "units"]


class FundAllocationSerializer(serializers.ModelSerializer):
    units = UnitsField({"amount": YUAN})
    fund = FundRef()
    province = ProvinceRef()
    corridor = CorridorRef(required=False, allow_null=True)
    key_area = KeyAreaRef(required=False, allow_null=True)
    project = ProjectRef(required=False, allow_null=True)
    to_upstream_barrier = serializers.BooleanField(read_only=True, label=_("To the upstream barrier areas"))

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
            *TRACKED,
            "units",
        ]


class FundTotalsQuerySerializer(serializers.Serializer):
    fund = FundRef(required=False, allow_null=True, default=None, help_text="id or code of the fund")


# --- standards ----------------------------------------------------------------------------------


class StandardSerializer(DocumentMixin, serializers.ModelSerializer):
    document = UploadField(**DOCUMENT)
    elements = ElementRef(many=True, required=False)
    measures = MeasureRef(many=True, required=False)
    replaces = StandardRef(many=True, required=False)
    replaced_by = StandardRef(many=True, read_only=True, label=_("Replaced by"))
    projects = ProjectRef(many=True, required=False)
    allowed_transitions = AllowedTransitionsField(STANDARD_LIFECYCLE)

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
            "allowed_transitions",
            "effective_date",
            "elements",
            "measures",
            "replaces",
            "replaced_by",
            "projects",
            "document",
            "url",
            "is_demo",
            *TRACKED,
        ]
        read_only_fields = ["status", "is_demo"]
        validators = []


# --- products and trades ------------------------------------------------------------------------


class ProductTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductType
        fields = ["id", "code", "name_zh", "name_en", "default_unit", "sort_order", *TRACKED]
        validators = []


class EcologicalProductSerializer(serializers.ModelSerializer):
    product_type = ProductTypeRef()
    project = ProjectRef()
    owner = OrganizationRef()
    sold = serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True, label=_("Sold"))
    remaining = serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True, label=_("Remaining"))

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
            *TRACKED,
        ]
        read_only_fields = ["is_demo"]


class ProductListingSerializer(serializers.ModelSerializer):
    units = UnitsField({"asking_price": YUAN})
    product = ProductRef()
    allowed_transitions = AllowedTransitionsField(LISTING_LIFECYCLE)

    class Meta:
        model = ProductListing
        fields = [
            "id",
            "product",
            "quantity",
            "asking_price",
            "listed_on",
            "status",
            "allowed_transitions",
            "note",
            *TRACKED,
            "units",
        ]
        read_only_fields = ["status"]


class TradeSerializer(serializers.ModelSerializer):
    """A sale recorded in the ledger: POST creates it, ``transition`` settles or cancels it."""

    units = UnitsField({"unit_price": YUAN, "amount": YUAN})
    product = ProductRef()
    listing = ListingRef(required=False, allow_null=True)
    seller = OrganizationRef(read_only=True)
    buyer = OrganizationRef()
    allowed_transitions = AllowedTransitionsField(TRADE_LIFECYCLE)

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
            "allowed_transitions",
            "note",
            "is_demo",
            *TRACKED,
            "units",
        ]
        read_only_fields = ["amount", "status", "is_demo"]


# --- carbon -------------------------------------------------------------------------------------


class CarbonCoefficientSerializer(serializers.ModelSerializer):
    element = ElementRef()

    class Meta:
        model = CarbonCoefficient
        fields = ["id", "element", "tco2e_per_ha_year", "source", "source_url", "verified", "note", *TRACKED]
        validators = []


class CarbonPathQuerySerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=2000, max_value=2100, default=2021)
    end = serializers.IntegerField(min_value=2000, max_value=2100, default=2025)

    def validate(self, attrs):
        if attrs["end"] < attrs["start"] or attrs["end"] - attrs["start"] > 30:
            raise serializers.ValidationError({"end": _("Give at most 30 years, the end not before the start.")})
        return attrs


# --- bodies of the transitions ------------------------------------------------------------------

SIDE_FIELD = {
    "side": serializers.ChoiceField(
        choices=Side.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="With to=confirmed: the party you confirm for, when your province is both.",
    )
}
