import datetime

import pytest

from projects.core.models import ChangeRecord
from projects.restoration.choices import ProjectStatus
from projects.restoration.models import FundingShare, Indicator, Project, ProjectTransition
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

pytestmark = pytest.mark.django_db

NEW_PROJECT = {
    "code": "SC-2025-0101",
    "name_zh": "嘉陵江南充段生态缓冲带",
    "name_en": "Jialing (Nanchong) buffer zone",
    "corridors": ["jialing"],
    "key_areas": [],
    "divisions": ["511300"],
    "elements": ["water", "forest"],
    "measures": ["buffer-zone", "shoreline-restoration"],
    "bank": "left",
    "reach": "midstream",
    "lead_organization": "sc-natural-resources",
    "partner_organizations": [],
    "is_national_major": False,
    "planned_start": "2025-03-01",
    "planned_end": "2027-12-31",
    "total_budget": "5000.00",
    "funding": [{"source": "central", "amount": "3000"}, {"source": "provincial", "amount": "2000"}],
    "targets": [{"indicator": "buffer-zone-built", "target_value": "250"}],
    "geometry": {"type": "Point", "coordinates": [106.08, 30.80]},
}


def test_sichuan_staff_create_a_project_with_budget_targets_and_geometry(api):
    response = api.post("/api/v1/projects/", NEW_PROJECT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "proposed"
    assert [p["code"] for p in body["provinces"]] == ["510000"]
    assert body["is_cross_regional"] is False
    assert body["geometry"] == {"type": "Point", "coordinates": [106.08, 30.8]}
    assert {row["source"]["code"] for row in body["funding"]} == {"central", "provincial"}
    assert body["targets"][0]["indicator"]["code"] == "buffer-zone-built"
    assert body["lead_organization"]["slug"] == "sc-natural-resources"
    assert {e["code"] for e in body["elements"]} == {"water", "forest"}
    history = ChangeRecord.objects.filter(object_id=body["id"])
    assert history.get().action == "create"


def test_cross_regional_is_derived_from_organizations(client_for, joint_office):
    office = client_for(joint_office)
    payload = {**NEW_PROJECT, "partner_organizations": ["cq-planning-natural-resources"]}
    body = office.post("/api/v1/projects/", payload, format="json").json()
    assert body["is_cross_regional"] is True
    assert sorted(p["code"] for p in body["provinces"]) == ["500000", "510000"]
    # Dropping the partner makes it a single-province project again.
    body = office.patch(f"/api/v1/projects/{body['id']}/", {"partner_organizations": []}, format="json").json()
    assert body["is_cross_regional"] is False


def test_a_read_project_can_be_written_back_as_it_is(api):
    project = api.post("/api/v1/projects/", NEW_PROJECT, format="json").json()
    body = api.get(f"/api/v1/projects/{project['id']}/").json()
    assert body["version"] == 1
    response = api.put(f"/api/v1/projects/{project['id']}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == body["version"], ChangeRecord.objects.first().changed_fields
    body["name_zh"] = "嘉陵江南充段生态缓冲带（二期）"
    response = api.put(f"/api/v1/projects/{project['id']}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == body["version"] + 1


def test_cross_regional_cannot_be_typed_in(api):
    body = api.post("/api/v1/projects/", {**NEW_PROJECT, "is_cross_regional": True}, format="json").json()
    assert body["is_cross_regional"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "bad code"}, "code"),
        ({"corridors": ["nile"]}, "corridors"),
        ({"planned_end": "2020-01-01"}, "planned_end"),
        ({"total_budget": "-5"}, "total_budget"),
        ({"funding": [{"source": "central", "amount": "9000"}]}, "funding"),
        ({"geometry": {"type": "Point", "coordinates": [500, 95]}}, "geometry"),
        ({"lead_organization": "nobody"}, "lead_organization"),
        ({"bank": "middle"}, "bank"),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_nothing_is_saved(api, change, field):
    history = ChangeRecord.objects.count()
    response = api.post("/api/v1/projects/", {**NEW_PROJECT, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Project.objects.filter(code=NEW_PROJECT["code"]).exists()
    assert not FundingShare.objects.exists()
    assert ChangeRecord.objects.count() == history


def test_a_duplicate_code_is_a_400(api):
    ProjectFactory(code="SC-2025-0101")
    response = api.post("/api/v1/projects/", NEW_PROJECT, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_validation_messages_follow_the_users_language(api):
    response = api.post("/api/v1/projects/", {**NEW_PROJECT, "code": ""}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["errors"]["code"] == ["该字段不能为空。"]
    response = api.post("/api/v1/projects/", {**NEW_PROJECT, "code": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["code"] == ["This field may not be blank."]


def test_update_keeps_old_and_new_values_in_history(api):
    project = api.post("/api/v1/projects/", NEW_PROJECT, format="json").json()
    api.patch(
        f"/api/v1/projects/{project['id']}/",
        {"total_budget": "6000", "funding": [{"source": "central", "amount": "4000"}]},
        format="json",
    )
    history = api.get(f"/api/v1/projects/{project['id']}/history/").json()["results"]
    update = history[0]
    assert update["action"] == "update"
    assert update["actor"] == "sc_staff"
    assert "total_budget" in update["changed_fields"]
    assert update["before"]["total_budget"] == "5000.00"
    assert update["after"]["total_budget"] == "6000.00"
    assert update["after"]["funding"] == {"central": "4000.00"}


def test_status_cannot_be_changed_by_an_update(api):
    project = api.post("/api/v1/projects/", NEW_PROJECT, format="json").json()
    body = api.patch(f"/api/v1/projects/{project['id']}/", {"status": "accepted"}, format="json").json()
    assert body["status"] == "proposed"


# --- lifecycle ---


def test_allowed_transition_records_who_when_and_why(client_for, joint_office):
    project = ProjectFactory(status=ProjectStatus.PROPOSED)
    response = client_for(joint_office).post(
        f"/api/v1/projects/{project.id}/transition/", {"to": "approved", "comment": "联席会议同意"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    transition = ProjectTransition.objects.get(project=project)
    assert (transition.from_status, transition.to_status, transition.actor, transition.comment) == (
        "proposed",
        "approved",
        joint_office,
        "联席会议同意",
    )
    record = ChangeRecord.objects.filter(object_id=str(project.id), action="transition").get()
    assert record.before["status"] == "proposed" and record.after["status"] == "approved"


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        ("proposed", "accepted", ["approved", "cancelled"]),
        ("cancelled", "in_progress", []),
        ("accepted", "in_progress", []),
        ("approved", "completed", ["in_progress", "suspended", "cancelled"]),
    ],
)
def test_refused_transition_is_a_409_naming_the_allowed_ones(client_for, joint_office, current, to, allowed):
    project = ProjectFactory(status=current)
    response = client_for(joint_office).post(f"/api/v1/projects/{project.id}/transition/", {"to": to}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["allowed"] == allowed
    labels = dict(ProjectStatus.choices)
    for status in allowed:
        assert str(labels[status]) in body["detail"]
    project.refresh_from_db()
    assert project.status == current
    assert not ProjectTransition.objects.filter(project=project).exists()


def test_unknown_target_status_is_a_400(client_for, joint_office):
    project = ProjectFactory()
    response = client_for(joint_office).post(
        f"/api/v1/projects/{project.id}/transition/", {"to": "done"}, format="json"
    )
    assert response.status_code == 400
    assert "to" in response.json()["errors"]


# --- filters ---


@pytest.fixture
def catalogue_projects(db):
    from projects.core.models import Corridor, Division
    from projects.restoration.models import EcosystemElement, MeasureType

    jialing = ProjectFactory(
        code="SC-2024-0001", partners=[org("cq-planning-natural-resources")], is_national_major=True
    )
    jialing.corridors.set([Corridor.objects.get(slug="jialing")])
    jialing.elements.set([EcosystemElement.objects.get(code="forest")])
    jialing.divisions.set([Division.objects.get(code="511600")])  # 广安, adjacent area
    wu = ProjectFactory(
        code="CQ-2024-0002", lead_organization=org("cq-planning-natural-resources"), status=ProjectStatus.PROPOSED
    )
    wu.corridors.set([Corridor.objects.get(slug="wu")])
    wu.measures.set([MeasureType.objects.get(code="rocky-desertification")])
    wu.divisions.set([Division.objects.get(code="500102")])
    return {"jialing": jialing, "wu": wu}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"corridor": "jialing"}, {"SC-2024-0001"}),
        ({"province": "500000"}, {"SC-2024-0001", "CQ-2024-0002"}),
        ({"province": "510000"}, {"SC-2024-0001"}),
        ({"status": "in_progress"}, {"SC-2024-0001"}),
        ({"cross_regional": "true"}, {"SC-2024-0001"}),
        ({"cross_regional": "false"}, {"CQ-2024-0002"}),
        ({"national_major": "true"}, {"SC-2024-0001"}),
        ({"element": "forest"}, {"SC-2024-0001"}),
        ({"measure": "rocky-desertification"}, {"CQ-2024-0002"}),
        ({"adjacent_area": "true"}, {"SC-2024-0001"}),
        ({"adjacent_area": "false"}, {"CQ-2024-0002"}),
        ({"search": "CQ-2024"}, {"CQ-2024-0002"}),
        ({"updated_since": "2999-01-01T00:00:00Z"}, set()),
    ],
)
def test_project_filters(api, catalogue_projects, query, expected):
    body = api.get("/api/v1/projects/", query).json()
    assert {item["code"] for item in body["results"]} == expected


def test_project_list_runs_a_fixed_number_of_queries_whatever_the_page_size(api, django_assert_max_num_queries):
    def make(count):
        for _ in range(count):
            project = ProjectFactory(partners=[org("cq-planning-natural-resources")])
            TargetFactory(project=project)
            ReportFactory(project=project, status="submitted")

    make(3)
    # 12: the eleven of the project and its relations, and the compensation fund's payments to it
    # (built afresh: no representation cached yet).
    with django_assert_max_num_queries(12) as small:
        assert len(api.get("/api/v1/projects/", {"page_size": 3}).json()["results"]) == 3
    make(27)
    with django_assert_max_num_queries(12) as large:
        assert len(api.get("/api/v1/projects/", {"page_size": 30}).json()["results"]) == 30
    assert len(small.captured_queries) == len(large.captured_queries) == 12
    # The same page again: its representations come from the cache (api/representations.py).
    with django_assert_max_num_queries(2) as cached:
        assert len(api.get("/api/v1/projects/", {"page_size": 30}).json()["results"]) == 30
    assert len(cached.captured_queries) == 2  # the count and the page's rows, no prefetch


def test_project_progress_shows_latest_report_targets_and_overdue_periods(api):
    project = ProjectFactory(planned_start=datetime.date(2025, 1, 1))
    TargetFactory(project=project)
    for period, status in (("2025-01", "accepted"), ("2025-02", "submitted"), ("2025-03", "draft")):
        report = ReportFactory(project=project, period=period, status=status)
        report.values.create(indicator=Indicator.objects.get(code="forest-restored-area"), value=20)
    body = api.get(f"/api/v1/projects/{project.id}/progress/").json()
    assert body["latest_report"]["period"] == "2025-02"
    # Restored area is derived: the forest restored in the two counted reports.
    assert body["targets"][0]["achieved"] == "40.000"
    assert body["targets"][0]["derived_from"] == [
        "farmland-restored-area",
        "forest-restored-area",
        "grassland-restored-area",
        "wetland-restored-area",
    ]
    assert body["targets"][0]["percent"] == "40.0"
    assert body["overdue_periods"][:2] == ["2025-03", "2025-04"]
    assert "2025-01" not in body["overdue_periods"]
