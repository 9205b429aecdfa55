"""Brief representations of records and the reference fields that read and write them.

A brief shows only what its model declares in ``brief_fields`` (tests check it): a change of
one of those fields touches every record that shows the brief (``projects.core.services``), so
their versions, ETags and the changes feed say they changed.

A reference field (``CorridorRef()`` …) is read as the brief object and written as the id, the
code or the slug, or the brief object itself (see ``api.fields.Ref``). Every endpoint uses these,
so a corridor, an organization or an indicator reads and writes the same way everywhere.
"""

from rest_framework import serializers

from api.fields import Ref
from projects.core.models import Corridor, Division, KeyArea, Organization, Province, User
from projects.restoration.models import EcosystemElement, FundingSource, Indicator, MeasureType, Project

NAMES = ["id", "name_zh", "name_en"]


class BriefProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name_zh", "name_en", "short_name"]


class BriefDivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "code", "name_zh", "name_en", "is_adjacent_area"]


class BriefCorridorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Corridor
        fields = ["id", "slug", "name_zh", "name_en"]


class BriefKeyAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyArea
        fields = ["id", "slug", "name_zh", "name_en"]


class BriefOrganizationSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="GB/T 2260 code (none for the joint office)"
    )

    class Meta:
        model = Organization
        fields = ["id", "slug", "name_zh", "name_en", "province"]


class BriefElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcosystemElement
        fields = ["id", "code", "name_zh", "name_en"]


class BriefMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureType
        fields = ["id", "code", "name_zh", "name_en"]


class BriefFundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name_zh", "name_en"]


class BriefIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name_zh", "name_en", "unit"]


class BriefProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name_zh", "name_en"]


class BriefUserSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


def _ref(model, brief):
    class ModelRef(Ref):
        def __init__(self, **kwargs):
            if not kwargs.get("read_only"):
                kwargs.setdefault("queryset", model._default_manager.all())
            super().__init__(brief=brief, **kwargs)

    ModelRef.__name__ = ModelRef.__qualname__ = f"{model.__name__}Ref"
    ModelRef.__doc__ = f"A reference to a {model._meta.verbose_name} (id, code or slug; read in brief)."
    return ModelRef


ProvinceRef = _ref(Province, BriefProvinceSerializer)
DivisionRef = _ref(Division, BriefDivisionSerializer)
CorridorRef = _ref(Corridor, BriefCorridorSerializer)
KeyAreaRef = _ref(KeyArea, BriefKeyAreaSerializer)
OrganizationRef = _ref(Organization, BriefOrganizationSerializer)
ElementRef = _ref(EcosystemElement, BriefElementSerializer)
MeasureRef = _ref(MeasureType, BriefMeasureSerializer)
FundingSourceRef = _ref(FundingSource, BriefFundingSourceSerializer)
IndicatorRef = _ref(Indicator, BriefIndicatorSerializer)
ProjectRef = _ref(Project, BriefProjectSerializer)
UserRef = _ref(User, BriefUserSerializer)
