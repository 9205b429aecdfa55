"""The compensation API: a face on ``projects.compensation.services`` and ``selectors``.

Each list queryset names what it joins and prefetches, so a page costs the same number of
queries whatever its size (pinned in tests/compensation/test_api_queries.py).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.compensation import filters, serializers
from api.mixins import HistoryMixin, TrackedWriteMixin
from projects.compensation import selectors, services
from projects.compensation.evaluation import evaluate_by_month, evaluate_period, load_limits
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
from projects.core.models import Organization
from projects.permissions import VIEW, require

ORGANIZATIONS = Organization.objects.select_related("province")


class MonitoringSectionViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Cross-boundary monitoring sections (跨界断面) with their target class."""

    queryset = MonitoringSection.objects.select_related("corridor").prefetch_related(
        # Brief organizations show their province code.
        Prefetch("responsible_organizations", queryset=ORGANIZATIONS)
    )
    serializer_class = serializers.MonitoringSectionSerializer
    filterset_class = filters.SectionFilter
    search_fields = ["code", "name_zh", "name_en", "river"]
    ordering_fields = ["code", "river", "updated_at"]

    @extend_schema(parameters=[serializers.SectionEvaluationQuerySerializer])
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None):
        """The section's class for a period from its samples (single-factor method), with the
        limiting parameters; ``method=monthly_mean`` adds the class of each month."""
        section = self.get_object()
        query = serializers.SectionEvaluationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        samples = [
            {
                "date": sample.sampled_on.isoformat(),
                "values": {m.parameter: str(m.effective_value) for m in sample.measurements.all()},
            }
            for sample in section.samples.filter(sampled_on__gte=start, sampled_on__lte=end)
            .order_by("sampled_on")
            .prefetch_related("measurements")
        ]
        table = load_limits()
        result = evaluate_period(samples, section.waterbody, table)
        body = {
            "section": section.code,
            "start": start,
            "end": end,
            "target_class": section.target_class,
            **result,
            "meets_target": result["class"] is not None and result["class"] <= section.target_class,
        }
        if query.validated_data["method"] == "monthly_mean":
            body["months"] = evaluate_by_month(samples, section.waterbody, table)
        return Response(body)


class WaterSampleViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Water-quality samples; each sample's class is derived from its measurements."""

    queryset = WaterSample.objects.select_related("section").prefetch_related("measurements")
    serializer_class = serializers.WaterSampleSerializer
    filterset_class = filters.SampleFilter
    ordering_fields = ["sampled_on", "water_class", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _save(self, serializer, instance=None):
        data = serializer.validated_data
        current = instance or WaterSample()
        serializer.instance = services.sample_save(
            actor=self.request.user,
            section=data.get("section", getattr(current, "section", None)),
            sampled_on=data.get("sampled_on", current.sampled_on),
            source=data.get("source", current.source),
            note=data.get("note", current.note),
            measurements=data.get("measurements")
            if "measurements" in data
            else [
                {
                    "parameter": m.parameter,
                    "value": m.value,
                    "unit": m.unit,
                    "below_detection_limit": m.below_detection_limit,
                    "detection_limit": m.detection_limit,
                }
                for m in current.measurements.all()
            ],
            instance=instance,
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, instance=serializer.instance)

    def perform_destroy(self, instance):
        services.sample_delete(actor=self.request.user, sample=instance)

    @extend_schema(request={"multipart/form-data": serializers.CsvUploadSerializer}, responses=dict)
    @action(detail=False, methods=["post"], url_path="upload")
    def upload(self, request):
        """Bulk upload of a CSV of measurements (``section,sampled_on,parameter,value,unit``,
        optional ``source,detection_limit,note``). All or nothing: a 400 lists every bad line."""
        upload = serializers.CsvUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            counts = services.samples_import_csv(actor=request.user, file=upload.validated_data["file"])
        except services.ImportRejected as exc:
            return Response(
                {"detail": gettext("The file was not imported; nothing was saved."), "errors": exc.rows},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(counts, status=status.HTTP_201_CREATED)


class SettlementRuleViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Settlement rules as data, with the document they come from."""

    queryset = SettlementRule.objects.all()
    serializer_class = serializers.SettlementRuleSerializer
    filterset_fields = ["kind", "verified"]
    search_fields = ["code", "name_zh", "name_en"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]


class CompensationAgreementViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Horizontal compensation agreements (横向生态补偿协议)."""

    queryset = CompensationAgreement.objects.select_related(
        "corridor",
        "upstream_province",
        "downstream_province",
        "upstream_division",
        "downstream_division",
        "rule",
    ).prefetch_related("sections")
    serializer_class = serializers.CompensationAgreementSerializer
    filterset_class = filters.AgreementFilter
    search_fields = ["code", "name_zh", "name_en", "river"]
    ordering_fields = ["code", "start_date", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=serializers.StatusChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Change the status (draft → in force → expired / terminated)."""
        body = serializers.StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = services.agreement_transition(
            actor=request.user,
            agreement=self.get_object(),
            to=body.validated_data["to"],
            comment=body.validated_data["comment"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=agreement.pk)).data)


class SettlementViewSet(HistoryMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Settlements: POST ``{agreement, period}`` opens one and a task computes it (202)."""

    queryset = Settlement.objects.select_related(
        "agreement__upstream_province",
        "agreement__downstream_province",
        "agreement__upstream_division",
        "agreement__downstream_division",
    ).defer("inputs")  # the inputs are large; only the detail shows them
    serializer_class = serializers.SettlementSerializer
    filterset_class = filters.SettlementFilter
    ordering_fields = ["period_start", "amount", "updated_at"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.defer(None) if self.action != "list" else queryset

    def get_serializer_class(self):
        return serializers.SettlementDetailSerializer if self.action != "list" else serializers.SettlementSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        settlement = services.settlement_request(
            actor=request.user,
            agreement=serializer.validated_data["agreement"],
            period=serializer.validated_data["period"],
        )
        return self._answer(settlement, status.HTTP_202_ACCEPTED)

    def perform_destroy(self, instance):
        from projects.core.services import delete_tracked

        delete_tracked(actor=self.request.user, instance=instance)

    def _answer(self, settlement, code=status.HTTP_200_OK):
        fresh = self.get_queryset().defer(None).get(pk=settlement.pk)
        return Response(
            serializers.SettlementDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        """Recompute from the current data (202); a confirmed settlement answers 409."""
        settlement = services.settlement_recompute(actor=request.user, settlement=self.get_object())
        return self._answer(settlement, status.HTTP_202_ACCEPTED)

    @extend_schema(request=serializers.ConfirmSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the figures for your party; confirmed by both, the settlement is locked."""
        body = serializers.ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        settlement = services.settlement_confirm(
            actor=request.user, settlement=self.get_object(), side=body.validated_data["side"]
        )
        return self._answer(settlement)


class FundMovementViewSet(HistoryMixin, viewsets.ModelViewSet):
    save_service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).save_service(actor=self.request.user, values=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).save_service(
            actor=self.request.user, values=serializer.validated_data, instance=serializer.instance
        )

    def perform_destroy(self, instance):
        services.fund_movement_delete(actor=self.request.user, instance=instance)


class FundContributionViewSet(FundMovementViewSet):
    """Money paid into the compensation fund."""

    queryset = FundContribution.objects.select_related("fund", "contributor__province")
    serializer_class = serializers.FundContributionSerializer
    filterset_class = filters.ContributionFilter
    ordering_fields = ["received_on", "amount", "updated_at"]
    save_service = staticmethod(services.fund_contribution_save)


class FundAllocationViewSet(FundMovementViewSet):
    """Money allocated from the fund to corridors, key areas and projects."""

    queryset = FundAllocation.objects.select_related("fund", "province", "corridor", "key_area", "project")
    serializer_class = serializers.FundAllocationSerializer
    filterset_class = filters.AllocationFilter
    ordering_fields = ["allocated_on", "amount", "updated_at"]
    save_service = staticmethod(services.fund_allocation_save)

    @extend_schema(parameters=[OpenApiParameter("fund", str, description="fund code")], responses=dict)
    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Totals by year, province and corridor, the balance and the upstream-barrier share (元)."""
        from projects.compensation.models import CompensationFund

        fund = None
        if request.query_params.get("fund"):
            fund = CompensationFund.objects.filter(code=request.query_params["fund"]).first()
            if fund is None:
                return Response({"fund": [gettext("Unknown fund.")]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.fund_totals(fund=fund))


class StandardViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Restoration standards and specifications; projects declare the ones they apply."""

    queryset = Standard.objects.prefetch_related("elements", "measures", "replaces", "replaced_by", "projects")
    serializer_class = serializers.StandardSerializer
    filterset_class = filters.StandardFilter
    search_fields = ["code", "title_zh", "title_en"]
    ordering_fields = ["code", "effective_date", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=serializers.StatusChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Publish or supersede; publishing a joint standard supersedes those it replaces."""
        body = serializers.StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        standard = services.standard_transition(
            actor=request.user,
            standard=self.get_object(),
            to=body.validated_data["to"],
            comment=body.validated_data["comment"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=standard.pk)).data)

    @extend_schema(responses=dict)
    @action(detail=False, methods=["get"])
    def harmonization(self, request):
        """Per measure: Sichuan's standards beside Chongqing's and whether a joint one replaces both."""
        require(request.user, VIEW, Standard)
        return Response(selectors.harmonization())


class ProductTypeViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """The editable list of ecological product types."""

    queryset = ProductType.objects.all()
    serializer_class = serializers.ProductTypeSerializer
    search_fields = ["code", "name_zh", "name_en"]


class EcologicalProductViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Ecological products (生态产品) from projects, with what is sold and what remains."""

    queryset = selectors.with_remaining(
        EcologicalProduct.objects.select_related("product_type", "project", "owner__province")
    )
    serializer_class = serializers.EcologicalProductSerializer
    filterset_class = filters.ProductFilter
    search_fields = ["name"]
    ordering_fields = ["vintage", "name", "quantity", "updated_at"]

    def perform_create(self, serializer):
        serializer.instance = self._reload(
            services.product_save(actor=self.request.user, values=serializer.validated_data)
        )

    def perform_update(self, serializer):
        product = services.product_save(
            actor=self.request.user, values=serializer.validated_data, instance=serializer.instance
        )
        serializer.instance = self._reload(product)

    def perform_destroy(self, instance):
        from projects.core.services import delete_tracked

        delete_tracked(actor=self.request.user, instance=instance)

    def _reload(self, product):
        return self.get_queryset().get(pk=product.pk)


class ProductListingViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Offers to sell part of a product."""

    queryset = ProductListing.objects.select_related("product")
    serializer_class = serializers.ProductListingSerializer
    filterset_class = filters.ListingFilter
    ordering_fields = ["listed_on", "asking_price"]

    def perform_create(self, serializer):
        serializer.instance = services.listing_save(actor=self.request.user, values=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.listing_save(
            actor=self.request.user, values=serializer.validated_data, instance=serializer.instance
        )

    @extend_schema(request=serializers.StatusChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Close or withdraw the listing."""
        body = serializers.StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        listing = services.listing_transition(
            actor=request.user, listing=self.get_object(), to=body.validated_data["to"]
        )
        return Response(self.get_serializer(listing).data)


class TradeViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The trading ledger. Trades are never edited or deleted: they are settled or cancelled."""

    queryset = Trade.objects.select_related("product", "seller__province", "buyer__province")
    serializer_class = serializers.TradeSerializer
    filterset_class = filters.TradeFilter
    ordering_fields = ["traded_on", "amount", "updated_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.trade_create(
            actor=self.request.user,
            product=data["product"],
            buyer=data["buyer"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            traded_on=data["traded_on"],
            listing=data.get("listing"),
            note=data.get("note", ""),
        )

    @extend_schema(request=serializers.StatusChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Settle or cancel the trade (a cancelled trade frees its quantity)."""
        body = serializers.StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        trade = services.trade_transition(
            actor=request.user,
            trade=self.get_object(),
            to=body.validated_data["to"],
            comment=body.validated_data["comment"],
        )
        return Response(self.get_serializer(trade).data)


class CarbonCoefficientViewSet(TrackedWriteMixin, HistoryMixin, viewsets.ModelViewSet):
    """Sequestration coefficients per ecosystem type, each with its source."""

    queryset = CarbonCoefficient.objects.select_related("element")
    serializer_class = serializers.CarbonCoefficientSerializer
    filterset_fields = ["verified"]

    @extend_schema(parameters=[serializers.CarbonPathQuerySerializer], responses=dict)
    @action(detail=False, methods=["get"])
    def path(self, request):
        """The carbon-neutral restoration path: estimated t CO2e per year, per corridor and province."""
        query = serializers.CarbonPathQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        years = list(range(query.validated_data["start"], query.validated_data["end"] + 1))
        return Response(selectors.sequestration_path(years=years))
