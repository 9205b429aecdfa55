"""Filters: pairs by id and by code or slug, as elsewhere in the API."""

import django_filters
from django.db.models import Q

from api.filters import TrackerFilterSet
from projects.compensation.models import (
    CompensationAgreement,
    EcologicalProduct,
    FundAllocation,
    FundContribution,
    MonitoringSection,
    ProductListing,
    Settlement,
    Standard,
    Trade,
    WaterSample,
)


class AgreementFilter(TrackerFilterSet):
    province = django_filters.CharFilter(method="filter_province", label="province code (either party)")
    corridor = django_filters.CharFilter(field_name="corridor__slug", label="corridor slug")

    class Meta:
        model = CompensationAgreement
        fields = ["status", "corridor", "corridor_id", "settlement_period"]

    def filter_province(self, queryset, name, value):
        return queryset.filter(Q(upstream_province__code=value) | Q(downstream_province__code=value))


class SectionFilter(TrackerFilterSet):
    corridor = django_filters.CharFilter(field_name="corridor__slug", label="corridor slug")
    agreement = django_filters.CharFilter(field_name="agreements__code", label="agreement code")

    class Meta:
        model = MonitoringSection
        fields = ["corridor", "corridor_id", "agreement", "waterbody", "target_class", "river"]


class SampleFilter(TrackerFilterSet):
    section = django_filters.CharFilter(field_name="section__code", label="section code")
    sampled_after = django_filters.DateFilter(field_name="sampled_on", lookup_expr="gte")
    sampled_before = django_filters.DateFilter(field_name="sampled_on", lookup_expr="lte")

    class Meta:
        model = WaterSample
        fields = ["section", "section_id", "source", "water_class", "sampled_after", "sampled_before"]


class SettlementFilter(TrackerFilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__code", label="agreement code")

    class Meta:
        model = Settlement
        fields = ["agreement", "agreement_id", "status", "period", "payer"]


class ContributionFilter(TrackerFilterSet):
    fund = django_filters.CharFilter(field_name="fund__code")
    contributor = django_filters.CharFilter(field_name="contributor__slug", label="organization slug")
    province = django_filters.CharFilter(field_name="contributor__province__code", label="province code")
    year = django_filters.NumberFilter(field_name="received_on__year")

    class Meta:
        model = FundContribution
        fields = ["fund", "contributor", "contributor_id", "province", "year"]


class AllocationFilter(TrackerFilterSet):
    fund = django_filters.CharFilter(field_name="fund__code")
    province = django_filters.CharFilter(field_name="province__code", label="province code")
    corridor = django_filters.CharFilter(field_name="corridor__slug", label="corridor slug")
    key_area = django_filters.CharFilter(field_name="key_area__slug", label="key area slug")
    project = django_filters.CharFilter(field_name="project__code", label="project code")
    year = django_filters.NumberFilter(field_name="allocated_on__year")

    class Meta:
        model = FundAllocation
        fields = ["fund", "province", "corridor", "corridor_id", "key_area", "project", "project_id", "year"]


class StandardFilter(TrackerFilterSet):
    measure = django_filters.CharFilter(field_name="measures__code", label="measure code")
    element = django_filters.CharFilter(field_name="elements__code", label="element code")
    project = django_filters.CharFilter(field_name="projects__code", label="project code")

    class Meta:
        model = Standard
        fields = ["issuer", "status", "kind", "measure", "element", "project"]


class ProductFilter(TrackerFilterSet):
    product_type = django_filters.CharFilter(field_name="product_type__code", label="type code")
    owner = django_filters.CharFilter(field_name="owner__slug", label="organization slug")
    project = django_filters.CharFilter(field_name="project__code", label="project code")

    class Meta:
        model = EcologicalProduct
        fields = ["product_type", "owner", "owner_id", "project", "project_id", "vintage"]


class ListingFilter(TrackerFilterSet):
    class Meta:
        model = ProductListing
        fields = ["product", "status"]


class TradeFilter(TrackerFilterSet):
    seller = django_filters.CharFilter(field_name="seller__slug", label="organization slug")
    buyer = django_filters.CharFilter(field_name="buyer__slug", label="organization slug")

    class Meta:
        model = Trade
        fields = ["product", "listing", "seller", "seller_id", "buyer", "buyer_id", "status"]
