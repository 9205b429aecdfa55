import django_filters

from api.filters import TrackerFilterSet
from projects.core.models import Corridor, Division, KeyArea, Organization


class DivisionFilter(TrackerFilterSet):
    province = django_filters.CharFilter(field_name="province__code", label="province code")
    parent = django_filters.CharFilter(field_name="parent__code", label="parent division code")
    corridor = django_filters.CharFilter(
        field_name="corridors__slug", label="corridor slug (the river runs through or along it)", distinct=True
    )

    class Meta:
        model = Division
        fields = ["province", "parent", "level", "is_adjacent_area", "corridor"]


class CorridorFilter(TrackerFilterSet):
    province = django_filters.CharFilter(field_name="provinces__code", label="province code")

    class Meta:
        model = Corridor
        fields = ["province", "is_six_rivers"]


class KeyAreaFilter(TrackerFilterSet):
    province = django_filters.CharFilter(field_name="provinces__code", label="province code")

    class Meta:
        model = KeyArea
        fields = ["province", "kind"]


class OrganizationFilter(TrackerFilterSet):
    province = django_filters.CharFilter(field_name="province__code", label="province code")

    class Meta:
        model = Organization
        fields = ["province", "kind"]
