"""Reference data of the joint conference: the "six rivers" corridor plan (fixtures/conference.yaml).

Idempotent: matched by slug, with a stable UUID; targets are data, entered in the admin or the API.
"""

from django.db import transaction

from projects.conference.models import CorridorPlan
from projects.core.models import Organization
from projects.core.reference import read_yaml, upsert


@transaction.atomic
def load() -> dict:
    data = read_yaml("conference.yaml")
    for item in data["corridor_plans"]:
        plan = upsert(
            CorridorPlan,
            "slug",
            item["slug"],
            "corridor_plan",
            {
                "title_zh": item["title_zh"],
                "title_en": item["title_en"],
                "start_year": item["start_year"],
                "end_year": item["end_year"],
                "description": item["description"],
            },
        )
        plan.compiled_by.add(*Organization.objects.filter(slug__in=item["compiled_by"]))
    return {"corridor_plans": len(data["corridor_plans"])}
