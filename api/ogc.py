"""OGC API – Features, Part 1 Core (GeoJSON and HTML), at ``/ogc/``, for QGIS, GDAL/OGR and OWSLib.

Thin views over the API's own viewsets: a collection's items are the viewset's list (its
queryset, ``projects.permissions.visible``, its filters, ``bbox``) and a single item is its
detail (the rule's object check), shown as GeoJSON features. Sign-in is the API's: a token
(``Authorization: Token trk_…``) or a session; anonymous requests get 401, as on ``/api/v1/``.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.gis.db.models import Extent
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api import representations
from api.compensation.views import MonitoringSectionViewSet
from api.core.views import CorridorViewSet, DivisionViewSet, KeyAreaViewSet, ProvinceViewSet
from api.geojson import as_feature
from api.restoration.views import ProjectViewSet, ShorelineSegmentViewSet
from api.tabular import columns_for, display_name

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
# Parameters of Part 1 and of the API's lists besides each collection's own filters.
COMMON_PARAMETERS = {"f", "format", "limit", "offset", "bbox", "datetime", "search", "ordering", "updated_since"}


@dataclass(frozen=True)
class Collection:
    id: str
    viewset: type
    title: object
    description: object
    # The fields giving a feature's time (start, end), matched by ``datetime``.
    time: tuple[str, str]


COLLECTIONS = {
    c.id: c
    for c in [
        Collection(
            "corridors",
            CorridorViewSet,
            gettext_lazy("Ecological corridors"),
            gettext_lazy("The six rivers' ecological corridors and the Chishui River, as their main streams."),
            ("updated_at", "updated_at"),
        ),
        Collection(
            "key-areas",
            KeyAreaViewSet,
            gettext_lazy("Key ecological areas"),
            gettext_lazy("Key ecological areas such as the Qinba Mountains, as outlines."),
            ("updated_at", "updated_at"),
        ),
        Collection(
            "provinces",
            ProvinceViewSet,
            gettext_lazy("Provinces"),
            gettext_lazy("The provinces taking part, as outlines."),
            ("updated_at", "updated_at"),
        ),
        Collection(
            "divisions",
            DivisionViewSet,
            gettext_lazy("Administrative divisions"),
            gettext_lazy("Prefecture- and county-level divisions, as outlines."),
            ("updated_at", "updated_at"),
        ),
        Collection(
            "projects",
            ProjectViewSet,
            gettext_lazy("Restoration projects"),
            gettext_lazy("Ecological restoration projects with their sites; time is the planned start and end."),
            ("planned_start", "planned_end"),
        ),
        Collection(
            "monitoring-sections",
            MonitoringSectionViewSet,
            gettext_lazy("Monitoring sections"),
            gettext_lazy("Cross-boundary water-quality monitoring sections, as points."),
            ("updated_at", "updated_at"),
        ),
        Collection(
            "shoreline-segments",
            ShorelineSegmentViewSet,
            gettext_lazy("Shoreline segments"),
            gettext_lazy("Surveyed stretches of the corridors' banks; time is the survey date."),
            ("surveyed_on", "surveyed_on"),
        ),
    ]
}


class OGCNegotiation(DefaultContentNegotiation):
    """``?f=json`` or ``?f=html`` (OGC's parameter), else the ``Accept`` header; JSON by default."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("f"))


class OGCJSONRenderer(renderers.JSONRenderer):
    format = "json"


class OGCGeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "json"


class OGCHTMLRenderer(renderers.BaseRenderer):
    """One page for every resource: its title, links, collections, features or properties."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        view, request = context.get("view"), context.get("request")
        data = data if isinstance(data, dict) else {}
        table = view.html_table(data) if isinstance(view, OGCView) else None
        properties = data.get("properties") or {}
        heading = data.get("title") or display_name(properties) if properties else data.get("title")
        response = context.get("response")
        errors = []
        if response is not None and response.status_code >= 400:
            errors = [" ".join(map(str, v)) if isinstance(v, list) else str(v) for v in data.values()]
        page = {
            "heading": heading or _("OGC API – Features"),
            "description": data.get("description", ""),
            "errors": errors,
            "conforms_to": data.get("conformsTo", []),
            "collections": data.get("collections", []),
            "matched": data.get("numberMatched"),
            "returned": data.get("numberReturned"),
            "is_collection": "features" in data,
            "table": table,
            "links": data.get("links", []),
        }
        return render_to_string("ogc/page.html", page, request=getattr(request, "_request", None))


def _url(request, path: str, **query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return request.build_absolute_uri(f"/ogc/{path}") + (f"?{urlencode(query)}" if query else "")


def _links(request, path: str, title, kind: str = "application/json", **query) -> list[dict]:
    """``self`` in the format asked for and ``alternate`` in the others."""
    asked = "text/html" if request.accepted_renderer.format == "html" else kind
    formats = [(kind, "json"), ("text/html", "html")]
    return [
        {
            "href": _url(request, path, **query, f=f),
            "rel": "self" if media == asked else "alternate",
            "type": media,
            "title": str(title),
        }
        for media, f in formats
    ]


class OGCView(APIView):
    content_negotiation_class = OGCNegotiation
    renderer_classes = [OGCJSONRenderer, OGCHTMLRenderer]
    collection: Collection | None = None

    def initial(self, request, *args, **kwargs):
        # A token limited to some record types reaches only their collections (``resource_of``).
        if "collection" in kwargs:
            self.collection = COLLECTIONS.get(kwargs["collection"])
            if self.collection is not None:
                self.queryset = self.collection.viewset.queryset
        super().initial(request, *args, **kwargs)
        if "collection" in kwargs and self.collection is None:
            raise Http404

    def viewset(self, action: str, **kwargs):
        """The collection's API viewset, set up for this request (its rule, filters and serializer)."""
        view = self.collection.viewset(request=self.request, format_kwarg=None, action=action, args=(), kwargs=kwargs)
        view.headers = {}
        return view

    def collection_info(self, collection: Collection) -> dict:
        view = collection.viewset(request=self.request, format_kwarg=None, action="list", args=(), kwargs={})
        box = view.get_queryset().aggregate(box=Extent(collection.viewset.geo_field))["box"]
        return {
            "id": collection.id,
            "title": str(collection.title),
            "description": str(collection.description),
            "itemType": "feature",
            "crs": [CRS84],
            "extent": {"spatial": {"bbox": [list(box)] if box else [[73.0, 18.0, 135.0, 54.0]], "crs": CRS84}},
            "links": [
                *_links(self.request, f"collections/{collection.id}", collection.title),
                {
                    "href": _url(self.request, f"collections/{collection.id}/items", f="json"),
                    "rel": "items",
                    "type": "application/geo+json",
                    "title": str(collection.title),
                },
                {
                    "href": _url(self.request, f"collections/{collection.id}/items", f="html"),
                    "rel": "items",
                    "type": "text/html",
                    "title": str(collection.title),
                },
            ],
        }

    def html_table(self, data):
        return None


class LandingPage(OGCView):
    @extend_schema(exclude=True)
    def get(self, request):
        links = _links(request, "", _("Restoration tracker: OGC API – Features"))
        links += [
            {
                "href": _url(request, "conformance", f="json"),
                "rel": "conformance",
                "type": "application/json",
                "title": _("Conformance classes"),
            },
            {
                "href": _url(request, "collections", f="json"),
                "rel": "data",
                "type": "application/json",
                "title": _("Collections"),
            },
            {
                "href": request.build_absolute_uri("/api/v1/docs/"),
                "rel": "service-doc",
                "type": "text/html",
                "title": _("The tracker's REST API"),
            },
        ]
        return Response(
            {
                "title": _("Sichuan–Chongqing ecological restoration tracker"),
                "description": _(
                    "Corridors, key areas, divisions, provinces, restoration projects, monitoring sections "
                    "and shoreline segments as OGC API – Features, for GIS programs such as QGIS and GDAL."
                ),
                "links": links,
            }
        )


class Conformance(OGCView):
    @extend_schema(exclude=True)
    def get(self, request):
        return Response({"title": _("Conformance classes"), "conformsTo": CONFORMANCE})


class Collections(OGCView):
    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "title": _("Collections"),
                "links": _links(request, "collections", _("Collections")),
                "collections": [self.collection_info(c) for c in COLLECTIONS.values()],
            }
        )


