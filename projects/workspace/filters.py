"""The map's project filters: the API's project filters (one meaning for ``corridor``, ``status``,
``element``, ``measure`` and ``province`` in both faces), a year and the visible extent."""

import django_filters
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.restoration.filters import ProjectFilter


class MapProjectFilter(ProjectFilter):
    year = django_filters.NumberFilter(method="filter_year", label=_("year"), min_value=1990, max_value=2100)
    bbox = django_filters.CharFilter(method="filter_bbox", label=_("visible extent"))

    class Meta(ProjectFilter.Meta):
        fields = [*ProjectFilter.Meta.fields, "year", "bbox"]

    def filter_year(self, queryset, name, value):
        """Projects planned to be under way at some time in the year (an open end counts as going on)."""
        year = int(value)
        return queryset.filter(
            Q(planned_start__year__lte=year) | Q(planned_start=None),
            Q(planned_end__year__gte=year) | Q(planned_end=None),
        )

    def filter_bbox(self, queryset, name, value):
        """``west,south,east,north`` in WGS 84: the shapes that reach into it. A malformed extent
        filters nothing out (the map then shows everything rather than an error)."""
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError:
            return queryset
        if not (west < east and south < north):
            return queryset
        extent = Polygon.from_bbox((west, south, east, north))
        extent.srid = 4326
        return queryset.filter(geometry__intersects=extent)
