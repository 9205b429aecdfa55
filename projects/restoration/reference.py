"""The restoration catalogues from fixtures/restoration.yaml (idempotent)."""

from django.db import transaction

from projects.core.reference import read_yaml, upsert
from projects.restoration.models import EcosystemElement, FundingSource, Indicator, MeasureType


@transaction.atomic
def load() -> dict:
    data = read_yaml("restoration.yaml")
    elements = {}
    for order, item in enumerate(data["elements"]):
        elements[item["code"]] = upsert(
            EcosystemElement,
            "code",
            item["code"],
            "element",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "sort_order": order,
            },
        )
    for item in data["measures"]:
        upsert(MeasureType, "code", item["code"], "measure", {"name_zh": item["name_zh"], "name_en": item["name_en"]})
    for order, item in enumerate(data["funding_sources"]):
        upsert(
            FundingSource,
            "code",
            item["code"],
            "funding_source",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "sort_order": order,
            },
        )
    for item in data["indicators"]:
        upsert(
            Indicator,
            "code",
            item["code"],
            "indicator",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "unit": item["unit"],
                "aggregation": item["aggregation"],
                "element": elements.get(item.get("element")),
            },
        )
    return {key: len(data[key]) for key in ("elements", "measures", "funding_sources", "indicators")}
