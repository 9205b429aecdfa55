"""The compensation API: declarative viewsets on the one convention (``api.viewsets``), a face on
``projects.compensation.services`` and ``selectors``.

Each list queryset names what it joins and prefetches, so a page costs the same number of
queries whatever its size (pinned in tests/compensation/test_api_queries.py).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api import computed
from api.compensation import filters, serializers
from api.conditional import expected_version
from api.geojson import GeoJSONMixin
from api.import_jobs import import_answer
from api.imports import BACKGROUND_RESPONSE, IMPORT_SCHEMA_PARAMETERS, ImportBodySerializer
from api.parsers import DecimalJSONParser
from api.viewsets import TrackedViewSet, TransitionMixin, transition_body
from projects.compensation import selectors, services
from projects.compensation.choices import (
    AgreementStatus,
    ListingStatus,
    SettlementStatus,
    StandardStatus,
    TradeStatus,
)
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    MonitoringSection,
    ProductListing,
    ProductType,
    Settlement,
    SettlementRule,
    Standard,
    Trade,
    WaterSample,
)
from projects.core.choices import ImportResource
from projects.core.models import Organization
from projects.permissions import VIEW, require

ORGANIZATIONS = Organization.objects.select_related("province")
# JSON numbers keep their own digits (a float would turn 0.85 into 0.84999…). Sections take the
# plain parser: their GeoJSON coordinates are floats by nature.
EXACT = [DecimalJSONParser, MultiPartParser, FormParser]
LEDGER = ["get", "post", "head", "options"]


class ExactViewSet(TrackedViewSet):
    """A compensation resource whose JSON numbers are read with their own digits."""

    parser_classes = EXACT


class MonitoringSectionViewSet(GeoJSONMixin, TrackedViewSet):
    """Cross-boundary monitoring sections (跨界断面) with their target class."""

    queryset = MonitoringSection.objects.select_related("corridor").prefetch_related(
        # Brief organizations show their province code.
        Prefetch("responsible_organizations", queryset=ORGANIZATIONS)
    )
    serializer_class = serializers.MonitoringSectionSerializer
    geo_field = "location"
    filterset_class = filters.SectionFilter
    search_fields = ["code", "name_zh", "name_en", "river"]
    ordering_fields = ["code", "river", "updated_at"]
    save_service = staticmethod(services.section_save)
    delete_service = staticmethod(services.section_delete)

    @extend_schema(
        parameters=[serializers.SectionEvaluationQuerySerializer], responses=computed.SectionEvaluationSerializer
    )
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None):
        """The section's class for a period from its samples (single-factor method), with the
        limiting parameters; ``method=monthly_mean`` judges month by month."""
        section = self.get_object()
        query = serializers.SectionEvaluationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.section_evaluation(section, **query.validated_data))


class WaterSampleViewSet(ExactViewSet):
    """Water-quality samples; each sample's class is derived from its measurements. A change sends
    only what changes (``measurements``: the whole list)."""

    queryset = WaterSample.objects.select_related("section").prefetch_related("measurements")
    serializer_class = serializers.WaterSampleSerializer
    filterset_class = filters.SampleFilter
    ordering_fields = ["sampled_on", "water_class", "updated_at"]
    save_service = staticmethod(services.sample_save)
    delete_service = staticmethod(services.sample_delete)

    @extend_schema(
        request={"multipart/form-data": ImportBodySerializer},
        parameters=IMPORT_SCHEMA_PARAMETERS,
        responses={
            200: computed.ImportCountsSerializer,
            201: computed.ImportCountsSerializer,
            202: BACKGROUND_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"], url_path="upload")
    def upload(self, request):
        """Bulk upload of a CSV or XLSX of measurements (``section,sampled_on,parameter,value,unit``,
        optional ``source,detection_limit,note``). All or nothing: a 400 lists every bad line;
        ``dry_run`` checks every line and saves nothing."""
        return self._import(request)

    import_resource = ImportResource.WATER_SAMPLES

    def run_import(self, *, actor, file, dry_run: bool, progress=None) -> dict:
        return services.sample_import_csv(actor=actor, file=file, dry_run=dry_run, progress=progress)

    def _import(self, request):
        upload = ImportBodySerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        dry_run = upload.validated_data["dry_run"] or request.query_params.get("dry_run", "").lower() in ("true", "1")
        return import_answer(self, request, file=upload.validated_data["file"], dry_run=dry_run)

    @extend_schema(
        request={"multipart/form-data": ImportBodySerializer},
        parameters=IMPORT_SCHEMA_PARAMETERS,
        responses={
            200: computed.ImportCountsSerializer,
            201: computed.ImportCountsSerializer,
            202: BACKGROUND_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Import a CSV or XLSX of measurements (the same columns as ``upload``), all or nothing;
        ``dry_run`` checks every line and saves nothing. A 400 lists every bad line."""
        return self._import(request)


