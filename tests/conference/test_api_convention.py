"""The one API convention on the conference's resources: references read as brief objects and written
by id, code, slug, number or the brief object; a body read can be written back as it is; versions."""

import datetime

import pytest
from django.utils import timezone

from projects.conference.choices import MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.models import ActionUpdate, CorridorPlan, CorridorTarget, PlanItem
from projects.core.models import ChangeRecord
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
    source,
)

pytestmark = pytest.mark.django_db


def _meeting(personas):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED)
    office = personas["client_for"](personas["joint_office"])
    body = {
        "attending_organizations": ["sc-natural-resources", "joint-office"],
        "attendees": ["张三"],
        "agenda": [{"title": "审议计划"}, {"title": "督办", "presenter": "joint-office"}],
    }
    assert office.patch(f"/api/v1/meetings/{meeting.pk}/", body, format="json").status_code == 200
    return "meetings", meeting, "joint_office"


def _plan_item(personas):
    plan = AnnualPlanFactory()
    item = PlanItemFactory(
        plan=plan,
        parts={
            "funding": {"central": "60", "provincial": "40"},
            "targets": {"restored-area": "25"},
            "milestones": {"完成设计": datetime.date(2022, 4, 30)},
        },
    )
    return "plan-items", item, "sc_staff"


def _corridor_plan(personas):
    plan = CorridorPlan.objects.get()
    CorridorTarget.objects.create(
        plan=plan, corridor=corridor("jialing"), indicator=indicator(), year=2035, target_value=10
    )
    return "corridor-plans", plan, "joint_office"


def _corridor_target(personas):
    target = CorridorTarget.objects.create(
        plan=CorridorPlan.objects.get(), corridor=corridor("min"), indicator=indicator(), year=2030, target_value=5
    )
    return "corridor-targets", target, "joint_office"


def _own_review(personas):
    review = ExpertReviewFactory(expert=ExpertFactory(user=personas["expert"]), opinion="草稿")
    return "expert-reviews", review, "expert"


RESOURCES = {
    "meeting": _meeting,
    "decision": lambda p: ("decisions", DecisionFactory(), "joint_office"),
    "action item": lambda p: ("action-items", ActionItemFactory(), "joint_office"),
    "annual plan": lambda p: ("annual-plans", AnnualPlanFactory(notes="计划"), "joint_office"),
    "plan item": _plan_item,
    "expert": lambda p: ("experts", ExpertFactory(user=p["expert"]), "joint_office"),
    "expert review": _own_review,
    "corridor plan": _corridor_plan,
    "corridor target": _corridor_target,
}


@pytest.fixture
def people(personas, client_for):
    return {**personas, "client_for": client_for}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_body_read_is_written_back_as_it_is_and_changes_nothing(people, resource):
    route, record, writer = RESOURCES[resource](people)
    client = people["client_for"](people[writer])
    url = f"/api/v1/{route}/{record.pk}/"
    body = client.get(url).json()
    history = ChangeRecord.objects.count()

    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == body["version"]  # nothing changed: no new version
    assert ChangeRecord.objects.count() == history  # and no change record