class CollectionDetail(OGCView):
    @extend_schema(exclude=True)
    def get(self, request, collection):
        return Response(self.collection_info(self.collection))


def _moment(text: str, parameter: str, end: bool) -> datetime.datetime | None:
    if text in ("", ".."):
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text) if len(text) == 10 else None
        if day is None:
            raise ValidationError({parameter: [_("Give a date and time as in 2025-01-01T00:00:00Z, or an interval.")]})
        moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def datetime_filter(collection: Collection, value: str) -> Q:
    """Features whose time (an instant or the interval of its start and end) meets ``value``:
    an instant or an interval ``start/end`` with ``..`` (or nothing) for an open end."""
    start_text, _slash, end_text = value.partition("/")
    start = _moment(start_text, "datetime", end=False)
    end = _moment(end_text, "datetime", end=True) if _slash else _moment(start_text, "datetime", end=True)
    if _slash and start and end and start > end:
        raise ValidationError({"datetime": [_("The interval ends before it starts.")]})
    first, last = collection.time
    model = collection.viewset.queryset.model
    is_date = model._meta.get_field(first).get_internal_type() == "DateField"
    condition = Q()
    if end is not None:
        condition &= Q(**{f"{first}__lte": end.date() if is_date else end})
    if start is not None:
        condition &= Q(**{f"{last}__gte": start.date() if is_date else start})
    return condition


