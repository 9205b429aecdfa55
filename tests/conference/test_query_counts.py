"""Every list endpoint answers at a fixed number of queries, whatever the page holds.

Each count is pinned: the page query, the count query and one per prefetched relation.
"""

import pytest
from django.core.cache import caches

from projects.conference.choices import ReviewStatus
from projects.conference.models import (
    AgendaItem,
    CorridorPlan,
    CorridorTarget,
    PlanAmendment,
    PlanTransition,
    ReviewPack,
)
from tests.conference.factories import (
    ActionItemFactory,
    AnnualPlanFactory,
    DecisionFactory,
    ExpertFactory,
    ExpertReviewFactory,
    MeetingFactory,
    PlanItemFactory,
    ProjectFactory,
    corridor,
    indicator,
    org,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _meetings(n):
    for _ in range(n):
        meeting = MeetingFactory()
        DecisionFactory(meeting=meeting)
        meeting.attending_organizations.set([org("sc-natural-resources"), org("joint-office")])
        AgendaItem.objects.create(meeting=meeting, position=1, title="议程", presenter=org("joint-office"))


def _decisions(n):
    for _ in range(n):
        ActionItemFactory(decision=DecisionFactory())


def _plans(n):
    for _ in range(n):
        meeting = MeetingFactory()
        plan = AnnualPlanFactory(year=2021 + AnnualPlanFactory._meta.model.objects.count(), meeting=meeting)
        PlanItemFactory(plan=plan)
        ExpertReviewFactory(plan=plan, status=ReviewStatus.SUBMITTED)
        actor = UserFactory()
        PlanTransition.objects.create(
            plan=plan, from_status="draft", to_status="submitted", meeting=meeting, actor=actor
        )
        PlanAmendment.objects.create(plan=plan, revision=1, reason="调整", opened_by=actor, approved_meeting=meeting)


def _items(n):
    plan = AnnualPlanFactory()
    for _ in range(n):
        item = PlanItemFactory(plan=plan, project=ProjectFactory())
        ExpertReviewFactory(plan=None, project=item.project, status=ReviewStatus.SUBMITTED)


def _reviews(n):
    for _ in range(n):
        ExpertReviewFactory(status=ReviewStatus.SUBMITTED)


def _packs(n):
    for _ in range(n):
        ReviewPack.objects.create(meeting=MeetingFactory(), as_of="2022-12-31")


def _corridor_targets(n):
    plan = CorridorPlan.objects.get()
    slugs = ["yangtze", "jialing", "wu", "min", "fu", "tuo"]
    done = CorridorTarget.objects.count()
    for slug in slugs[done : done + n]:
        CorridorTarget.objects.create(
            plan=plan, corridor=corridor(slug), indicator=indicator(), year=2035, target_value=1
        )


# endpoint, builder, queries
ENDPOINTS = [
    ("meetings", _meetings, 5),  # count, page (+host), attending organizations, agenda (+presenter), decisions
    ("decisions", _decisions, 3),  # count, page (+meeting), actions (+organization)
    ("action-items", lambda n: [ActionItemFactory() for _ in range(n)], 2),
    ("annual-plans", _plans, 5),  # count, page (+meeting, totals), amendments, transitions (+users, meetings), reviews
    ("plan-items", _items, 6),  # count, page, funding, targets, milestones, project reviews
    ("experts", lambda n: [ExpertFactory() for _ in range(n)], 2),
    ("expert-reviews", _reviews, 2),
    ("review-packs", _packs, 2),
    ("corridor-plans", lambda n: _corridor_targets(n), 4),  # count, page, compiled by, targets
    ("corridor-targets", _corridor_targets, 2),
]


@pytest.mark.parametrize(("name", "build", "queries"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_list_query_count_does_not_grow_with_the_page(
    client_for, joint_office, django_assert_num_queries, name, build, queries
):
    client = client_for(joint_office)
    build(1)
    with django_assert_num_queries(queries):
        small = client.get(f"/api/v1/{name}/")
    build(2)
    caches["representations"].clear()  # built with the models, not the services: no version moved
    with django_assert_num_queries(queries):
        large = client.get(f"/api/v1/{name}/")
    assert small.status_code == large.status_code == 200
    if name != "corridor-plans":  # one plan whose targets grow
        assert large.json()["count"] > small.json()["count"]
