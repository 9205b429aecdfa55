"""GeoJSON for GIS clients: a spatial list answers as a FeatureCollection (a detail as a Feature)
when asked with ``?format=geojson`` or ``Accept: application/geo+json``, and takes a ``bbox``.

The features are the resource's own representation (the same serializer, the same permission
rule, the same filters and pages): the geometry field becomes the feature's geometry and every
other field a property, so a GIS client and a partner system read the same data.
"""

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.settings import api_settings

GEOJSON = "application/geo+json"


def as_feature(record: dict, geo_field: str) -> dict:
    """One record's representation as a GeoJSON Feature (its id as the feature's id)."""
    properties = dict(record)
    geometry = properties.pop(geo_field, None)
    return {"type": "Feature", "id": str(properties.get("id")), "geometry": geometry, "properties": properties}


def as_feature_collection(records, geo_field: str, **members) -> dict:
    return {"type": "FeatureCollection", **members, "features": [as_feature(r, geo_field) for r in records]}


class GeoJSONRenderer(renderers.JSONRenderer):
    """Lists as a FeatureCollection (the page's ``count``, ``next`` and ``previous`` kept as
    foreign members), details as a Feature; errors and other actions stay plain JSON."""

    media_type = GEOJSON
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        geo_field = getattr(view, "geo_field", None)
        action = getattr(view, "action", None)
        if geo_field is None or data is None or (response is not None and response.status_code >= 400):
            action = None
        if action == "list" and isinstance(data, dict) and "results" in data:
            members = {key: value for key, value in data.items() if key != "results"}
            data = as_feature_collection(data["results"], geo_field, **members)
        elif action == "list" and isinstance(data, list):
            data = as_feature_collection(data, geo_field)
        elif action == "retrieve" and isinstance(data, dict):
            data = as_feature(data, geo_field)
        elif response is not None:
            response["Content-Type"] = "application/json"
        return super().render(data, accepted_media_type, renderer_context)


def parse_bbox(value: str, parameter: str = "bbox") -> Polygon:
    """``west,south,east,north`` in WGS 84 longitude and latitude (a 3D box's heights are ignored)."""
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise ValidationError(
            {parameter: [_("Give the box as west,south,east,north in longitude and latitude (WGS 84).")]}
        )
    box = Polygon.from_bbox(numbers)
    box.srid = 4326
    return box


class BBoxFilter(BaseFilterBackend):
    """``?bbox=west,south,east,north``: records whose geometry meets the box (touching counts)."""

    parameter = "bbox"

    def filter_queryset(self, request, queryset, view):
        field = getattr(view, "geo_field", None)
        value = request.query_params.get(self.parameter)
        if not field or not value:
            return queryset
        return queryset.filter(**{f"{field}__intersects": parse_bbox(value, self.parameter)})

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "geo_field", None):
            return []
        return [
            {
                "name": self.parameter,
                "required": False,
                "in": "query",
                "description": "Only records whose geometry meets this box: west,south,east,north in WGS 84 "
                "(e.g. 105.5,28.5,107.5,30.5). Add `format=geojson` (or `Accept: application/geo+json`) "
                "for a GeoJSON FeatureCollection.",
                "schema": {"type": "string"},
            }
        ]


class GeoJSONMixin:
    """A spatial resource: names its geometry field (``geo_field``) and answers GeoJSON on request."""

    geo_field: str
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, GeoJSONRenderer]
    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, BBoxFilter]