def _integer(request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < (1 if name == "limit" else 0):
        raise ValidationError({name: [_("Give a whole number, at least %(least)s.") % {"least": int(name == "limit")}]})
    return number


class Items(OGCView):
    renderer_classes = [OGCGeoJSONRenderer, OGCJSONRenderer, OGCHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request, collection):
        collection = self.collection
        view = self.viewset("list")
        queryset = view.get_queryset()
        filters = DjangoFilterBackend().get_filterset_class(view, queryset)
        known = COMMON_PARAMETERS | set(filters.base_filters if filters else ())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [_("This parameter is not known here.")] for name in unknown})
        queryset = view.filter_queryset(view.shared(queryset))
        if request.query_params.get("datetime"):
            queryset = queryset.filter(datetime_filter(collection, request.query_params["datetime"]))
        if not queryset.ordered:
            queryset = queryset.order_by("pk")
        limit = min(_integer(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        offset = _integer(request, "offset", 0)
        matched = queryset.count()
        if representations.kept(view):
            # The API's kept representations (the same serializer's): only records nobody read since
            # their last change are built, their prefetches run for those alone.
            page = list(queryset.prefetch_related(None)[offset : offset + limit])
            kept = representations.representations(view, page, queryset._prefetch_related_lookups)
            records = [item.decoded() for item in kept]
        else:
            page = list(queryset[offset : offset + limit])
            records = view.get_serializer(page, many=True).data
        self.serializer = view.get_serializer()
        query = {key: value for key, value in request.query_params.items() if key not in ("offset", "f")}
        path = f"collections/{collection.id}/items"
        links = _links(request, path, collection.title, "application/geo+json", **query)
        paging = [("next", offset + limit, offset + limit < matched), ("prev", max(offset - limit, 0), offset > 0)]
        for rel, at, present in paging:
            if present:
                f = "html" if request.accepted_renderer.format == "html" else "json"
                kind = "text/html" if f == "html" else "application/geo+json"
                links.append({"href": _url(request, path, **query, offset=at, f=f), "rel": rel, "type": kind})
        links.append({"href": _url(request, f"collections/{collection.id}", f="json"), "rel": "collection"})
        return Response(
            {
                "type": "FeatureCollection",
                "title": str(collection.title),
                "features": [as_feature(record, collection.viewset.geo_field) for record in records],
                "numberMatched": matched,
                "numberReturned": len(page),
                "timeStamp": timezone.now().isoformat(),
                "links": links,
            }
        )

    def html_table(self, data):
        return _table(getattr(self, "serializer", None), [f["properties"] for f in data.get("features", [])])


class Item(OGCView):
    renderer_classes = [OGCGeoJSONRenderer, OGCJSONRenderer, OGCHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request, collection, item):
        collection = self.collection
        view = self.viewset("retrieve", pk=item)
        obj = view.get_object()
        self.serializer = view.get_serializer()
        feature = as_feature(view.get_serializer(obj).data, collection.viewset.geo_field)
        path = f"collections/{collection.id}/items/{item}"
        feature["links"] = [
            *_links(request, path, collection.title, "application/geo+json"),
            {"href": _url(request, f"collections/{collection.id}", f="json"), "rel": "collection"},
        ]
        return Response(feature)

    def html_table(self, data):
        return _table(getattr(self, "serializer", None), [data.get("properties", {})])


def _table(serializer, records) -> dict | None:
    if serializer is None:
        return None
    columns = [c for c in columns_for(serializer) if c.kind != "ids"]
    return {
        "headers": [c.label for c in columns],
        "rows": [{"id": r.get("id"), "cells": [c.cell(r) for c in columns]} for r in records],
    }


_SLASH = "/?$"
urlpatterns = [
    re_path(r"^$", LandingPage.as_view(), name="ogc-landing"),
    re_path(rf"^conformance{_SLASH}", Conformance.as_view(), name="ogc-conformance"),
    re_path(rf"^collections{_SLASH}", Collections.as_view(), name="ogc-collections"),
    re_path(rf"^collections/(?P<collection>[\w-]+){_SLASH}", CollectionDetail.as_view(), name="ogc-collection"),
    re_path(rf"^collections/(?P<collection>[\w-]+)/items{_SLASH}", Items.as_view(), name="ogc-items"),
    re_path(
        rf"^collections/(?P<collection>[\w-]+)/items/(?P<item>[\w-]+){_SLASH}",
        Item.as_view(),
        name="ogc-item",
    ),
]
