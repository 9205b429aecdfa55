import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.core.models import ChangeRecord
from projects.restoration.choices import ProjectStatus
from projects.restoration.models import ProgressReport
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    project = ProjectFactory(code="SC-2024-0009")
    TargetFactory(project=project)
    return project


def report_payload(project, **overrides):
    return {
        "project": str(project.id),
        "period": "2025-03",
        "narrative": "完成岸坡整治 1.2 km",
        "percent_complete": "25.5",
        "cumulative_investment": "320.00",
        # The project targets restored area; it reports the area per ecosystem type.
        "values": [{"indicator": "forest-restored-area", "value": "12.5"}],
        **overrides,
    }


def transition(client, report_id, to, comment=""):
    return client.post(
        f"/api/v1/progress-reports/{report_id}/transition/", {"to": to, "comment": comment}, format="json"
    )


def test_staff_draft_submit_and_the_other_province_accepts(client_for, sc_staff, cq_staff, project):
    project.partner_organizations.add(org("cq-planning-natural-resources"))
    project.refresh_derived()
    sc = client_for(sc_staff)
    response = sc.post("/api/v1/progress-reports/", report_payload(project), format="json")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["status"] == "draft" and report["reported_by"]["username"] == "sc_staff"
    assert report["period_kind"] == "month" and report["period_end"] == "2025-03-31"
    assert [(v["indicator"]["code"], v["value"]) for v in report["values"]] == [("forest-restored-area", "12.500")]
    assert transition(sc, report["id"], "submitted").json()["status"] == "submitted"
    # Sichuan staff cannot review their own province's report.
    assert transition(sc, report["id"], "accepted").status_code == 403
    accepted = transition(client_for(cq_staff), report["id"], "accepted", "同意")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted" and accepted.json()["reviewed_by"]["username"] == "cq_staff"
    # The project's history shows the report's steps.
    actions = [r["action"] for r in sc.get(f"/api/v1/projects/{project.id}/history/").json()["results"]]
    assert actions.count("transition") == 2 and "create" in actions


def test_returning_needs_a_comment_and_allows_rework(client_for, sc_staff, joint_office, project):
    report = ReportFactory(project=project, status="submitted", reported_by=sc_staff)
    office = client_for(joint_office)
    response = transition(office, report.id, "returned", "")
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = transition(office, report.id, "returned", "请补充照片")
    assert response.json()["status"] == "returned" and response.json()["review_comment"] == "请补充照片"
    sc = client_for(sc_staff)
    assert sc.patch(f"/api/v1/progress-reports/{report.id}/", {"narrative": "已补充"}, format="json").status_code == 200
    resubmitted = transition(sc, report.id, "submitted").json()
    assert resubmitted["status"] == "submitted"
    # A resubmitted report no longer looks reviewed; the earlier review stays in its history.
    assert (resubmitted["reviewed_by"], resubmitted["reviewed_at"], resubmitted["review_comment"]) == (None, None, "")


