"""The admin face: Chinese by default, same rules and history as the API, local map assets."""

import pytest
from django.test import Client

from projects.core.models import ChangeRecord, Corridor
from projects.restoration.models import Project
from tests.restoration.factories import ProjectFactory, org

pytestmark = pytest.mark.django_db


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_is_in_chinese_by_default_and_english_by_the_language_switch(sc_staff):
    client = admin_client(sc_staff)
    page = client.get("/admin/").content.decode()
    assert 'lang="zh-hans"' in page
    assert 'name="language"' in page  # the language menu at the top of every admin page
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert 'lang="en"' in client.get("/admin/").content.decode()


def test_map_widget_uses_only_local_assets(joint_office):
    corridor = Corridor.objects.get(slug="fu")
    page = admin_client(joint_office).get(f"/admin/core/corridor/{corridor.id}/change/").content.decode()
    assert "vendor/ol/ol.js" in page
    assert "core/basemap.geojson" in page
    for remote in ("cdn.jsdelivr", "openstreetmap", "earthdata", "http://", "https://"):
        assert remote not in page.replace("http://www.w3.org", "")


def test_admin_assets_are_served(joint_office):
    client = admin_client(joint_office)
    for path in ("/static/vendor/ol/ol.js", "/static/core/basemap.geojson"):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    ("persona", "target", "can_change"),
    [
        ("sc_staff", "SC-2024-0001", True),
        ("sc_staff", "CQ-2024-0001", False),
        ("cq_staff", "CQ-2024-0001", True),
        ("expert", "SC-2024-0001", False),
        ("joint_office", "CQ-2024-0001", True),
    ],
)
def test_admin_applies_the_same_rules_as_the_api(personas, persona, target, can_change):
    ProjectFactory(code="SC-2024-0001")
    ProjectFactory(code="CQ-2024-0001", lead_organization=org("cq-planning-natural-resources"))
    project = Project.objects.get(code=target)
    client = admin_client(personas[persona])
    page = client.get(f"/admin/restoration/project/{project.id}/change/")
    assert page.status_code == 200  # everyone signed in reads
    assert ('name="_save"' in page.content.decode()) is can_change


def test_admin_edit_keeps_history_and_the_history_page_shows_it(joint_office):
    project = ProjectFactory(code="SC-2024-0001")
    client = admin_client(joint_office)
    form = {
        "code": project.code,
        "name_zh": "改名后的项目",
        "name_en": "",
        "description": "",
        "lead_organization": str(project.lead_organization_id),
        "bank": "n/a",
        "reach": "n/a",
        "planned_start": "2025-01-01",
        "planned_end": "2027-12-31",
        "total_budget": "1000",
        "reporting_period": "month",
        "geometry": "",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-source": "",
        "funding-0-amount": "",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/restoration/project/{project.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ChangeRecord.objects.filter(object_id=str(project.id)).get()
    assert record.actor == joint_office and "name_zh" in record.changed_fields
    history = client.get(f"/admin/restoration/project/{project.id}/history/").content.decode()
    assert "name_zh" in history


def test_admin_status_change_goes_through_the_lifecycle(joint_office):
    project = ProjectFactory(code="SC-2024-0001", status="proposed")
    client = admin_client(joint_office)
    client.post(
        "/admin/restoration/project/",
        {
            "action": "change_status",
            "_selected_action": [str(project.id)],
            "apply": "1",
            "to": "accepted",
            "comment": "",
        },
    )
    project.refresh_from_db()
    assert project.status == "proposed"  # proposed → accepted is refused
    client.post(
        "/admin/restoration/project/",
        {
            "action": "change_status",
            "_selected_action": [str(project.id)],
            "apply": "1",
            "to": "approved",
            "comment": "同意",
        },
    )
    project.refresh_from_db()
    assert project.status == "approved"


def test_history_records_cannot_be_edited_in_the_admin(administrator):
    ProjectFactory()
    client = admin_client(administrator)
    record = ChangeRecord.objects.first()
    page = client.get(f"/admin/core/changerecord/{record.id}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.post(f"/admin/core/changerecord/{record.id}/delete/", {"post": "yes"}).status_code == 403


def test_partner_systems_have_no_admin(partner):
    response = admin_client(partner).get("/admin/")
    assert response.status_code == 302


def _project_form(project, **changes):
    form = {
        "code": project.code,
        "name_zh": project.name_zh,
        "name_en": "",
        "description": "",
        "lead_organization": str(project.lead_organization_id),
        "bank": "n/a",
        "reach": "n/a",
        "planned_start": "2025-01-01",
        "planned_end": "2027-12-31",
        "total_budget": "1000",
        "reporting_period": "month",
        "geometry": "",
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    form.update(changes)
    return form


def test_admin_refuses_a_funding_breakdown_over_the_budget(joint_office):
    from projects.restoration.models import FundingSource

    project = ProjectFactory(code="SC-2024-0001")
    central = FundingSource.objects.get(code="central")
    response = admin_client(joint_office).post(
        f"/admin/restoration/project/{project.id}/change/",
        _project_form(
            project, **{"funding-TOTAL_FORMS": "1", "funding-0-source": str(central.id), "funding-0-amount": "1500"}
        ),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "1500" in response.content.decode() and "errorlist" in response.content.decode()
    assert not project.funding.exists()
    assert not ChangeRecord.objects.filter(object_id=str(project.id)).exists()


def test_admin_refuses_a_report_on_a_proposed_project(sc_staff):
    project = ProjectFactory(code="SC-2024-0001", status="proposed")
    response = admin_client(sc_staff).post(
        "/admin/restoration/progressreport/add/",
        {
            "project": str(project.id),
            "period": "2025-01",
            "narrative": "x",
            "percent_complete": "1",
            "cumulative_investment": "1",
            "values-TOTAL_FORMS": "0",
            "values-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not project.reports.exists()
