"""The expert committee: requests, opinions, and who sees which review."""

import datetime

import pytest

from projects.conference.choices import ReviewStatus
from projects.conference.models import ExpertReview
from projects.core.models import ChangeRecord
from tests.conference.factories import AnnualPlanFactory, ExpertFactory, ExpertReviewFactory, ProjectFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_review(expert):
    return ExpertReviewFactory(expert=ExpertFactory(user=expert))


def test_the_joint_office_asks_an_expert_to_review_a_plan(client_for, joint_office):
    plan, member = AnnualPlanFactory(), ExpertFactory()
    response = client_for(joint_office).post(
        "/api/v1/expert-reviews/",
        {"expert": str(member.pk), "plan": str(plan.pk), "question": "请评审", "due_date": "2030-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "requested"
    assert response.json()["requested_by"]["username"] == "joint_office"
    assert response.json()["plan"]["year"] == plan.year  # references read back as brief objects


def test_a_review_is_of_one_project_or_one_plan(client_for, joint_office):
    member = ExpertFactory()
    office = client_for(joint_office)
    neither = office.post("/api/v1/expert-reviews/", {"expert": str(member.pk)}, format="json")
    both = office.post(
        "/api/v1/expert-reviews/",
        {"expert": str(member.pk), "plan": str(AnnualPlanFactory().pk), "project": str(ProjectFactory().pk)},
        format="json",
    )
    assert neither.status_code == both.status_code == 400
    assert "project" in neither.json()["errors"]
    assert not ExpertReview.objects.exists()


def test_an_expert_out_of_term_cannot_be_asked(client_for, joint_office):
    member = ExpertFactory(term_start=datetime.date(2018, 1, 1), term_end=datetime.date(2020, 12, 31))
    response = client_for(joint_office).post(
        "/api/v1/expert-reviews/", {"expert": str(member.pk), "plan": str(AnnualPlanFactory().pk)}, format="json"
    )
    assert response.status_code == 400
    assert "expert" in response.json()["errors"]


def test_only_users_with_the_expert_role_link_to_an_expert(client_for, joint_office, sc_staff):
    payload = {
        "name": "新专家",
        "field": "生态",
        "affiliation": "大学",
        "term_start": "2022-01-01",
        "term_end": "2026-12-31",
        "user": "sc_staff",
    }
    response = client_for(joint_office).post("/api/v1/experts/", payload, format="json")
    assert response.status_code == 400
    assert "user" in response.json()["errors"]
    backwards = client_for(joint_office).post(
        "/api/v1/experts/", {**payload, "user": None, "term_end": "2021-01-01"}, format="json"
    )
    assert backwards.status_code == 400
    assert "term_end" in backwards.json()["errors"]


def test_the_expert_writes_and_submits_their_own_opinion(client_for, expert, own_review):
    client = client_for(expert)
    url = f"/api/v1/expert-reviews/{own_review.pk}/"
    incomplete = client.post(f"{url}transition/", {"to": "submitted"})
    assert incomplete.status_code == 400
    assert {"opinion", "recommendation", "score"} <= set(incomplete.json()["errors"])

    bad = client.patch(url, {"score": "120", "recommendation": "maybe"}, format="json")
    assert bad.status_code == 400 and {"score", "recommendation"} <= set(bad.json()["errors"])

    opinion = {"opinion": "建议补充监测指标", "recommendation": "approve_with_changes", "score": "82.5"}
    assert client.patch(url, opinion, format="json").status_code == 200
    submitted = client.post(f"{url}transition/", {"to": "submitted"})
    assert submitted.status_code == 200
    assert submitted.json()["submitted_at"] is not None
    assert client.patch(url, {"opinion": "改"}, format="json").status_code == 409  # reopen first
    assert ChangeRecord.objects.filter(object_id=str(own_review.pk), action="transition").exists()


def test_experts_see_and_edit_only_their_own_reviews(client_for, expert, own_review):
    other = ExpertReviewFactory(
        expert=ExpertFactory(user=UserFactory(role="expert")), plan=own_review.plan, status=ReviewStatus.SUBMITTED
    )
    client = client_for(expert)
    listed = client.get("/api/v1/expert-reviews/").json()
    assert [r["id"] for r in listed["results"]] == [str(own_review.pk)]
    assert client.get(f"/api/v1/expert-reviews/{other.pk}/").status_code == 404
    assert client.patch(f"/api/v1/expert-reviews/{other.pk}/", {"opinion": "x"}, format="json").status_code == 404
    plan = client.get(f"/api/v1/annual-plans/{own_review.plan_id}/").json()
    assert [r["id"] for r in plan["expert_reviews"]] == [str(own_review.pk)]


def test_nobody_else_writes_an_experts_opinion(client_for, joint_office, sc_staff, own_review):
    url = f"/api/v1/expert-reviews/{own_review.pk}/"
    assert client_for(joint_office).patch(url, {"opinion": "代写"}, format="json").status_code == 403
    own_review.opinion, own_review.recommendation, own_review.score = "意见", "approve", 90
    own_review.save()
    assert client_for(joint_office).post(f"{url}transition/", {"to": "submitted"}).status_code == 403
    assert client_for(sc_staff).get(url).status_code == 404  # not submitted: not shown yet


def test_submitted_opinions_show_on_the_plan_and_the_plan_item_for_everyone(api, client_for, joint_office):
    plan = AnnualPlanFactory()
    from tests.conference.factories import PlanItemFactory

    item = PlanItemFactory(plan=plan)
    ExpertReviewFactory(plan=plan, status=ReviewStatus.SUBMITTED, opinion="同意", recommendation="approve", score=90)
    ExpertReviewFactory(plan=None, project=item.project, status=ReviewStatus.SUBMITTED, opinion="可行", score=80)
    ExpertReviewFactory(plan=plan)  # requested, no opinion yet
    assert [r["opinion"] for r in api.get(f"/api/v1/annual-plans/{plan.pk}/").json()["expert_reviews"]] == ["同意"]
    assert [r["opinion"] for r in api.get(f"/api/v1/plan-items/{item.pk}/").json()["expert_reviews"]] == ["可行"]
    assert len(client_for(joint_office).get(f"/api/v1/annual-plans/{plan.pk}/").json()["expert_reviews"]) == 2
