"""The restoration catalogues from fixtures/restoration.yaml (idempotent)."""

from django.db import transaction

from projects.core.choices import ChangeAction
from projects.core.history import record_change, snapshot
from projects.core.reference import read_yaml, upsert
from projects.restoration.choices import Combination
from projects.restoration.models import EcosystemElement, FundingSource, Indicator, MeasureType
from projects.restoration.services.catalogues import check_derivation


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
    indicators = {}
    for item in data["indicators"]:
        indicators[item["code"]] = upsert(
            Indicator,
            "code",
            item["code"],
            "indicator",
            {
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "unit": item["unit"],
                "aggregation": item["aggregation"],
                "combination": item.get("combination", Combination.SUM),
                "weight": item.get("weight", ""),
                "element": elements.get(item.get("element")),
            },
        )
    for item in data["indicators"]:
        indicator = indicators[item["code"]]
        wanted = {indicators[code].pk for code in item.get("derived_from", [])}
        if wanted != set(indicator.components.values_list("pk", flat=True)):
            before = snapshot(indicator)
            indicator.components.set(wanted)
            record_change(
                instance=indicator,
                action=ChangeAction.UPDATE,
                before=before,
                after=snapshot(indicator),
                message="load_reference",
            )
    for indicator in indicators.values():
        indicator.full_clean()
        check_derivation(indicator, refuse_reported=False)
    return {key: len(data[key]) for key in ("elements", "measures", "funding_sources", "indicators")}
