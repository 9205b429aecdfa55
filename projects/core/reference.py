"""Loading the reference data in ``fixtures/``: provinces, divisions, corridors, key areas
and organizations. Idempotent: records are matched by their natural key and keep stable
UUIDs derived from it, so reloading never duplicates or loses what an admin added.
"""

import csv
import json
import uuid
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiLineString, MultiPolygon
from django.db import transaction

from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.core.models import Corridor, Division, KeyArea, Organization, Province

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
_LOADED = "load_reference"
NAMESPACE = uuid.UUID("6d1f3f0e-3c1e-5b55-9c43-0b1c2d6a2021")


# GB/T 2260 divisions: provinces, Sichuan's prefectures and Chongqing's districts and counties, and
# Guizhou's prefectures (see fixtures/ATTRIBUTION-geodata.md).
DIVISION_FILES = ("admin_divisions_sichuan_chongqing.csv", "admin_divisions_guizhou.csv")


def stable_id(kind: str, key: str) -> uuid.UUID:
    """The same UUID for the same reference record in every installation."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def read_yaml(name: str) -> dict:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def _features(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["features"]


def _multi_polygon(geometry: dict) -> MultiPolygon:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=4326)


def upsert(model, key_field: str, key: str, kind: str, values: dict):
    """Create or refresh one reference record by its natural key, with history."""
    obj = model.objects.filter(**{key_field: key}).first()
    if obj is None:
        obj = model.objects.create(**{key_field: key}, id=stable_id(kind, key), **values)
        record_change(instance=obj, action=ChangeAction.CREATE, after=snapshot(obj), message=_LOADED)
        return obj
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        before = snapshot(obj)
        for field in changed:
            setattr(obj, field, values[field])
        obj.save()
        record_change(instance=obj, action=ChangeAction.UPDATE, before=before, after=snapshot(obj), message=_LOADED)
    return obj


@transaction.atomic
def load() -> dict:
    data = read_yaml("reference.yaml")
    outlines = {f["properties"]["adcode"]: f["geometry"] for f in _features("provinces_sc_cq_gz_ne50m.geojson")}
    rivers = {f["properties"]["river_id"]: f["geometry"] for f in _features("rivers_upper_yangtze_ne10m.geojson")}
    adjacent = set(data["adjacent_areas"])

    rows = []
    for name in DIVISION_FILES:
        with (FIXTURES / name).open(encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))

    provinces = {}
    for row in rows:
        if row["level"] != "province":
            continue
        code = row["adcode"]
        provinces[code] = upsert(
            Province,
            "code",
            code,
            "province",
            {
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "short_name": data["provinces"].get(code, {}).get("short_name", ""),
                "outline": _multi_polygon(outlines[code]) if code in outlines else None,
            },
        )
    divisions = 0
    for row in rows:
        if row["level"] == "province":
            continue
        upsert(
            Division,
            "code",
            row["adcode"],
            "division",
            {
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "level": row["level"],
                "province": provinces[row["parent_adcode"][:2] + "0000"],
                "is_adjacent_area": row["adcode"] in adjacent,
            },
        )
        divisions += 1

    for order, item in enumerate(data["corridors"]):
        lines = []
        for river_id in item["rivers"]:
            geom = GEOSGeometry(json.dumps(rivers[river_id]), srid=4326)
            lines.extend(geom if geom.geom_type == "MultiLineString" else [geom])
        corridor = upsert(
            Corridor,
            "slug",
            item["slug"],
            "corridor",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "is_six_rivers": item.get("six_rivers", True),
                "description": item.get("description", ""),
                "sort_order": order,
                # Keep a line an admin loaded where the public data has none.
                **({"centreline": MultiLineString(*lines, srid=4326)} if lines else {}),
            },
        )
        corridor.provinces.add(*(provinces[code] for code in item["provinces"]))

    # Divisions along a corridor's river: added, never removed (an admin may have added more).
    for slug, codes in data.get("corridor_divisions", {}).items():
        corridor = Corridor.objects.get(slug=slug)
        missing = set(codes) - set(corridor.divisions.values_list("code", flat=True))
        if missing:
            corridor.divisions.add(*Division.objects.filter(code__in=missing))

    for item in data["key_areas"]:
        area = upsert(
            KeyArea,
            "slug",
            item["slug"],
            "key_area",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "kind": item["kind"],
                "focus": item["focus"],
            },
        )
        area.provinces.add(*(provinces[code] for code in item["provinces"]))

    for item in data["organizations"]:
        upsert(
            Organization,
            "slug",
            item["slug"],
            "organization",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "kind": item["kind"],
                "province": provinces[item["province"]] if item["province"] else None,
            },
        )
    return {
        "provinces": len(provinces),
        "divisions": divisions,
        "corridors": len(data["corridors"]),
        "key_areas": len(data["key_areas"]),
        "organizations": len(data["organizations"]),
    }
