"""Shapes for the demo: reaches of the real rivers (Natural Earth centrelines in fixtures/), lines
along a bank, zones along a bank or around a place, and the shoreline segments of the corridors.

Geometry is built in metres on the Gauss–Krüger zone of the place (``projects.core.measure``)
and returned in WGS 84. Natural Earth lines are generalised for 1:10 million maps and run
downstream, so "left" is the left bank seen downstream; the shapes are illustrative, near the
places the demo projects name. 涪江 and 赤水河 have no public centreline: their projects are
drawn as zones around the places they name, and no shoreline is recorded for them.
"""

import itertools
import json
import math
from functools import cache

from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon

from projects.core.measure import gauss_kruger_srid
from projects.core.reference import FIXTURES

RIVERS = "rivers_upper_yangtze_ne10m.geojson"


@cache
def river_parts(river_id: str) -> tuple:
    """The river's centreline as separate lines (WGS 84)."""
    features = json.loads((FIXTURES / RIVERS).read_text(encoding="utf-8"))["features"]
    geometry = next(f["geometry"] for f in features if f["properties"]["river_id"] == river_id)
    lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
    return tuple(LineString(line, srid=4326) for line in lines if len(line) > 1)


def _metric(geometry: GEOSGeometry, srid: int) -> GEOSGeometry:
    return geometry.transform(srid, clone=True)


def _wgs84(geometry: GEOSGeometry) -> GEOSGeometry:
    return geometry.transform(4326, clone=True)


def _substring(line: LineString, start: float, end: float) -> LineString:
    """The part of ``line`` (metric) between ``start`` and ``end`` metres along it."""
    start, end = max(0.0, start), min(line.length, end)
    points = [line.interpolate(start).coords]
    travelled = 0.0
    coords = line.coords
    for (x0, y0), (x1, y1) in itertools.pairwise(coords):
        travelled += math.hypot(x1 - x0, y1 - y0)
        if start < travelled < end:
            points.append((x1, y1))
    points.append(line.interpolate(end).coords)
    return LineString(points, srid=line.srid)


def reach(river_id: str, near: tuple[float, float], length_km: float, shift_km: float = 0.0) -> LineString:
    """About ``length_km`` of the river centred on the point nearest to ``near`` (lon, lat),
    moved ``shift_km`` downstream (negative: upstream). WGS 84."""
    srid = gauss_kruger_srid(near[0])
    place = Point(*near, srid=4326).transform(srid, clone=True)
    line = min((_metric(part, srid) for part in river_parts(river_id)), key=lambda part: part.distance(place))
    middle = line.project(place) + shift_km * 1000
    half = length_km * 500
    return _wgs84(_substring(line, middle - half, middle + half))


def _offset(line: LineString, distance: float) -> LineString:
    """``line`` (metric) moved ``distance`` metres to its left (negative: right), vertex by vertex."""
    coords = line.coords
    moved = []
    for index, (x, y) in enumerate(coords):
        before = coords[max(0, index - 1)]
        after = coords[min(len(coords) - 1, index + 1)]
        dx, dy = after[0] - before[0], after[1] - before[1]
        norm = math.hypot(dx, dy) or 1.0
        moved.append((x - dy / norm * distance, y + dx / norm * distance))
    return LineString(moved, srid=line.srid)


def _side(bank: str) -> int:
    return 1 if bank == "left" else -1


def bank_line(river_reach: LineString, bank: str, offset_m: float = 60) -> LineString:
    """A line along one bank of a reach (a stretch of shoreline, an isolation belt)."""
    srid = gauss_kruger_srid(river_reach.centroid.x)
    return _wgs84(_offset(_metric(river_reach, srid), _side(bank) * offset_m))


def bank_zone(river_reach: LineString, bank: str, inner_m: float, outer_m: float) -> GEOSGeometry:
    """A zone between ``inner_m`` and ``outer_m`` from the river on one bank or both (a buffer zone)."""
    srid = gauss_kruger_srid(river_reach.centroid.x)
    metric = _metric(river_reach, srid)
    half, middle = (outer_m - inner_m) / 2, (outer_m + inner_m) / 2
    banks = ["left", "right"] if bank == "both" else [bank]
    zones = [_offset(metric, _side(side) * middle).buffer_with_style(half, end_cap_style=2) for side in banks]
    shape = zones[0] if len(zones) == 1 else zones[0].union(zones[1])
    if shape.geom_type == "Polygon":
        shape = MultiPolygon(shape, srid=srid)
    return _wgs84(shape)


def around(place: tuple[float, float], radius_m: float) -> Polygon:
    """A zone around a place (a wetland park, a mine site, a mountain area)."""
    srid = gauss_kruger_srid(place[0])
    return _wgs84(Point(*place, srid=4326).transform(srid, clone=True).buffer(radius_m, quadsegs=16))


def pieces(river_reach: LineString, count: int) -> list[LineString]:
    """The reach cut into ``count`` consecutive stretches of equal length (WGS 84)."""
    srid = gauss_kruger_srid(river_reach.centroid.x)
    metric = _metric(river_reach, srid)
    step = metric.length / count
    return [_wgs84(_substring(metric, i * step, (i + 1) * step)) for i in range(count)]