def test_a_second_report_for_the_same_period_is_a_400(api, project):
    assert api.post("/api/v1/progress-reports/", report_payload(project), format="json").status_code == 201
    response = api.post("/api/v1/progress-reports/", report_payload(project), format="json")
    assert response.status_code == 400
    assert "period" in response.json()["errors"]
    assert ProgressReport.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2025-13"}, "period"),
        ({"period": "March"}, "period"),
        ({"percent_complete": "120"}, "percent_complete"),
        ({"cumulative_investment": "-1"}, "cumulative_investment"),
        ({"values": [{"indicator": "species-recorded", "value": "3"}]}, "values"),  # not a target
        ({"narrative": ""}, "narrative"),
    ],
)
def test_bad_reports_are_400_with_field_messages_and_nothing_saved(api, project, change, field):
    history = ChangeRecord.objects.count()
    response = api.post("/api/v1/progress-reports/", report_payload(project, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ProgressReport.objects.exists()
    assert ChangeRecord.objects.count() == history


def test_submitted_reports_are_frozen_with_a_409(api, sc_staff, project):
    report = ReportFactory(project=project, status="submitted", reported_by=sc_staff)
    response = api.patch(f"/api/v1/progress-reports/{report.id}/", {"narrative": "改"}, format="json")
    assert response.status_code == 409


def test_accepting_a_draft_is_a_409_naming_the_allowed_step(client_for, joint_office, project):
    report = ReportFactory(project=project)
    response = transition(client_for(joint_office), report.id, "accepted")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["submitted"]


def test_no_reports_on_a_proposed_project(api):
    project = ProjectFactory(status=ProjectStatus.PROPOSED)
    response = api.post("/api/v1/progress-reports/", report_payload(project, values=[]), format="json")
    assert response.status_code == 409


def test_chongqing_staff_cannot_report_on_a_sichuan_project(client_for, cq_staff, project):
    response = client_for(cq_staff).post("/api/v1/progress-reports/", report_payload(project), format="json")
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_photo_upload_and_refused_file_types(api, sc_staff, project):
    report = ReportFactory(project=project, reported_by=sc_staff)
    photo = SimpleUploadedFile("site.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    response = api.post(
        f"/api/v1/progress-reports/{report.id}/attachments/", {"kind": "photo", "file": photo}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == 103
    script = SimpleUploadedFile("evil.exe", b"MZ", content_type="application/octet-stream")
    response = api.post(
        f"/api/v1/progress-reports/{report.id}/attachments/", {"kind": "document", "file": script}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["errors"]
    pdf_as_photo = SimpleUploadedFile("plan.pdf", b"%PDF", content_type="application/pdf")
    response = api.post(
        f"/api/v1/progress-reports/{report.id}/attachments/",
        {"kind": "photo", "file": pdf_as_photo},
        format="multipart",
    )
    assert response.status_code == 400


def test_attachments_over_the_size_limit_are_refused(api, sc_staff, project, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    report = ReportFactory(project=project, reported_by=sc_staff)
    big = SimpleUploadedFile("big.png", b"0" * 2048, content_type="image/png")
    response = api.post(
        f"/api/v1/progress-reports/{report.id}/attachments/", {"kind": "photo", "file": big}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"project": "SC-2024-0009"}, {"2025-01", "2025-02"}),
        ({"province": "500000"}, {"2025-05"}),
        ({"period": "2025-02"}, {"2025-02"}),
        ({"status": "submitted"}, {"2025-02"}),
    ],
)
def test_report_filters(api, project, query, expected):
    ReportFactory(project=project, period="2025-01")
    ReportFactory(project=project, period="2025-02", status="submitted")
    chongqing = ProjectFactory(lead_organization=org("cq-planning-natural-resources"))
    ReportFactory(project=chongqing, period="2025-05")
    body = api.get("/api/v1/progress-reports/", {**query, "include_drafts": "true"}).json()
    assert {item["period"] for item in body["results"]} == expected


def test_report_filter_by_project_id(api, project):
    ReportFactory(project=project, period="2025-01")
    body = api.get("/api/v1/progress-reports/", {"project": str(project.id), "include_drafts": "true"}).json()
    assert body["count"] == 1


def test_report_list_runs_a_fixed_number_of_queries(api, django_assert_num_queries, project):
    for month in range(1, 13):
        report = ReportFactory(project=project, period=f"2025-{month:02d}")
        report.values.create(indicator=project.targets.get().indicator, value=1)
    with django_assert_num_queries(5):  # count, page, investment+source, values+indicator, attachments
        listed = api.get("/api/v1/progress-reports/", {"page_size": 12, "include_drafts": "true"}).json()
        assert len(listed["results"]) == 12
    with django_assert_num_queries(2):  # count and page: the representations are cached, no prefetch
        assert api.get("/api/v1/progress-reports/", {"page_size": 12, "include_drafts": "true"}).json() == listed


@pytest.mark.parametrize(
    ("endpoint", "queries"),
    [
        ("indicators", 3),  # count, page (+element), components
        ("measures", 2),
        ("funding-sources", 2),
        ("ecosystem-elements", 2),
    ],
)
def test_catalogue_lists_run_a_fixed_number_of_queries(api, django_assert_num_queries, endpoint, queries):
    with django_assert_num_queries(queries):
        assert api.get(f"/api/v1/{endpoint}/", {"page_size": 100}).status_code == 200
