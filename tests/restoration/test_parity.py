"""Every rule, refused in the API and in the admin alike: nothing saved, no history written.

Each row: a rule, how the API attempts to break it, how the admin attempts to break it.
"""

import pytest
from django.test import Client

from projects.core.models import ChangeRecord
from projects.restoration.models import FundingSource, Indicator, ProgressReport, Project
from tests.restoration.factories import ProjectFactory, TargetFactory, org

pytestmark = pytest.mark.django_db


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def _project_form(project, **changes):
    form = {
        "code": project.code,
        "name_zh": project.name_zh,
        "name_en": project.name_en,
        "description": "",
        "lead_organization": str(project.lead_organization_id),
        "partner_organizations": [str(pk) for pk in project.partner_organizations.values_list("pk", flat=True)],
        "bank": "n/a",
        "reach": "n/a",
        "planned_start": "2025-01-01",
        "planned_end": "2027-12-31",
        "total_budget": "1000",
        "reporting_period": "month",
        "geometry": "",
        "loaded_version": str(project.version),
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    form.update(changes)
    return form


def _report_form(project, **changes):
    return {
        "project": str(project.id),
        "period": "2025-05",
        "narrative": "本月进展",
        "percent_complete": "10",
        "cumulative_investment": "100",
        "investment-TOTAL_FORMS": "0",
        "investment-INITIAL_FORMS": "0",
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        **changes,
    }


def _central():
    return FundingSource.objects.get(code="central")


@pytest.fixture
def world(db):
    sichuan = ProjectFactory(code="SC-2024-0001")
    chongqing = ProjectFactory(code="CQ-2024-0001", lead_organization=org("cq-planning-natural-resources"))
    TargetFactory(project=sichuan)
    completed = ProjectFactory(code="SC-2024-0002", status="completed")
    return {"sichuan": sichuan, "chongqing": chongqing, "completed": completed}


# rule: (persona, api call, admin call); each call takes (client, world) and returns a response.
# A refusal is a 4xx in the API and, in the admin, the form shown again with the refusal on it
# (or a 403). A read-only field sent anyway is ignored by both: nothing changes.
RULES = {
    "funding over the budget": (
        "sc_staff",
        lambda c, w: c.patch(
            f"/api/v1/projects/{w['sichuan'].id}/",
            {"funding": [{"source": "central", "amount": "1500"}]},
            format="json",
        ),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['sichuan'].id}/change/",
            _project_form(
                w["sichuan"],
                **{"funding-TOTAL_FORMS": "1", "funding-0-source": str(_central().id), "funding-0-amount": "1500"},
            ),
        ),
    ),
    "another province made lead without its agreement": (
        "sc_staff",
        lambda c, w: c.patch(
            f"/api/v1/projects/{w['sichuan'].id}/", {"lead_organization": "cq-planning-natural-resources"}
        ),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['sichuan'].id}/change/",
            _project_form(w["sichuan"], lead_organization=str(org("cq-planning-natural-resources").pk)),
        ),
    ),
    "another province added as partner without its agreement": (
        "sc_staff",
        lambda c, w: c.patch(
            f"/api/v1/projects/{w['sichuan'].id}/",
            {"partner_organizations": ["cq-planning-natural-resources"]},
            format="json",
        ),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['sichuan'].id}/change/",
            _project_form(w["sichuan"], partner_organizations=[str(org("cq-planning-natural-resources").pk)]),
        ),
    ),
    "a province's staff edit another province's project": (
        "sc_staff",
        lambda c, w: c.patch(f"/api/v1/projects/{w['chongqing'].id}/", {"name_zh": "改"}, format="json"),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['chongqing'].id}/change/", _project_form(w["chongqing"], name_zh="改")
        ),
    ),
    "a status typed into the form": (
        "joint_office",
        lambda c, w: c.patch(f"/api/v1/projects/{w['sichuan'].id}/", {"status": "accepted"}, format="json"),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['sichuan'].id}/change/", _project_form(w["sichuan"], status="accepted")
        ),
    ),
    "a stale version": (
        "sc_staff",
        lambda c, w: c.patch(
            f"/api/v1/projects/{w['sichuan'].id}/", {"name_zh": "改"}, format="json", HTTP_IF_MATCH='"99"'
        ),
        lambda c, w: c.post(
            f"/admin/restoration/project/{w['sichuan'].id}/change/",
            _project_form(w["sichuan"], name_zh="改", loaded_version="99"),
        ),
    ),
    "a report on a proposed project": (
        "cq_staff",
        lambda c, w: c.post(
            "/api/v1/progress-reports/", _report_form(w["chongqing"]) | {"project": w["chongqing"].code}
        ),
        lambda c, w: c.post("/admin/restoration/progressreport/add/", _report_form(w["chongqing"])),
    ),
    "a report value on an indicator the project does not target": (
        "sc_staff",
        lambda c, w: c.post(
            "/api/v1/progress-reports/",
            {
                "project": w["sichuan"].code,
                "period": "2025-05",
                "narrative": "x",
                "percent_complete": "1",
                "cumulative_investment": "1",
                "values": [{"indicator": "species-recorded", "value": "1"}],
            },
            format="json",
        ),
        lambda c, w: c.post(
            "/admin/restoration/progressreport/add/",
            _report_form(
                w["sichuan"],
                **{
                    "values-TOTAL_FORMS": "1",
                    "values-0-indicator": str(Indicator.objects.get(code="species-recorded").pk),
                    "values-0-value": "1",
                },
            ),
        ),
    ),
    "a project accepted without a passed whole-project acceptance": (
        "joint_office",
        lambda c, w: c.post(
            f"/api/v1/projects/{w['completed'].id}/transition/", {"to": "accepted", "comment": "验收"}, format="json"
        ),
        lambda c, w: c.post(
            "/admin/restoration/project/",
            {"action": "change_status", "_selected_action": [str(w["completed"].id)], "apply": "1", "to": "accepted"},
            follow=True,
        ),
    ),
}


def _state():
    return (
        ChangeRecord.objects.count(),
        ProgressReport.objects.count(),
        sorted(Project.objects.values_list("code", "version", "status", "lead_organization_id", "name_zh")),
    )


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("face", ["api", "admin"])
def test_every_rule_is_refused_in_the_api_and_in_the_admin(personas, client_for, world, rule, face):
    world["chongqing"].status = "proposed"
    world["chongqing"].save()
    persona, api_call, admin_call = RULES[rule]
    user = personas[persona]
    ignored = rule == "a status typed into the form"
    before = _state()
    if face == "api":
        response = api_call(client_for(user), world)
        assert response.status_code == 200 if ignored else 400 <= response.status_code < 500, response.content
    else:
        response = admin_call(_admin(user), world)
        if ignored:
            assert response.status_code == 302
        else:
            assert response.status_code in (200, 403), response.status_code
            if response.status_code == 200:
                page = response.content.decode()
                # A form shows the refusal beside the field; an action, as an error message.
                assert "errornote" in page or "errorlist" in page or 'class="error"' in page
    assert _state() == before