class SettlementRuleViewSet(ExactViewSet):
    """Settlement rules as data, with the document they come from."""

    queryset = SettlementRule.objects.all()
    serializer_class = serializers.SettlementRuleSerializer
    filterset_fields = ["kind", "verified"]
    search_fields = ["code", "name_zh", "name_en"]
    save_service = staticmethod(services.rule_save)
    delete_service = staticmethod(services.rule_delete)


class CompensationAgreementViewSet(TransitionMixin, ExactViewSet):
    """Horizontal compensation agreements (横向生态补偿协议): draft → in force → expired / terminated."""

    queryset = CompensationAgreement.objects.select_related(
        "corridor",
        "upstream_province",
        "downstream_province",
        "upstream_division",
        "downstream_division",
        "rule",
        "supersedes",
        "superseded_by",
    ).prefetch_related("sections")
    serializer_class = serializers.CompensationAgreementSerializer
    filterset_class = filters.AgreementFilter
    search_fields = ["code", "name_zh", "name_en", "river"]
    ordering_fields = ["code", "start_date", "updated_at"]
    save_service = staticmethod(services.agreement_save)
    delete_service = staticmethod(services.agreement_delete)
    transition_service = staticmethod(services.agreement_transition)
    transition_serializer = transition_body("AgreementTransitionSerializer", AgreementStatus)

    @extend_schema(
        request=serializers.CompensationAgreementSerializer,
        responses={201: serializers.CompensationAgreementSerializer},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new version of the agreement: a draft copying its terms with the body's changes (any
        field; the code defaults to ``<code>-v2``). Put in force, it supersedes this version, whose
        confirmed settlements keep pointing at it."""
        old = self.get_object()
        serializer = self.get_serializer(old, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_revise(
            actor=request.user,
            instance=old,
            data=self.service_data(serializer.validated_data),
            expected_version=expected_version(request),
        )
        return self.respond(agreement, status.HTTP_201_CREATED)


class SettlementViewSet(TransitionMixin, ExactViewSet):
    """Settlements: POST ``{agreement, period}`` opens one and a task computes it (202).
    ``transition`` to ``computed`` recomputes from the current data; to ``confirmed`` confirms the
    figures for your party (``side`` when your province is both); confirmed by both, it is locked."""

    queryset = Settlement.objects.select_related(
        "agreement__upstream_province",
        "agreement__downstream_province",
        "agreement__upstream_division",
        "agreement__downstream_division",
    )
    serializer_class = serializers.SettlementSerializer
    filterset_class = filters.SettlementFilter
    ordering_fields = ["period_start", "amount", "updated_at"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    save_service = staticmethod(services.settlement_save)
    delete_service = staticmethod(services.settlement_delete)
    transition_service = staticmethod(services.settlement_transition)
    transition_serializer = transition_body(
        "SettlementTransitionSerializer", SettlementStatus, **serializers.SIDE_FIELD
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        # The inputs are large; only a single settlement shows them.
        return queryset.defer("inputs") if self.action == "list" else queryset

    def transition_arguments(self, body: dict) -> dict:
        return {"side": body.get("side")}

    @extend_schema(responses={202: serializers.SettlementSerializer})
    def create(self, request, *args, **kwargs):
        """Open a settlement for an ended period; it is computed in the background (202)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        settlement = services.settlement_save(actor=request.user, data=self.service_data(serializer.validated_data))
        return self.respond(settlement, status.HTTP_202_ACCEPTED)


class FundContributionViewSet(ExactViewSet):
    """Money paid into the compensation fund (元)."""

    queryset = FundContribution.objects.select_related("fund", "contributor__province")
    serializer_class = serializers.FundContributionSerializer
    filterset_class = filters.ContributionFilter
    ordering_fields = ["received_on", "amount", "updated_at"]
    save_service = staticmethod(services.fund_contribution_save)
    delete_service = staticmethod(services.fund_contribution_delete)


