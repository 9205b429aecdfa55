"""Reference data of the compensation app: the GB 3838-2002 tables, product types, the fund
and the (demonstration) carbon coefficients. Idempotent: matched by natural key, stable ids.

Carbon coefficients are only created where missing (an expert's sourced figure is never
overwritten by the demo value), and only for ecosystem elements that exist.
"""

from decimal import Decimal

from django.db import transaction

from projects.compensation.models import (
    CarbonCoefficient,
    CompensationFund,
    ProductType,
    QualityLimit,
    WaterParameter,
)
from projects.core import reference as core_reference
from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.core.reference import read_yaml, stable_id

# The foundation's upsert helper (named ``_upsert`` in older trees).
upsert = getattr(core_reference, "upsert", None) or core_reference._upsert

_LOADED = "load_reference"


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def load_water_tables() -> tuple[int, int]:
    data = read_yaml("gb3838_2002.yaml")["parameters"]
    limits = 0
    for order, (code, item) in enumerate(data.items()):
        low, high = item["plausible"]
        upsert(
            WaterParameter,
            "code",
            code,
            "water_parameter",
            {
                "unit": item["unit"],
                "evaluated_for": item["evaluated_for"],
                "plausible_min": _decimal(low),
                "plausible_max": _decimal(high),
                "sort_order": order,
            },
        )
        per_waterbody = item["limits"] if isinstance(item["limits"], dict) else {"any": item["limits"]}
        for waterbody, values in per_waterbody.items():
            for water_class, value in enumerate(values, start=1):
                lower, upper = value if isinstance(value, list) else (value, None)
                key = f"{code}:{waterbody}:{water_class}"
                existing = QualityLimit.objects.filter(
                    parameter=code, waterbody=waterbody, water_class=water_class
                ).first()
                values_now = {
                    "comparator": item["comparator"],
                    "limit": _decimal(lower),
                    "upper_limit": None if upper is None else _decimal(upper),
                }
                if existing is None:
                    obj = QualityLimit.objects.create(
                        id=stable_id("quality_limit", key),
                        parameter=code,
                        waterbody=waterbody,
                        water_class=water_class,
                        **values_now,
                    )
                    record_change(instance=obj, action=ChangeAction.CREATE, after=snapshot(obj), message=_LOADED)
                elif any(getattr(existing, f) != v for f, v in values_now.items()):
                    before = snapshot(existing)
                    for field, new in values_now.items():
                        setattr(existing, field, new)
                    existing.save()
                    record_change(
                        instance=existing,
                        action=ChangeAction.UPDATE,
                        before=before,
                        after=snapshot(existing),
                        message=_LOADED,
                    )
                limits += 1
    return len(data), limits


def load_coefficients(items: list[dict]) -> int:
    from projects.restoration.models import EcosystemElement

    elements = {e.code: e for e in EcosystemElement.objects.all()}
    created = 0
    for item in items:
        element = elements.get(item["element"])
        if element is None or CarbonCoefficient.objects.filter(element=element).exists():
            continue
        obj = CarbonCoefficient.objects.create(
            id=stable_id("carbon_coefficient", item["element"]),
            element=element,
            tco2e_per_ha_year=_decimal(item["value"]),
            source=item["source"],
            verified=False,
            note="docs/compensation.md §7: no sourced per-hectare rate; demonstration value.",
        )
        record_change(instance=obj, action=ChangeAction.CREATE, after=snapshot(obj), message=_LOADED)
        created += 1
    return created


@transaction.atomic
def load() -> dict:
    parameters, limits = load_water_tables()
    data = read_yaml("compensation.yaml")
    for order, item in enumerate(data["product_types"]):
        upsert(
            ProductType,
            "code",
            item["code"],
            "product_type",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "default_unit": item["default_unit"],
                "sort_order": order,
            },
        )
    for item in data["funds"]:
        upsert(
            CompensationFund,
            "code",
            item["code"],
            "compensation_fund",
            {"name_zh": item["name_zh"], "name_en": item["name_en"], "description": item["description"]},
        )
    coefficients = load_coefficients(data["carbon_coefficients"])
    return {
        "water_parameters": parameters,
        "quality_limits": limits,
        "product_types": len(data["product_types"]),
        "funds": len(data["funds"]),
        "carbon_coefficients_created": coefficients,
    }
