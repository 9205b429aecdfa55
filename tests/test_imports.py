"""Imports of projects, progress reports and water samples from CSV and XLSX: a dry run saves
nothing and lists every bad row; an import is all or nothing; the same file again changes nothing."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from projects.compensation.models import WaterSample
from projects.core.models import ChangeRecord, Corridor
from projects.core.tokens import token_issue
from projects.restoration.models import Indicator, ProgressReport, Project
from tests.compensation.factories import SectionFactory
from tests.compensation.test_water_quality import CSV_GOOD
from tests.restoration import factories as rest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for, joint_office):
    """The joint office: it may add a Chongqing partner to a Sichuan project at once."""
    return client_for(joint_office)


PROJECTS_CSV = """\
code,name_zh,lead_organization,partner_organizations,corridors,planned_start,planned_end,total_budget,\
target:buffer-zone-built
SC-2026-0001,嘉陵江南充段生态缓冲带,sc-natural-resources,cq-planning-natural-resources,jialing,2026-03-01,2027-12-31,5000.00,250
SC-2026-0002,=岷江生态修复,sc-natural-resources,,min; tuo,2026-01-01,2026-12-31,800,
"""


def send(client, kind, text, *, name="rows.csv", dry_run=False, **extra):
    content = text if isinstance(text, bytes) else text.encode()
    file = SimpleUploadedFile(name, content)
    query = "?dry_run=true" if dry_run else ""
    return client.post(f"/api/v1/{kind}/import/{query}", {"file": file}, format="multipart", **extra)


def xlsx(text: str) -> bytes:
    workbook = Workbook()
    for line in text.strip().splitlines():
        workbook.active.append(line.split(","))
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def test_a_dry_run_saves_nothing_then_the_import_saves_all(api):
    history = ChangeRecord.objects.count()
    dry = send(api, "projects", PROJECTS_CSV, dry_run=True)
    assert dry.status_code == 200, dry.json()
    assert dry.json() == {"dry_run": True, "created": 2, "updated": 0, "unchanged": 0}
    assert not Project.objects.filter(code__startswith="SC-2026").exists()
    assert ChangeRecord.objects.count() == history
    done = send(api, "projects", PROJECTS_CSV)
    assert done.status_code == 201, done.json()
    assert done.json()["created"] == 2
    project = Project.objects.get(code="SC-2026-0001")
    assert project.partner_organizations.get().slug == "cq-planning-natural-resources"
    assert project.targets.get().target_value == 250
    assert set(Project.objects.get(code="SC-2026-0002").corridors.values_list("slug", flat=True)) == {"min", "tuo"}
    assert Project.objects.get(code="SC-2026-0002").name_zh == "=岷江生态修复"  # stored as typed


def test_importing_the_same_file_again_changes_nothing(api):
    send(api, "projects", PROJECTS_CSV)
    history = ChangeRecord.objects.count()
    versions = dict(Project.objects.values_list("code", "version"))
    again = send(api, "projects", PROJECTS_CSV)
    assert again.json() == {"dry_run": False, "created": 0, "updated": 0, "unchanged": 2}
    assert ChangeRecord.objects.count() == history
    assert dict(Project.objects.values_list("code", "version")) == versions
    changed = send(api, "projects", PROJECTS_CSV.replace("5000.00", "5200.00"))
    assert changed.json()["updated"] == 1 and changed.json()["unchanged"] == 1


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_saved(api):
    text = PROJECTS_CSV + "SC-2026-0003,缺牵头单位,nobody,,,2026-01-01,2026-12-31,1,\n"
    text += ",无编号,sc-natural-resources,,,x,,,\n"
    response = send(api, "projects", text, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The file was not imported; nothing was saved."
    assert [error["line"] for error in body["errors"]["file"]] == [4, 5]
    assert (
        "lead_organization" in body["errors"]["file"][0]["reason"] and "nobody" in body["errors"]["file"][0]["reason"]
    )
    assert "planned_start" in body["errors"]["file"][1]["reason"]
    assert not Project.objects.filter(code__startswith="SC-2026").exists()
    chinese = send(api, "projects", text, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["detail"] != body["detail"]


def test_xlsx_imports_like_csv(api):
    # (openpyxl would store a cell starting with = as a formula)
    response = send(api, "projects", xlsx(PROJECTS_CSV.replace("=", "")), name="projects.xlsx")
    assert response.status_code == 201, response.json()
    assert Project.objects.filter(code__startswith="SC-2026").count() == 2


def test_an_export_imports_back_unchanged(api):
    project = rest.ProjectFactory(partners=[rest.org("cq-forestry")])
    project.corridors.set(Corridor.objects.filter(slug__in=["wu", "jialing"]))
    rest.ProjectFactory()
    exported = b"".join(api.get("/api/v1/projects/export/", {"format": "xlsx"}).streaming_content)
    response = send(api, "projects", exported, name="export.xlsx")
    assert response.status_code == 201, response.json()
    assert response.json()["unchanged"] == 2


REPORTS_CSV = """project,period,narrative,percent_complete,cumulative_investment,value:buffer-zone-built
SC-2025-0101,2025-03,完成缓冲带建设 40 公顷,20,600,40
SC-2025-0101,2025-04,完成缓冲带建设 90 公顷,35,1100,90
"""


def test_progress_reports_import_with_their_indicator_values(api):
    project = rest.ProjectFactory(code="SC-2025-0101")
    rest.TargetFactory(project=project, indicator=Indicator.objects.get(code="buffer-zone-built"))
    assert send(api, "progress-reports", REPORTS_CSV, dry_run=True).status_code == 200
    assert not ProgressReport.objects.exists()
    done = send(api, "progress-reports", REPORTS_CSV)
    assert done.status_code == 201, done.json()
    april = ProgressReport.objects.get(period="2025-04")
    assert april.values.get().value == 90
    assert april.project == project
    again = send(api, "progress-reports", REPORTS_CSV)
    assert again.json()["unchanged"] == 2


def test_a_read_only_token_cannot_import(anonymous_client, sc_staff):
    key = token_issue(actor=sc_staff, user=sc_staff, name="reader", scope="read")[1]
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert send(anonymous_client, "projects", PROJECTS_CSV).status_code == 403
    assert not Project.objects.filter(code__startswith="SC-2026").exists()


def test_a_sample_upload_dry_run_saves_nothing(client_for, sc_staff):
    section = SectionFactory()
    client = client_for(sc_staff)
    text = CSV_GOOD.format(code=section.code)
    for path in ("upload/?dry_run=true", "import/?dry_run=true"):
        file = SimpleUploadedFile("s.csv", text.encode())
        response = client.post(f"/api/v1/water-quality-samples/{path}", {"file": file}, format="multipart")
        assert response.status_code == 200, response.json()
        assert response.json() == {"dry_run": True, "samples": 2, "measurements": 12, "unchanged": 0}
    assert WaterSample.objects.count() == 0


def test_samples_import_from_xlsx_and_again_change_nothing(client_for, sc_staff):
    section = SectionFactory()
    client = client_for(sc_staff)
    content = xlsx(CSV_GOOD.format(code=section.code))
    done = send(client, "water-quality-samples", content, name="samples.xlsx")
    assert done.status_code == 201, done.json()
    assert WaterSample.objects.filter(sampled_on=datetime.date(2023, 2, 10)).get().water_class == 3
    history = ChangeRecord.objects.count()
    again = send(client, "water-quality-samples", content, name="samples.xlsx")
    assert again.status_code == 201, again.json()
    assert again.json() == {"dry_run": False, "samples": 0, "measurements": 0, "unchanged": 2}
    assert ChangeRecord.objects.count() == history


def _admin(user):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_admin_import_page_dry_runs_then_imports(joint_office):
    client = _admin(joint_office)
    assert "/admin/restoration/project/import/" in client.get("/admin/restoration/project/").content.decode()
    page = "/admin/restoration/project/import/"
    assert client.get(page).status_code == 200
    dry = client.post(page, {"file": SimpleUploadedFile("p.csv", PROJECTS_CSV.encode()), "dry_run": "on"})
    assert "Dry run: nothing was saved" in dry.content.decode()
    assert not Project.objects.filter(code__startswith="SC-2026").exists()
    bad = PROJECTS_CSV + "SC-2026-0003,缺牵头单位,nobody,,,2026-01-01,2026-12-31,1,\n"
    refused = client.post(page, {"file": SimpleUploadedFile("p.csv", bad.encode())}).content.decode()
    assert "nothing was saved" in refused and "nobody" in refused
    assert not Project.objects.filter(code__startswith="SC-2026").exists()
    done = client.post(page, {"file": SimpleUploadedFile("p.csv", PROJECTS_CSV.encode())})
    assert "Imported:" in done.content.decode() and "created 2" in done.content.decode()
    assert Project.objects.filter(code__startswith="SC-2026").count() == 2


def test_the_admin_imports_reports_and_samples(joint_office):
    client = _admin(joint_office)
    project = rest.ProjectFactory(code="SC-2025-0101")
    rest.TargetFactory(project=project, indicator=Indicator.objects.get(code="buffer-zone-built"))
    client.post(
        "/admin/restoration/progressreport/import/", {"file": SimpleUploadedFile("r.csv", REPORTS_CSV.encode())}
    )
    assert ProgressReport.objects.filter(project=project).count() == 2
    section = SectionFactory()
    file = SimpleUploadedFile("s.xlsx", xlsx(CSV_GOOD.format(code=section.code)))
    answer = client.post("/admin/compensation/watersample/import/", {"file": file}).content.decode()
    assert "samples 2" in answer
    assert WaterSample.objects.count() == 2


def test_a_row_names_its_record_by_id_before_its_natural_key(api):
    """An export's id column names the record a row changes, so a row may change the natural key
    itself (a project's code); an id naming no record leaves the code to decide."""
    send(api, "projects", PROJECTS_CSV)
    project = Project.objects.get(code="SC-2026-0002")
    done = send(api, "projects", f"id,code,name_zh\n{project.pk},SC-2026-0202,岷江生态修复（更名）\n")
    assert done.status_code == 201, done.json()
    assert done.json() == {"dry_run": False, "created": 0, "updated": 1, "unchanged": 0}
    project.refresh_from_db()
    assert (project.code, project.name_zh) == ("SC-2026-0202", "岷江生态修复（更名）")
    unknown = send(api, "projects", "id,code,name_zh\n00000000-0000-4000-8000-000000000000,SC-2026-0202,再改\n")
    assert unknown.json()["updated"] == 1
    assert Project.objects.get(pk=project.pk).name_zh == "再改"