class FundAllocationViewSet(ExactViewSet):
    """Money allocated from the fund to corridors, key areas and projects (元)."""

    queryset = FundAllocation.objects.select_related("fund", "province", "corridor", "key_area", "project")
    serializer_class = serializers.FundAllocationSerializer
    filterset_class = filters.AllocationFilter
    ordering_fields = ["allocated_on", "amount", "updated_at"]
    save_service = staticmethod(services.fund_allocation_save)
    delete_service = staticmethod(services.fund_allocation_delete)

    @extend_schema(parameters=[serializers.FundTotalsQuerySerializer], responses=computed.FundTotalsSerializer)
    @action(detail=False, methods=["get"], filter_backends=[])
    def totals(self, request):
        """Totals by year, province and corridor, the balance and the upstream-barrier share (元)."""
        query = serializers.FundTotalsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.fund_totals(fund=query.validated_data["fund"]))


class StandardViewSet(TransitionMixin, ExactViewSet):
    """Restoration standards and specifications; projects declare the ones they apply.
    ``transition``: publish (needs the effective date) or supersede."""

    queryset = Standard.objects.prefetch_related("elements", "measures", "replaces", "replaced_by", "projects")
    serializer_class = serializers.StandardSerializer
    filterset_class = filters.StandardFilter
    search_fields = ["code", "title_zh", "title_en"]
    ordering_fields = ["code", "effective_date", "updated_at"]
    save_service = staticmethod(services.standard_save)
    delete_service = staticmethod(services.standard_delete)
    transition_service = staticmethod(services.standard_transition)
    transition_serializer = transition_body("StandardTransitionSerializer", StandardStatus)

    @extend_schema(responses=computed.HarmonizationRowSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def harmonization(self, request):
        """Per measure: Sichuan's standards beside Chongqing's and whether a joint one replaces both."""
        require(request.user, VIEW, Standard)
        return Response(selectors.harmonization())


class ProductTypeViewSet(ExactViewSet):
    """The editable list of ecological product types."""

    queryset = ProductType.objects.all()
    serializer_class = serializers.ProductTypeSerializer
    search_fields = ["code", "name_zh", "name_en"]
    save_service = staticmethod(services.product_type_save)
    delete_service = staticmethod(services.product_type_delete)


class EcologicalProductViewSet(ExactViewSet):
    """Ecological products (生态产品) from projects, with what is sold and what remains."""

    queryset = selectors.with_remaining(
        EcologicalProduct.objects.select_related("product_type", "project", "owner__province")
    )
    serializer_class = serializers.EcologicalProductSerializer
    filterset_class = filters.ProductFilter
    search_fields = ["name"]
    ordering_fields = ["vintage", "name", "quantity", "updated_at"]
    save_service = staticmethod(services.product_save)
    delete_service = staticmethod(services.product_delete)


class ProductListingViewSet(TransitionMixin, ExactViewSet):
    """Offers to sell part of a product; ``transition`` closes or withdraws one."""

    queryset = ProductListing.objects.select_related("product")
    serializer_class = serializers.ProductListingSerializer
    filterset_class = filters.ListingFilter
    ordering_fields = ["listed_on", "asking_price"]
    save_service = staticmethod(services.listing_save)
    delete_service = staticmethod(services.listing_delete)
    transition_service = staticmethod(services.listing_transition)
    transition_serializer = transition_body("ListingTransitionSerializer", ListingStatus)


class TradeViewSet(TransitionMixin, ExactViewSet):
    """The trading ledger. Trades are recorded (POST) and then settled or cancelled (``transition``),
    never edited or deleted (405)."""

    queryset = Trade.objects.select_related("product", "listing", "seller__province", "buyer__province")
    serializer_class = serializers.TradeSerializer
    filterset_class = filters.TradeFilter
    ordering_fields = ["traded_on", "amount", "updated_at"]
    http_method_names = LEDGER
    save_service = staticmethod(services.trade_save)
    transition_service = staticmethod(services.trade_transition)
    transition_serializer = transition_body("TradeTransitionSerializer", TradeStatus)


class CarbonCoefficientViewSet(ExactViewSet):
    """Sequestration coefficients per ecosystem type, each with its source."""

    queryset = CarbonCoefficient.objects.select_related("element")
    serializer_class = serializers.CarbonCoefficientSerializer
    filterset_fields = ["verified"]
    save_service = staticmethod(services.carbon_coefficient_save)
    delete_service = staticmethod(services.carbon_coefficient_delete)

    @extend_schema(parameters=[serializers.CarbonPathQuerySerializer], responses=computed.CarbonPathSerializer)
    @action(detail=False, methods=["get"], filter_backends=[])
    def path(self, request):
        """The carbon-neutral restoration path: estimated t CO2e per year, per corridor and province."""
        query = serializers.CarbonPathQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        years = list(range(query.validated_data["start"], query.validated_data["end"] + 1))
        return Response(selectors.sequestration_path(years=years))
