"""One suite over every route of the API router, so a new endpoint cannot skip it:

- anonymous callers get 401;
- a list costs the same number of queries for one row as for three;
- a refused write saves nothing and writes no history;
- a record the rule hides is invisible through every read path (list, detail, history, feed).

Each route needs a maker below (``MAKERS``); a route without one fails the suite.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from api.models import WebhookSubscription
from api.urls import router
from projects import permissions
from projects.compensation.models import (
    CompensationFund,
    FundAllocation,
    FundContribution,
    ProductListing,
    Settlement,
    Trade,
    WaterSample,
)
from projects.conference.models import CorridorPlan, CorridorTarget, ReviewPack
from projects.core.choices import Role
from projects.core.models import ChangeRecord, ImportJob, Notification, Province
from projects.restoration.models import (
    AcceptanceRecord,
    Indicator,
    ParticipationRequest,
    RectificationItem,
    ShorelineSegment,
)
from tests.compensation import factories as comp
from tests.conference import factories as conf
from tests.factories import UserFactory
from tests.restoration import factories as rest

pytestmark = pytest.mark.django_db
ROUTES = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def _agreement_with_samples(n):
    agreement = comp.AgreementFactory()
    section = agreement.sections.get()
    for day in range(n):
        WaterSample.objects.create(section=section, sampled_on=datetime.date(2023, 1, 1 + day), water_class=2)
    return agreement


def _acceptance():
    project = rest.ProjectFactory(code=f"SC-2033-{_n():04d}", status="completed")
    record = AcceptanceRecord.objects.create(
        project=project, kind="whole_project", accepted_on=datetime.date(2026, 3, 1), recorded_by=UserFactory()
    )
    record.members.create(name="王工", organization_name="四川省自然资源厅", is_leader=True)
    return record


MAKERS = {
    # Reference data: the installation already has at least three of each.
    "provinces": None,
    "divisions": None,
    "corridors": None,
    "key-areas": None,
    "organizations": None,
    "indicators": None,
    "measures": None,
    "funding-sources": None,
    "ecosystem-elements": None,
    "ecological-product-types": None,
    "carbon-coefficients": None,
    "notifications": lambda user: Notification.objects.create(
        user=user, event="restoration.report.reminder.due", subject=f"提醒 {_n()}", body="请按时报送"
    ),
    "import-jobs": lambda user: ImportJob.objects.create(
        resource="projects", requested_by=user, language="zh-hans", file_name=f"项目{_n()}.csv", rows_total=600
    ),
    "webhooks": lambda user: WebhookSubscription.objects.create(
        owner=user, name=f"hook {_n()}", url="https://partner.example.org/hook", secret="s"
    ),
    "projects": lambda user: rest.ProjectFactory(
        partners=[rest.org("cq-planning-natural-resources")], code=f"SC-2030-{_n():04d}"
    ),
    "progress-reports": lambda user: rest.ReportFactory(project=rest.ProjectFactory(code=f"SC-2031-{_n():04d}")),
    "participation-requests": lambda user: ParticipationRequest.objects.create(
        project=rest.ProjectFactory(code=f"SC-2032-{_n():04d}"),
        kind="join",
        organization=rest.org("cq-planning-natural-resources"),
        requested_by=user,
    ),
    "meetings": lambda user: conf.MeetingFactory(),
    "decisions": lambda user: conf.DecisionFactory(),
    "action-items": lambda user: conf.ActionItemFactory(),
    "annual-plans": lambda user: conf.AnnualPlanFactory(year=2021 + _n() % 15),
    "plan-items": lambda user: conf.PlanItemFactory(),
    "experts": lambda user: conf.ExpertFactory(),
    "expert-reviews": lambda user: conf.ExpertReviewFactory(),
    "review-packs": lambda user: ReviewPack.objects.create(
        meeting=conf.MeetingFactory(), as_of=datetime.date(2024, 1, 1)
    ),
    "corridor-plans": lambda user: CorridorPlan.objects.create(
        slug=f"plan-{_n()}", title_zh="测试规划", start_year=2021, end_year=2035
    ),
    "corridor-targets": lambda user: CorridorTarget.objects.create(
        plan=CorridorPlan.objects.first(),
        corridor=conf.corridor("wu"),
        indicator=Indicator.objects.get(
            code=[
                "forest-restored-area",
                "shoreline-restored",
                "buffer-zone-built",
                "water-conservation",
                "mine-area-remediated",
            ][_n() % 5]
        ),
        year=2025,
        target_value=Decimal("1"),
    ),
    "compensation-agreements": lambda user: comp.AgreementFactory(),
    "settlement-rules": lambda user: comp.RuleFactory(),
    "monitoring-sections": lambda user: comp.SectionFactory(),
    "water-quality-samples": lambda user: _agreement_with_samples(1).sections.get().samples.get(),
    "settlements": lambda user: Settlement.objects.create(
        agreement=comp.AgreementFactory(),
        period="2023",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    ),
    "fund-contributions": lambda user: FundContribution.objects.create(
        fund=CompensationFund.objects.first(),
        contributor=rest.org("sc-natural-resources"),
        received_on=datetime.date(2023, 1, 1),
        amount=1000,
    ),
    "fund-allocations": lambda user: FundAllocation.objects.create(
        fund=CompensationFund.objects.first(),
        allocated_on=datetime.date(2023, 2, 1),
        amount=10,
        province=Province.objects.get(code="510000"),
        corridor=conf.corridor("min"),
    ),
    "standards": lambda user: comp.StandardFactory(),
    "ecological-products": lambda user: comp.ProductFactory(),
    "product-listings": lambda user: ProductListing.objects.create(
        product=comp.ProductFactory(),
        quantity=Decimal("1"),
        asking_price=Decimal("1"),
        listed_on=datetime.date(2024, 1, 1),
    ),
    "shoreline-segments": lambda user: ShorelineSegment.objects.create(
        corridor=conf.corridor("jialing"),
        province=Province.objects.get(code="510000"),
        bank="left",
        state="natural",
        geometry=LineString((106.0 + _n() * 0.01, 30.5), (106.0 + _n() * 0.01 + 0.005, 30.51), srid=4326),
        length_m=Decimal("600"),
        surveyed_on=datetime.date(2024, 5, 1),
    ),
    "acceptance-records": lambda user: _acceptance(),
    "rectification-items": lambda user: RectificationItem.objects.create(
        record=_acceptance(),
        title="补植",
        responsible_organization=rest.org("sc-natural-resources"),
        due_date=datetime.date(2026, 6, 30),
    ),
    "trades": lambda user: Trade.objects.create(
        product=comp.ProductFactory(),
        seller=rest.org("sc-natural-resources"),
        buyer=rest.org("cq-forestry"),
        quantity=Decimal("1"),
        unit_price=Decimal("1"),
        amount=1,
        traded_on=datetime.date(2024, 1, 1),
    ),
}


def _ensure_rows(prefix, viewset, user, count=3):
    maker = MAKERS[prefix]
    model = viewset.queryset.model
    if maker is not None:
        while permissions.visible(user, model._default_manager.all()).count() < count:
            maker(user)
    return model


def test_every_route_has_a_maker():
    assert sorted(MAKERS) == sorted(prefix for prefix, _viewset in ROUTES)


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_anonymous_callers_get_401(anonymous_client, prefix, viewset):
    assert anonymous_client.get(f"/api/v1/{prefix}/").status_code == 401
    assert anonymous_client.get(f"/api/v1/{prefix}/00000000-0000-0000-0000-000000000000/").status_code == 401
    assert anonymous_client.post(f"/api/v1/{prefix}/", {}, format="json").status_code == 401


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_a_list_costs_the_same_queries_for_one_row_as_for_three(client_for, administrator, prefix, viewset):
    _ensure_rows(prefix, viewset, administrator)
    client = client_for(administrator)
    client.get(f"/api/v1/{prefix}/", {"page_size": 1})  # warm caches (content types, …)
    counts = []
    for size in (1, 3):
        # Built afresh (no representation cached), then again (those cached, where a resource keeps them).
        caches["representations"].clear()
        for _built_then_cached in range(2):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(f"/api/v1/{prefix}/", {"page_size": size, "include_drafts": "true"}).json()
            assert len(body["results"]) == size, (prefix, body)
            counts.append(len(queries))
    assert counts[:2] == counts[2:], f"{prefix}: {counts[:2]} queries for one row, {counts[2:]} for three"


@pytest.fixture
def outsider(db):
    """Signed in, staff role, but no organization: every rule refuses it every write."""
    return UserFactory(role=Role.PROVINCIAL_STAFF, organization=None)


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_a_refused_write_saves_nothing_and_writes_no_history(client_for, outsider, administrator, prefix, viewset):
    model = _ensure_rows(prefix, viewset, administrator, count=1)
    target = model._default_manager.first()
    client = client_for(outsider)
    before = (model._default_manager.count(), ChangeRecord.objects.count(), getattr(target, "version", None))
    answers = [client.post(f"/api/v1/{prefix}/", {}, format="json").status_code]
    if prefix != "webhooks":  # a partner's own webhook is hidden from others: 404 below
        answers += [
            client.patch(f"/api/v1/{prefix}/{target.pk}/", {"name_zh": "x"}, format="json").status_code,
            client.delete(f"/api/v1/{prefix}/{target.pk}/").status_code,
        ]
    assert all(400 <= answer < 500 for answer in answers), (prefix, answers)
    target.refresh_from_db()
    after = (model._default_manager.count(), ChangeRecord.objects.count(), getattr(target, "version", None))
    assert after == before, prefix


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_a_record_the_rule_hides_is_invisible_through_every_read_path(
    client_for, administrator, monkeypatch, prefix, viewset
):
    model = _ensure_rows(prefix, viewset, administrator, count=1)
    target = model._default_manager.first()
    label = model._meta.label_lower
    # The rule now hides every record of this type: every read path must agree.
    monkeypatch.setitem(permissions._scopes, label, lambda user, queryset: queryset.none())
    monkeypatch.setitem(permissions._history_scopes, label, lambda user: Q(pk__in=[]))
    client = client_for(administrator)
    assert client.get(f"/api/v1/{prefix}/", {"include_drafts": "true"}).json()["results"] == []
    assert client.get(f"/api/v1/{prefix}/{target.pk}/").status_code == 404
    assert client.get(f"/api/v1/{prefix}/{target.pk}/history/").status_code == 404
    feed = client.get("/api/v1/changes/", {"include_drafts": "true"}).json()["results"]
    assert str(target.pk) not in {entry["id"] for entry in feed}


MONEY = ("amount", "investment", "budget", "price", "contribution", "pool_total")


def _money_paths(value, prefix="") -> set[str]:
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "units":
                continue
            path = f"{prefix}{key}"
            if any(word in key for word in MONEY) and not isinstance(item, (dict, list)):
                paths.add(path)
            paths |= _money_paths(item, f"{path}.")
    elif isinstance(value, list) and value:
        paths |= _money_paths(value[0], prefix)
    return paths


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _v in ROUTES])
def test_every_money_field_says_its_unit(client_for, administrator, prefix, viewset):
    model = _ensure_rows(prefix, viewset, administrator, count=1)
    target = permissions.visible(administrator, model._default_manager.all()).first()
    body = client_for(administrator).get(f"/api/v1/{prefix}/{target.pk}/").json()
    money = _money_paths(body)
    units = body.get("units", {})
    assert money <= set(units), f"{prefix}: no unit for {sorted(money - set(units))}"
    assert all(key.split(".")[0] in body for key in units), f"{prefix}: units name fields it does not have"
