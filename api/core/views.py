from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.core import filters, serializers
from api.geojson import GeoJSONMixin
from api.viewsets import TrackedReadOnlyViewSet
from projects.core.models import Corridor, Division, KeyArea, Organization, Province

_NAME_SEARCH = ["name_zh", "name_en"]


class ProvinceViewSet(GeoJSONMixin, TrackedReadOnlyViewSet):
    """Provinces (四川, 重庆, 贵州) with their outlines as GeoJSON."""

    geo_field = "outline"
    queryset = Province.objects.all()
    serializer_class = serializers.ProvinceSerializer
    search_fields = ["code", *_NAME_SEARCH]
    ordering_fields = ["code", "name_zh", "name_en", "updated_at"]
    filterset_fields = ["code"]


class DivisionViewSet(GeoJSONMixin, TrackedReadOnlyViewSet):
    """Prefecture- and county-level divisions; ``?is_adjacent_area=true`` for 毗邻地区, ``?corridor=wu``
    for those along a corridor's river."""

    geo_field = "outline"
    # Corridors in brief: their centrelines are never loaded.
    queryset = Division.objects.select_related("province", "parent").prefetch_related(
        Prefetch("corridors", queryset=Corridor.objects.only("id", "slug", "name_zh", "name_en"))
    )
    serializer_class = serializers.DivisionSerializer
    filterset_class = filters.DivisionFilter
    search_fields = ["code", *_NAME_SEARCH]
    ordering_fields = ["code", "name_zh", "name_en", "updated_at"]


class CorridorViewSet(GeoJSONMixin, TrackedReadOnlyViewSet):
    """The six rivers' ecological corridors and 赤水河."""

    geo_field = "centreline"
    queryset = Corridor.objects.prefetch_related("provinces")
    serializer_class = serializers.CorridorSerializer
    filterset_class = filters.CorridorFilter
    search_fields = ["slug", *_NAME_SEARCH]
    ordering_fields = ["sort_order", "slug", "name_zh", "updated_at"]


class KeyAreaViewSet(GeoJSONMixin, TrackedReadOnlyViewSet):
    """Key ecological areas such as 秦巴山区."""

    geo_field = "outline"
    queryset = KeyArea.objects.prefetch_related("provinces")
    serializer_class = serializers.KeyAreaSerializer
    filterset_class = filters.KeyAreaFilter
    search_fields = ["slug", *_NAME_SEARCH]
    ordering_fields = ["slug", "name_zh", "updated_at"]


class OrganizationViewSet(TrackedReadOnlyViewSet):
    """Agencies taking part, each of one province (or of both, like the joint office)."""

    queryset = Organization.objects.select_related("province")
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    search_fields = ["slug", *_NAME_SEARCH]
    ordering_fields = ["slug", "name_zh", "updated_at"]


@extend_schema(responses=serializers.CurrentUserSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    """The signed-in user, their organization and role."""
    return Response(serializers.CurrentUserSerializer(request.user).data)
