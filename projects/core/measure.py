"""Measured extents of geometries: lengths and areas on a projected CRS, the same on every backend.

Geometries are stored in WGS 84 (EPSG:4326), where lengths and areas in degrees mean nothing.
They are measured here, in Python with GDAL/PROJ, after transforming them to the CGCS2000
3-degree Gauss–Krüger zone whose central meridian is nearest to the geometry's centroid
(EPSG:4534 for 75°E … EPSG:4554 for 135°E; Sichuan and Chongqing lie in the zones of 99°E–111°E).
Because the database is never asked, PostGIS and SpatiaLite installations store the same figures.

Within a zone (±1.5° from the central meridian, scale factor 1) the projection lengthens distances
by at most about 0.03 % at these latitudes, well inside the 0.1 % the figures are held to.
WGS 84 and CGCS2000 coordinates differ by centimetres; they are taken as the same datum.
"""

import math
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry

# EPSG codes of CGCS2000 / 3-degree Gauss-Kruger CM 75E … CM 135E.
GK_FIRST_SRID, GK_FIRST_MERIDIAN, GK_LAST_MERIDIAN = 4534, 75, 135

METRE = Decimal("0.01")  # lengths in metres are kept to the centimetre
KILOMETRE = Decimal("0.001")  # lengths in kilometres to the metre
HECTARE = Decimal("0.0001")  # areas in hectares to the square metre


def gauss_kruger_srid(longitude: float) -> int:
    """The EPSG code of the CGCS2000 3-degree Gauss–Krüger zone (no zone prefix) for ``longitude``."""
    meridian = 3 * math.floor((longitude + 1.5) / 3)
    meridian = min(max(meridian, GK_FIRST_MERIDIAN), GK_LAST_MERIDIAN)
    return GK_FIRST_SRID + (meridian - GK_FIRST_MERIDIAN) // 3


def projected(geometry: GEOSGeometry) -> GEOSGeometry:
    """``geometry`` (WGS 84) in the Gauss–Krüger zone of its centroid, in metres."""
    source = geometry.clone()
    if source.srid is None:
        source.srid = 4326
    return source.transform(_transform(source.srid, gauss_kruger_srid(source.centroid.x)), clone=True)


# Building a transformation looks both systems up in PROJ's database (about 60 ms); one per
# thread and pair is kept, as GDAL's transformations must not be shared between threads.
_transforms = threading.local()


def _transform(source_srid: int, target_srid: int) -> CoordTransform:
    cache = _transforms.__dict__.setdefault("by_pair", {})
    key = (source_srid, target_srid)
    if key not in cache:
        cache[key] = CoordTransform(SpatialReference(source_srid), SpatialReference(target_srid))
    return cache[key]


def _parts(geometry: GEOSGeometry):
    if geometry.geom_type in ("GeometryCollection", "MultiLineString", "MultiPolygon", "MultiPoint"):
        for part in geometry:
            yield from _parts(part)
    else:
        yield geometry


@dataclass(frozen=True)
class Extent:
    """Length of the linear parts (m) and area of the areal parts (m²); None where there are none."""

    length_m: float | None
    area_m2: float | None

    @property
    def length_km(self) -> Decimal | None:
        return None if self.length_m is None else _decimal(self.length_m / 1000, KILOMETRE)

    @property
    def area_ha(self) -> Decimal | None:
        return None if self.area_m2 is None else _decimal(self.area_m2 / 10000, HECTARE)

    @property
    def length_metres(self) -> Decimal | None:
        return None if self.length_m is None else _decimal(self.length_m, METRE)


def _decimal(value: float, places: Decimal) -> Decimal:
    return Decimal(repr(value)).quantize(places, rounding=ROUND_HALF_UP)


def measure(geometry: GEOSGeometry | None) -> Extent:
    """The extent of a point, line, polygon, multi-geometry or collection.

    Lines count for the length (a polygon's outline does not), polygons for the area; points
    for neither. A buffer zone drawn as a polygon has an area, an isolation belt drawn as a line
    a length, and a project drawn as both has both.
    """
    if geometry is None or geometry.empty:
        return Extent(None, None)
    metric = projected(geometry)
    length = area = None
    for part in _parts(metric):
        if part.geom_type in ("LineString", "LinearRing"):
            length = (length or 0.0) + part.length
        elif part.geom_type == "Polygon":
            area = (area or 0.0) + part.area
    return Extent(length, area)
