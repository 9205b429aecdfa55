"""A record's version (and ETag, updated_at, changes feed) moves whenever its representation does.

On the demo data, a script of ordinary writes across every domain runs through the services;
every record of every resource is read before and after. A record whose representation changed
must have a new version: otherwise a partner's mirror, an ETag or updated_since would miss the
change. This is what keeps the changes feed exact for every record type, not only projects.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.changes import RESOURCES
from projects.compensation import services as compensation
from projects.compensation.models import CompensationFund, EcologicalProduct, MonitoringSection, Standard
from projects.conference import services as conference
from projects.conference.models import ActionItem, Decision, Expert, ExpertReview, Meeting, PlanItem
from projects.core.models import Corridor, Organization, Province, User
from projects.core.services import plain_save
from projects.restoration import services as restoration
from projects.restoration.models import Indicator, ProgressReport, Project

VOLATILE = {"updated_at", "version", "created_at"}


def _snapshot(client) -> dict:
    records = {}
    for prefix in RESOURCES.by_name:
        url = f"/api/v1/{prefix}/?page_size=500&include_drafts=true"
        while url:
            page = client.get(url).json()
            for item in page["results"]:
                records[(prefix, item["id"])] = item
            url = page.get("next")
    return records


def _script(users):
    """Ordinary work of a day, each step through its service as the person who would do it."""
    office, sc, cq = users["joint_office"], users["sc_staff"], users["cq_staff"]
    steps = []

    def step(name, call):
        call()
        steps.append(name)

    step(
        "rename an organization",
        lambda: plain_save(Organization)(
            actor=office,
            instance=Organization.objects.get(slug="sc-forestry-grassland"),
            data={"name_zh": "四川省林业和草原局（更名）"},
        ),
    )
    step(
        "rename a corridor",
        lambda: plain_save(Corridor)(
            actor=office, instance=Corridor.objects.get(slug="tuo"), data={"name_en": "Tuo River (renamed)"}
        ),
    )
    step(
        "rename a province's short name",
        lambda: plain_save(Province)(
            actor=office, instance=Province.objects.get(code="520000"), data={"short_name": "黔·"}
        ),
    )
    step(
        "rename an indicator",
        lambda: restoration.indicator_save(
            actor=office,
            instance=Indicator.objects.get(code="forest-restored-area"),
            data={"name_en": "Forest restored (ha)"},
        ),
    )
    project = Project.objects.filter(lead_organization__slug="sc-natural-resources").order_by("code").first()
    step(
        "rename a project",
        lambda: restoration.project_save(actor=sc, instance=project, data={"name_zh": project.name_zh + "（调整）"}),
    )
    submitted = ProgressReport.objects.filter(status="submitted").order_by("pk").first()
    if submitted is not None:
        reviewer = office
        step(
            "accept a report", lambda: restoration.report_transition(actor=reviewer, instance=submitted, to="accepted")
        )
    draft = ProgressReport.objects.filter(status="draft", reported_by=sc).order_by("pk").first()
    if draft is not None:
        step("submit a draft", lambda: restoration.report_transition(actor=sc, instance=draft, to="submitted"))
    meeting = Meeting.objects.filter(status="held").order_by("sequence_no").first()
    if meeting is not None:
        step(
            "record a decision",
            lambda: conference.decision_save(
                actor=office, data={"meeting": meeting, "title": "新增决议：加强岸线监测"}
            ),
        )
        decision = Decision.objects.filter(meeting=meeting).order_by("-number").first()
        step(
            "ask for a follow-up action",
            lambda: conference.action_item_save(
                actor=office,
                data={
                    "decision": decision,
                    "title": "编制岸线监测方案",
                    "responsible_organization": Organization.objects.get(slug="cq-planning-natural-resources"),
                    "due_date": datetime.date.today() + datetime.timedelta(days=60),
                },
            ),
        )
    action = ActionItem.objects.filter(status="open").order_by("pk").first()
    if action is not None:
        step(
            "close a follow-up action",
            lambda: conference.action_item_transition(actor=office, instance=action, to="done", comment="已完成"),
        )
    expert_record = Expert.objects.order_by("name").first()
    step(
        "rename an expert",
        lambda: conference.expert_save(
            actor=office, instance=expert_record, data={"affiliation": expert_record.affiliation + "（新）"}
        ),
    )
    review = ExpertReview.objects.filter(status="submitted").order_by("pk").first()
    if review is not None:
        step("reopen a review", lambda: conference.review_transition(actor=office, instance=review, to="requested"))
    item = PlanItem.objects.filter(plan__status__in=["draft", "returned"]).order_by("pk").first()
    if item is not None:
        author = sc if item.province.code == "510000" else cq
        step(
            "redraft a plan item",
            lambda: conference.plan_item_save(actor=author, instance=item, data={"description": "调整年度工作内容"}),
        )
    product = EcologicalProduct.objects.order_by("pk").first()
    if product is not None:
        owner = sc if product.owner.province.code == "510000" else cq
        step(
            "sell part of a product",
            lambda: compensation.trade_save(
                actor=owner,
                data={
                    "product": product,
                    "buyer": Organization.objects.get(slug="cq-forestry"),
                    "quantity": Decimal("1"),
                    "unit_price": Decimal("50"),
                    "traded_on": datetime.date(2024, 6, 1),
                },
            ),
        )
    step(
        "allocate the fund to a project",
        lambda: compensation.fund_allocation_save(
            actor=office,
            data={
                "fund": CompensationFund.objects.first(),
                "allocated_on": datetime.date(2024, 6, 1),
                "amount": 1000,
                "province": Province.objects.get(code="510000"),
                "project": project,
                "corridor": project.corridors.first(),
            },
        ),
    )
    section = MonitoringSection.objects.order_by("code").first()
    step(
        "rename a monitoring section",
        lambda: compensation.section_save(
            actor=office, instance=section, data={"name_zh": section.name_zh + "（更名）"}
        ),
    )
    standard = Standard.objects.filter(status="drafting").order_by("code").first()
    if standard is not None:
        step(
            "rename a standard",
            lambda: compensation.standard_save(actor=office, instance=standard, data={"title_en": "Renamed standard"}),
        )
    return steps


@pytest.mark.django_db
def test_a_record_whose_representation_changed_has_a_new_version(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["joint_office", "sc_staff", "cq_staff", "expert", "admin"])
    }
    client = APIClient()
    client.force_authenticate(users["admin"])
    before = _snapshot(client)  # also fills the representation cache (api/representations.py)
    steps = _script(users)
    assert len(steps) >= 15, steps
    served = _snapshot(client)
    # Built afresh, not from the cache: a record whose version did not move would otherwise show
    # its cached representation and hide the very miss this test looks for.
    settings.REPRESENTATION_CACHE_SECONDS = 0
    after = _snapshot(client)
    # The cache serves exactly what building them afresh gives, after a day of changes.
    stale = sorted(f"{key[0]} {key[1]}" for key, item in after.items() if served.get(key) != item)
    assert not stale, stale[:20]
    unexplained = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            continue
        changed = sorted(k for k in new if k not in VOLATILE and old.get(k) != new.get(k))
        if changed and old.get("version") == new.get("version"):
            unexplained.append(f"{key[0]} {key[1]}: {changed}")
    assert not unexplained, "representation changed, version did not:\n" + "\n".join(sorted(unexplained)[:60])


# Brief fields derived from model fields the model lists (a display name from the names …).
DERIVED = {("core.user", "name"), ("conference.annualplan", "title")}


def _refs(serializer, seen):
    from rest_framework import serializers as drf

    from api.fields import Ref

    for field in serializer.fields.values():
        target = field.child_relation if isinstance(field, drf.ManyRelatedField) else field
        target = target.child if isinstance(target, drf.ListSerializer) else target
        if isinstance(target, Ref) and target.brief_class is not None:
            yield target.brief_class
        elif isinstance(target, drf.Serializer) and type(target) not in seen:
            seen.add(type(target))
            yield from _refs(target, seen)


def test_a_brief_shows_only_what_its_model_declares_in_brief_fields():
    """A change of a brief field touches every record showing the brief: a brief showing a field
    the model does not declare would change without telling anyone."""
    from api.urls import router

    problems = set()
    for _prefix, viewset, _basename in router.registry:
        serializer_class = viewset.serializer_class
        for brief in _refs(serializer_class(), set()):
            model = brief.Meta.model
            declared = set(getattr(model, "brief_fields", ()))
            for name in brief.Meta.fields:
                if name != "id" and name not in declared and (model._meta.label_lower, name) not in DERIVED:
                    problems.add(f"{model._meta.label}.{name}")
    assert not problems, sorted(problems)
