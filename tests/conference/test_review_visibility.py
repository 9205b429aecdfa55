"""A draft expert opinion is seen by its expert and the joint office only, through every read path.

Sichuan staff and another expert must not find it in the review list or detail, in the plan's or
the project's history (API and admin), embedded in the plan or the plan item, in the admin's
review list, or among the change records. Once submitted, the opinion shows; the drafts before it
still do not.
"""

from types import SimpleNamespace

import pytest

from projects.conference.models import ExpertReview
from projects.core.choices import Role
from projects.core.models import ChangeRecord
from tests.conference.factories import (
    AnnualPlanFactory,
    ExpertFactory,
    ExpertReviewFactory,
    PlanItemFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DRAFT = "草稿意见：尚未提交，不应外泄"
FINAL = "定稿意见：同意列入计划"

# (reader, sees the draft)
READERS = [("sc_staff", False), ("other_expert", False), ("expert", True), ("joint_office", True)]
IDS = [name for name, _sees in READERS]


@pytest.fixture
def people(sc_staff, joint_office, expert):
    other = UserFactory(username="other_expert", role=Role.EXPERT)
    ExpertFactory(user=other)
    return {"sc_staff": sc_staff, "other_expert": other, "expert": expert, "joint_office": joint_office}


@pytest.fixture
def drafts(client_for, expert):
    """A plan review and a project review, each with a draft opinion the expert wrote through the API."""
    plan = AnnualPlanFactory()
    item = PlanItemFactory(plan=plan)
    mine = ExpertFactory(user=expert)
    on_plan = ExpertReviewFactory(expert=mine, plan=plan)
    on_project = ExpertReviewFactory(expert=mine, plan=None, project=item.project)
    author = client_for(expert)
    for review in (on_plan, on_project):
        response = author.patch(f"/api/v1/expert-reviews/{review.pk}/", {"opinion": DRAFT}, format="json")
        assert response.status_code == 200, response.json()
    return SimpleNamespace(plan=plan, item=item, project=item.project, reviews=[on_plan, on_project])


def _shows_draft(response) -> bool:
    return DRAFT in response.content.decode()


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_review_list(client_for, people, drafts, reader, sees):
    response = client_for(people[reader]).get("/api/v1/expert-reviews/")
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert ({str(review.pk) for review in drafts.reviews} <= listed) is sees
    assert _shows_draft(response) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_review_detail_and_its_own_history(client_for, people, drafts, reader, sees):
    client = client_for(people[reader])
    for review in drafts.reviews:
        detail = client.get(f"/api/v1/expert-reviews/{review.pk}/")
        history = client.get(f"/api/v1/expert-reviews/{review.pk}/history/")
        assert detail.status_code == history.status_code == (200 if sees else 404)
        assert _shows_draft(detail) is _shows_draft(history) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_plan_history(client_for, people, drafts, reader, sees):
    response = client_for(people[reader]).get(f"/api/v1/annual-plans/{drafts.plan.pk}/history/")
    assert response.status_code == 200
    assert _shows_draft(response) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_project_history(client_for, people, drafts, reader, sees):
    response = client_for(people[reader]).get(f"/api/v1/projects/{drafts.project.pk}/history/")
    assert response.status_code == 200
    assert _shows_draft(response) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_reviews_embedded_in_the_plan_and_the_plan_item(client_for, people, drafts, reader, sees):
    client = client_for(people[reader])
    plan = client.get(f"/api/v1/annual-plans/{drafts.plan.pk}/")
    item = client.get(f"/api/v1/plan-items/{drafts.item.pk}/")
    assert plan.status_code == item.status_code == 200
    assert bool(plan.json()["expert_reviews"]) is sees
    assert bool(item.json()["expert_reviews"]) is sees
    assert _shows_draft(plan) is _shows_draft(item) is sees
    for listing in ("/api/v1/annual-plans/", "/api/v1/plan-items/"):
        assert _shows_draft(client.get(listing)) is sees


# --- the admin -------------------------------------------------------------------------------


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_admin_review_changelist_and_change_page(client, people, drafts, reader, sees):
    client.force_login(people[reader])
    listing = client.get("/admin/conference/expertreview/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert all((f"/admin/conference/expertreview/{review.pk}/change/" in page) is sees for review in drafts.reviews)
    change = client.get(f"/admin/conference/expertreview/{drafts.reviews[0].pk}/change/")
    assert change.status_code == (200 if sees else 302)  # hidden: "does not exist", back to the index
    assert _shows_draft(change) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_admin_history_pages_of_the_plan_and_the_project(client, people, drafts, reader, sees):
    client.force_login(people[reader])
    plan = client.get(f"/admin/conference/annualplan/{drafts.plan.pk}/history/")
    project = client.get(f"/admin/restoration/project/{drafts.project.pk}/history/")
    assert plan.status_code == project.status_code == 200
    assert _shows_draft(plan) is _shows_draft(project) is sees


@pytest.mark.parametrize(("reader", "sees"), READERS, ids=IDS)
def test_admin_change_records(client, people, drafts, reader, sees):
    client.force_login(people[reader])
    record = ChangeRecord.objects.filter(object_id=str(drafts.reviews[0].pk)).get()
    listing = client.get("/admin/core/changerecord/").content.decode()
    assert (f"/admin/core/changerecord/{record.pk}/change/" in listing) is sees
    detail = client.get(f"/admin/core/changerecord/{record.pk}/change/")
    assert detail.status_code == (200 if sees else 302)
    assert _shows_draft(detail) is sees


# --- after submission ----------------------------------------------------------------------


def test_a_submitted_opinion_shows_but_the_drafts_before_it_do_not(client_for, people, drafts, client):
    author = client_for(people["expert"])
    url = f"/api/v1/expert-reviews/{drafts.reviews[0].pk}/"
    final = {"opinion": FINAL, "recommendation": "approve", "score": "90"}
    assert author.patch(url, final, format="json").status_code == 200
    assert author.post(f"{url}transition/", {"to": "submitted"}, format="json").status_code == 200

    staff = client_for(people["sc_staff"])
    assert FINAL in staff.get(url).content.decode()
    history = staff.get(f"/api/v1/annual-plans/{drafts.plan.pk}/history/").content.decode()
    assert FINAL in history and DRAFT not in history
    client.force_login(people["sc_staff"])
    page = client.get(f"/admin/conference/annualplan/{drafts.plan.pk}/history/").content.decode()
    submitted = str(ExpertReview._meta.get_field("submitted_at").verbose_name)  # labels, not field names
    assert submitted in page and DRAFT not in page  # the submission is there, the drafts are not
    office = client_for(people["joint_office"]).get(f"/api/v1/annual-plans/{drafts.plan.pk}/history/")
    assert DRAFT in office.content.decode()  # the joint office keeps the whole record