def test_references_are_written_by_id_code_slug_number_or_brief_object(client_for, sc_staff, joint_office):
    plan, project = AnnualPlanFactory(year=2022), ProjectFactory()
    central = client_for(sc_staff).get("/api/v1/funding-sources/").json()["results"][0]
    payload = {
        "plan": 2022,  # a plan by its year
        "project": project.code,  # a project by its code
        "province": "510000",  # a province by its code
        "funding": [{"source": central, "amount": "10"}],  # the brief object, as read
        "targets": [{"indicator": str(indicator().pk), "target_value": "5"}],  # by id
    }
    response = client_for(sc_staff).post("/api/v1/plan-items/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["plan"] == {"id": str(plan.pk), "year": 2022, "title": "2022年度实施计划", "status": "draft"}
    assert body["project"]["code"] == project.code
    assert body["funding"][0]["source"]["code"] == central["code"]

    meeting = MeetingFactory(status=MeetingStatus.PLANNED)
    submitted = client_for(joint_office).post(
        f"/api/v1/annual-plans/{plan.pk}/transition/",
        {"to": "submitted", "meeting": meeting.sequence_no},  # a meeting by its sequence number
        format="json",
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["meeting"]["sequence_no"] == meeting.sequence_no

    unknown = client_for(sc_staff).post("/api/v1/plan-items/", {**payload, "plan": 2999}, format="json")
    assert unknown.status_code == 400 and "plan" in unknown.json()["errors"]


def test_if_match_with_an_outdated_version_is_a_412_and_changes_nothing(client_for, sc_staff):
    item = PlanItemFactory()
    client = client_for(sc_staff)
    url = f"/api/v1/plan-items/{item.pk}/"
    read = client.get(url)
    tag = read["ETag"]
    assert tag == '"1"'

    first = client.patch(url, {"description": "第一次修改"}, format="json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200 and first["ETag"] == '"2"'
    history = ChangeRecord.objects.count()

    stale = client.patch(url, {"description": "基于旧版本的修改"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    in_body = client.patch(url, {"description": "旧版本", "version": 1}, format="json")
    assert in_body.status_code == 412
    item.refresh_from_db()
    assert (item.description, item.version) == ("第一次修改", 2)
    assert ChangeRecord.objects.count() == history


def test_a_transition_against_an_outdated_version_is_a_412(client_for, joint_office):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, date=timezone.localdate())
    client = client_for(joint_office)
    response = client.post(f"/api/v1/meetings/{meeting.pk}/transition/", {"to": "held"}, HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not ChangeRecord.objects.filter(object_id=str(meeting.pk)).exists()


def test_a_progress_note_without_text_is_a_400_naming_the_field(client_for, sc_staff):
    item = ActionItemFactory()
    client = client_for(sc_staff)
    for body in ({}, {"text": "   "}):
        response = client.post(f"/api/v1/action-items/{item.pk}/updates/", body, format="json")
        assert response.status_code == 400
        assert "text" in response.json()["errors"]
    assert not ActionUpdate.objects.exists()
    assert not ChangeRecord.objects.filter(object_id=str(item.pk)).exists()


def test_a_progress_note_is_recorded_without_changing_the_actions_version(client_for, sc_staff):
    item = ActionItemFactory()
    response = client_for(sc_staff).post(f"/api/v1/action-items/{item.pk}/updates/", {"text": "已完成初稿"})
    assert response.status_code == 201
    record = ChangeRecord.objects.get(object_id=str(item.pk))
    assert (record.event, record.message) == ("conference.actionitem.reported", "已完成初稿")
    item.refresh_from_db()
    assert item.version == 1


def test_an_item_stays_in_its_plan(client_for, sc_staff):
    item = PlanItemFactory(plan=AnnualPlanFactory(year=2022))
    other = AnnualPlanFactory(year=2023)
    response = client_for(sc_staff).patch(f"/api/v1/plan-items/{item.pk}/", {"plan": str(other.pk)}, format="json")
    assert response.status_code == 400 and "plan" in response.json()["errors"]
    assert PlanItem.objects.get(pk=item.pk).plan_id == item.plan_id


def test_a_milestone_is_found_by_its_title_in_the_domain(client_for, sc_staff):
    item = PlanItemFactory(
        plan=AnnualPlanFactory(status=PlanStatus.APPROVED),
        parts={"funding": {"central": "100"}, "milestones": {"完成设计": datetime.date(2022, 4, 30)}},
    )
    client = client_for(sc_staff)
    url = f"/api/v1/plan-items/{item.pk}/milestone/"
    missing = client.post(url, {"title": "没有的里程碑", "done_on": "2022-04-28"}, format="json")
    assert missing.status_code == 400 and "title" in missing.json()["errors"]
    done = client.post(url, {"title": "完成设计", "done_on": "2022-04-28"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["milestones"][0]["done_on"] == "2022-04-28"
    assert done.json()["version"] == 2  # the item's milestones are part of it
    record = ChangeRecord.objects.get(object_id=str(item.pk))
    assert record.changed_fields == ["milestones"]


def test_the_expert_cannot_change_what_was_asked(client_for, expert):
    review = ExpertReviewFactory(expert=ExpertFactory(user=expert))
    response = client_for(expert).patch(
        f"/api/v1/expert-reviews/{review.pk}/", {"question": "改题目", "opinion": "意见"}, format="json"
    )
    assert response.status_code == 400 and "question" in response.json()["errors"]
    review.refresh_from_db()
    assert (review.question, review.opinion, review.status) == ("", "", ReviewStatus.REQUESTED)


def test_the_joint_office_does_not_request_a_review_with_an_opinion_in_it(client_for, joint_office):
    AnnualPlanFactory(year=2022)
    response = client_for(joint_office).post(
        "/api/v1/expert-reviews/",
        {"expert": str(ExpertFactory().pk), "plan": 2022, "opinion": "代写意见"},
        format="json",
    )
    assert response.status_code == 400 and "opinion" in response.json()["errors"]


def test_funding_lines_make_the_planned_investment(client_for, sc_staff):
    item = PlanItemFactory()
    payload = {"funding": [{"source": "central", "amount": "70"}, {"source": source("provincial").code, "amount": "5"}]}
    response = client_for(sc_staff).patch(f"/api/v1/plan-items/{item.pk}/", payload, format="json")
    assert response.status_code == 200
    assert response.json()["planned_investment"] == "75.00"
    assert response.json()["version"] == 2
