"""Annual implementation plans: drafting by province, the lifecycle, locking and amendments."""

import datetime

import pytest

from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import PlanAmendment, PlanItem, PlanItemTarget, PlanTransition
from projects.core.models import ChangeRecord
from tests.conference.factories import (
    CQ,
    SC,
    AnnualPlanFactory,
    MeetingFactory,
    PlanItemFactory,
    ProjectFactory,
    cq_project,
)

pytestmark = pytest.mark.django_db


def item_payload(plan, project, **extra):
    return {
        "plan": str(plan.pk),
        "project": str(project.pk),
        "description": "年度建设任务",
        "funding": [{"source": "central", "amount": "60.00"}, {"source": "provincial", "amount": "40.00"}],
        "targets": [{"indicator": "restored-area", "target_value": "25"}],
        "milestones": [{"title": "完成设计", "due_date": f"{plan.year}-04-30"}],
        **extra,
    }


def test_sichuan_staff_draft_an_item_with_funding_targets_and_milestones(client_for, sc_staff):
    plan, project = AnnualPlanFactory(), ProjectFactory()
    response = client_for(sc_staff).post("/api/v1/plan-items/", item_payload(plan, project), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["province"]["code"] == SC  # defaults to the drafting staff's province
    assert body["planned_investment"] == "100.00"  # derived from the funding lines
    assert [f["source"]["code"] for f in body["funding"]] == ["central", "provincial"]
    assert [(t["indicator"]["code"], t["indicator"]["unit"], t["target_value"]) for t in body["targets"]] == [
        ("restored-area", "ha", "25.000")
    ]
    assert body["milestones"][0]["title"] == "完成设计"
    item = PlanItem.objects.get(pk=body["id"])
    assert ChangeRecord.objects.filter(object_id=str(item.pk), action="create").exists()
    # Children are kept in the plan's history too.
    assert ChangeRecord.objects.filter(scope_id=str(plan.pk)).count() >= 4


def test_chongqing_staff_cannot_draft_an_item_for_sichuan(client_for, cq_staff):
    plan, project = AnnualPlanFactory(), ProjectFactory()
    payload = item_payload(plan, project, province=SC)
    response = client_for(cq_staff).post("/api/v1/plan-items/", payload, format="json")
    assert response.status_code == 403
    assert not PlanItem.objects.exists()


def test_chongqing_staff_cannot_edit_sichuan_plan_item(client_for, cq_staff, sc_staff):
    item = PlanItemFactory()
    response = client_for(cq_staff).patch(f"/api/v1/plan-items/{item.pk}/", {"description": "改"}, format="json")
    assert response.status_code == 403
    response = client_for(sc_staff).patch(f"/api/v1/plan-items/{item.pk}/", {"description": "改"}, format="json")
    assert response.status_code == 200


def test_an_indicator_outside_the_projects_targets_is_a_400_and_nothing_is_saved(client_for, sc_staff):
    plan, project = AnnualPlanFactory(), ProjectFactory()
    payload = item_payload(plan, project, targets=[{"indicator": "shoreline-restored", "target_value": "3"}])
    before = ChangeRecord.objects.count()
    response = client_for(sc_staff).post("/api/v1/plan-items/", payload, format="json")
    assert response.status_code == 400
    assert "shoreline-restored" in response.json()["errors"]["targets"][0]
    assert not PlanItem.objects.exists()
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"milestones": [{"title": "明年的事", "due_date": "2030-01-01"}]}, "milestones"),
        ({"funding": [{"source": "central", "amount": "-1"}]}, "funding"),
        ({"funding": [{"source": "no-such-source", "amount": "1"}]}, "funding"),
        ({"province": "520000"}, "province"),
    ],
)
def test_bad_item_input_is_a_400_naming_the_field(client_for, joint_office, change, field):
    plan, project = AnnualPlanFactory(), ProjectFactory()
    response = client_for(joint_office).post(
        "/api/v1/plan-items/", item_payload(plan, project, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PlanItem.objects.exists()


def test_an_update_that_fails_on_one_child_keeps_the_item_as_it_was(client_for, sc_staff):
    item = PlanItemFactory()
    payload = {
        "funding": [{"source": "central", "amount": "999"}],
        "targets": [{"indicator": "shoreline-restored", "target_value": "3"}],
    }
    response = client_for(sc_staff).patch(f"/api/v1/plan-items/{item.pk}/", payload, format="json")
    assert response.status_code == 400
    item.refresh_from_db()
    assert str(item.planned_investment) == "100.00"
    assert item.funding.get().amount == 100


def test_the_whole_plan_lifecycle_through_the_api(client_for, joint_office, sc_staff, cq_staff):
    plan = AnnualPlanFactory()
    sichuan_item = PlanItemFactory(plan=plan)
    PlanItemFactory(plan=plan, project=cq_project())
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, date=datetime.date(2022, 3, 18))
    office = client_for(joint_office)
    url = f"/api/v1/annual-plans/{plan.pk}/transition/"

    response = office.post(url, {"to": "submitted"}, format="json")
    assert response.status_code == 400 and "meeting" in response.json()["errors"]

    response = office.post(url, {"to": "submitted", "meeting": str(meeting.pk)}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["allowed_transitions"] == ["approved", "returned"]

    # Submitted: the provinces can no longer change their items.
    locked = client_for(sc_staff).patch(f"/api/v1/plan-items/{sichuan_item.pk}/", {"description": "x"}, format="json")
    assert locked.status_code == 409

    # The meeting has not been held: it cannot have approved anything.
    assert office.post(url, {"to": "approved"}, format="json").status_code == 409
    meeting.status = MeetingStatus.HELD
    meeting.save()

    response = office.post(
        url,
        {"to": "returned", "item_comments": {sichuan_item.project.code: "补充资金来源"}, "comment": "请修改"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    sichuan_item.refresh_from_db()
    assert sichuan_item.review_comment == "补充资金来源"

    # Returned: the province reworks its item and the office submits again.
    assert (
        client_for(sc_staff)
        .patch(f"/api/v1/plan-items/{sichuan_item.pk}/", {"description": "已补充"}, format="json")
        .status_code
        == 200
    )
    assert office.post(url, {"to": "submitted", "meeting": str(meeting.pk)}, format="json").status_code == 200
    response = office.post(url, {"to": "approved", "comment": "审议通过"}, format="json")
    assert response.status_code == 200
    assert response.json()["approved_at"] is not None
    sichuan_item.refresh_from_db()
    assert sichuan_item.review_comment == ""
    assert [t.to_status for t in PlanTransition.objects.filter(plan=plan).order_by("id")] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert ChangeRecord.objects.filter(object_id=str(plan.pk), action="transition").count() == 4


def test_a_refused_plan_transition_is_a_409_naming_the_allowed_ones(client_for, joint_office):
    plan = AnnualPlanFactory()
    response = client_for(joint_office).post(f"/api/v1/annual-plans/{plan.pk}/transition/", {"to": "approved"})
    assert response.status_code == 409
    assert response.json()["allowed"] == ["submitted"]
    assert response.json()["current"] == "draft"


def test_provincial_staff_cannot_move_a_plan(client_for, sc_staff):
    plan = AnnualPlanFactory()
    PlanItemFactory(plan=plan)
    meeting = MeetingFactory()
    response = client_for(sc_staff).post(
        f"/api/v1/annual-plans/{plan.pk}/transition/", {"to": "submitted", "meeting": str(meeting.pk)}
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_an_approved_plan_is_locked_and_changes_through_an_amendment(client_for, joint_office, sc_staff):
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(status=PlanStatus.APPROVED, meeting=meeting)
    item = PlanItemFactory(plan=plan)
    office = client_for(joint_office)
    staff = client_for(sc_staff)

    assert staff.patch(f"/api/v1/plan-items/{item.pk}/", {"description": "x"}, format="json").status_code == 409
    assert staff.delete(f"/api/v1/plan-items/{item.pk}/").status_code == 409
    assert office.patch(f"/api/v1/annual-plans/{plan.pk}/", {"notes": "x"}, format="json").status_code == 409

    url = f"/api/v1/annual-plans/{plan.pk}/transition/"
    response = office.post(url, {"to": "draft"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]

    response = office.post(url, {"to": "draft", "reason": "项目调整，追加中央资金"}, format="json")
    assert response.status_code == 200
    assert response.json()["revision"] == 1
    amendment = PlanAmendment.objects.get(plan=plan)
    assert amendment.reason == "项目调整，追加中央资金"
    assert amendment.baseline[0]["planned_investment"] == "100.00"
    assert amendment.approved_at is None

    payload = {"funding": [{"source": "central", "amount": "150"}]}
    assert staff.patch(f"/api/v1/plan-items/{item.pk}/", payload, format="json").status_code == 200
    assert office.post(url, {"to": "submitted", "meeting": str(meeting.pk)}, format="json").status_code == 200
    assert office.post(url, {"to": "approved"}, format="json").status_code == 200
    amendment.refresh_from_db()
    assert amendment.approved_at is not None and amendment.approved_meeting == meeting
    body = office.get(f"/api/v1/annual-plans/{plan.pk}/").json()
    assert body["amendments"][0]["reason"] == "项目调整，追加中央资金"
    assert body["planned_investment"] == "150.00"


def test_a_plan_cannot_be_submitted_empty(client_for, joint_office):
    plan, meeting = AnnualPlanFactory(), MeetingFactory()
    response = client_for(joint_office).post(
        f"/api/v1/annual-plans/{plan.pk}/transition/", {"to": "submitted", "meeting": str(meeting.pk)}
    )
    assert response.status_code == 400
    assert "items" in response.json()["errors"]


def test_returning_with_a_comment_on_an_item_of_another_plan_is_a_400(client_for, joint_office):
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(status=PlanStatus.SUBMITTED, meeting=meeting)
    PlanItemFactory(plan=plan)
    response = client_for(joint_office).post(
        f"/api/v1/annual-plans/{plan.pk}/transition/",
        {"to": "returned", "item_comments": {"CQ-9999-0001": "?"}},
        format="json",
    )
    assert response.status_code == 400
    assert "item_comments" in response.json()["errors"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_plan_items_filter_by_plan(api):
    first, second = AnnualPlanFactory(year=2022), AnnualPlanFactory(year=2023)
    PlanItemFactory(plan=first)
    PlanItemFactory(plan=second, project=ProjectFactory())
    body = api.get("/api/v1/plan-items/", {"plan": str(first.pk)}).json()
    assert body["count"] == 1
    assert body["results"][0]["plan"]["id"] == str(first.pk)
    assert api.get("/api/v1/plan-items/", {"province": CQ}).json()["count"] == 0


def test_one_plan_per_year(client_for, joint_office):
    AnnualPlanFactory(year=2024)
    response = client_for(joint_office).post("/api/v1/annual-plans/", {"year": 2024}, format="json")
    assert response.status_code == 400
    assert "year" in response.json()["errors"]
    created = client_for(joint_office).post("/api/v1/annual-plans/", {"year": 2025}, format="json")
    assert created.status_code == 201
    assert created.json()["display_title"] == "2025年度实施计划"


def test_a_target_row_repeated_is_a_400(client_for, sc_staff):
    plan, project = AnnualPlanFactory(), ProjectFactory()
    rows = [{"indicator": "restored-area", "target_value": "1"}, {"indicator": "restored-area", "target_value": "2"}]
    response = client_for(sc_staff).post(
        "/api/v1/plan-items/", item_payload(plan, project, targets=rows), format="json"
    )
    assert response.status_code == 400
    assert "targets" in response.json()["errors"]
    assert not PlanItemTarget.objects.exists()
