"""Brief representations of compensation records and the reference fields that read and write them
(``api.fields.Ref``: the id, the code, or the brief object in; the brief object out)."""

from rest_framework import serializers

from api.briefs import _ref
from projects.compensation.models import (
    CompensationAgreement,
    CompensationFund,
    EcologicalProduct,
    MonitoringSection,
    ProductListing,
    ProductType,
    SettlementRule,
    Standard,
)


class BriefSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringSection
        fields = ["id", "code", "name_zh", "name_en", "river", "target_class"]


class BriefRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementRule
        fields = ["id", "code", "name_zh", "name_en", "kind", "verified"]


class BriefAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationAgreement
        fields = ["id", "code", "name_zh", "name_en", "river", "status"]


class BriefFundSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationFund
        fields = ["id", "code", "name_zh", "name_en"]


class BriefStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "code", "title_zh", "issuer", "status"]


class BriefProductTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductType
        fields = ["id", "code", "name_zh", "name_en", "default_unit"]


class BriefProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcologicalProduct
        fields = ["id", "name", "unit", "vintage"]


class BriefListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductListing
        fields = ["id", "quantity", "asking_price", "listed_on", "status"]


SectionRef = _ref(MonitoringSection, BriefSectionSerializer)
RuleRef = _ref(SettlementRule, BriefRuleSerializer)
AgreementRef = _ref(CompensationAgreement, BriefAgreementSerializer)
FundRef = _ref(CompensationFund, BriefFundSerializer)
StandardRef = _ref(Standard, BriefStandardSerializer)
ProductTypeRef = _ref(ProductType, BriefProductTypeSerializer)
ProductRef = _ref(EcologicalProduct, BriefProductSerializer)
ListingRef = _ref(ProductListing, BriefListingSerializer)
