"""Who may do what: the rules as a role × action × record table, and anonymous requests."""

import pytest

from projects.conference.choices import ReviewStatus
from projects.conference.models import (
    ActionItem,
    AnnualPlan,
    Expert,
    ExpertReview,
    Meeting,
    PlanItem,
    ReviewPack,
)
from projects.conference.rules import DROP, REPORT, SUBMIT_OPINION
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, can
from tests.conference.factories import (
    ActionItemFactory,
    AnnualPlanFactory,
    ExpertFactory,
    ExpertReviewFactory,
    MeetingFactory,
    PlanItemFactory,
    cq_project,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["sc_staff", "cq_staff", "gz_staff", "joint_office", "expert", "partner", "administrator"]
EVERYONE = set(PERSONAS)
OFFICE = {"joint_office", "administrator"}


def _records(personas):
    own = ExpertReviewFactory(expert=ExpertFactory(user=personas["expert"]))
    others_submitted = ExpertReviewFactory(status=ReviewStatus.SUBMITTED)
    others_requested = ExpertReviewFactory()
    return {
        "meeting": MeetingFactory(),
        "plan": AnnualPlanFactory(),
        "sichuan item": PlanItemFactory(),
        "chongqing item": PlanItemFactory(project=cq_project()),
        "sichuan action": ActionItemFactory(),
        "expert": ExpertFactory(),
        "own review": own,
        "others' submitted review": others_submitted,
        "others' requested review": others_requested,
    }


# (record, action, personas allowed)
MATRIX = [
    ("meeting", VIEW, EVERYONE),
    ("meeting", CHANGE, OFFICE),
    ("meeting", TRANSITION, OFFICE),
    ("meeting", DELETE, OFFICE),
    ("plan", VIEW, EVERYONE),
    ("plan", CHANGE, OFFICE),
    ("plan", TRANSITION, OFFICE),
    ("sichuan item", VIEW, EVERYONE),
    ("sichuan item", CHANGE, {"sc_staff", *OFFICE}),
    ("sichuan item", DELETE, {"sc_staff", *OFFICE}),
    ("chongqing item", CHANGE, {"cq_staff", *OFFICE}),
    ("sichuan action", VIEW, EVERYONE),
    ("sichuan action", CHANGE, OFFICE),
    ("sichuan action", TRANSITION, {"sc_staff", *OFFICE}),
    ("sichuan action", REPORT, {"sc_staff", *OFFICE}),
    ("sichuan action", DROP, OFFICE),
    ("expert", VIEW, EVERYONE),
    ("expert", CHANGE, OFFICE),
    ("own review", VIEW, {"expert", *OFFICE}),
    ("own review", CHANGE, {"expert"}),
    ("own review", SUBMIT_OPINION, {"expert"}),
    ("own review", TRANSITION, {"expert", *OFFICE}),
    ("own review", DELETE, OFFICE),
    ("others' submitted review", VIEW, EVERYONE - {"expert"}),
    ("others' submitted review", CHANGE, set()),
    ("others' submitted review", DELETE, set()),
    ("others' requested review", VIEW, OFFICE),
]

# (model, action, personas allowed) before a record exists
ADDING = [
    (Meeting, OFFICE),
    (AnnualPlan, OFFICE),
    (PlanItem, {"sc_staff", "cq_staff", "gz_staff", *OFFICE}),
    (ActionItem, OFFICE),
    (Expert, OFFICE),
    (ExpertReview, OFFICE),
    (ReviewPack, OFFICE),
]


def test_role_by_action_matrix(personas):
    records = _records(personas)
    wrong = []
    for record, action, allowed in MATRIX:
        for name in PERSONAS:
            expected = name in allowed
            if can(personas[name], action, records[record]) != expected:
                wrong.append((name, action, record, expected))
    for model, allowed in ADDING:
        for name in PERSONAS:
            expected = name in allowed
            if can(personas[name], ADD, model) != expected:
                wrong.append((name, ADD, model.__name__, expected))
    assert wrong == []


def test_guizhou_staff_may_draft_only_guizhou_items(personas):
    item = PlanItemFactory()
    assert not can(personas["gz_staff"], CHANGE, item)


@pytest.mark.parametrize(
    "name",
    [
        "meetings",
        "decisions",
        "action-items",
        "annual-plans",
        "plan-items",
        "experts",
        "expert-reviews",
        "review-packs",
        "corridor-plans",
        "corridor-targets",
    ],
)
def test_anonymous_requests_are_refused_with_401(anonymous_client, name):
    assert anonymous_client.get(f"/api/v1/{name}/").status_code == 401
    assert anonymous_client.post(f"/api/v1/{name}/", {}).status_code == 401


def test_a_partner_system_reads_but_writes_nothing(client_for, partner):
    client = client_for(partner)
    assert client.get("/api/v1/meetings/").status_code == 200
    assert client.post("/api/v1/annual-plans/", {"year": 2030}, format="json").status_code == 403
