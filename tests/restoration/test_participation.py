"""Participation requests: no province joins, leaves or takes the lead of a project unasked."""

import pytest

from projects.core.models import ChangeRecord
from tests.restoration.factories import ProjectFactory, org

pytestmark = pytest.mark.django_db


def ask(client, project, organization, kind, comment=""):
    return client.post(
        "/api/v1/participation-requests/",
        {"project": project.code, "organization": organization, "kind": kind, "comment": comment},
        format="json",
    )


def decide(client, request_id, to, comment=""):
    return client.post(
        f"/api/v1/participation-requests/{request_id}/transition/", {"to": to, "comment": comment}, format="json"
    )


def test_the_lead_invites_chongqing_and_chongqing_accepts(client_for, sc_staff, cq_staff):
    project = ProjectFactory(code="SC-2025-0201")
    response = ask(client_for(sc_staff), project, "cq-planning-natural-resources", "join", "邀请共同实施")
    assert response.status_code == 201, response.json()
    request = response.json()
    assert request["status"] == "pending"
    assert request["deciding_province"]["code"] == "500000"
    # The asking side cannot decide for the other.
    assert decide(client_for(sc_staff), request["id"], "accepted").status_code == 403
    accepted = decide(client_for(cq_staff), request["id"], "accepted", "同意参与")
    assert accepted.status_code == 200, accepted.json()
    project.refresh_from_db()
    assert project.is_cross_regional
    assert {p.code for p in project.provinces.all()} == {"510000", "500000"}
    event = ChangeRecord.objects.filter(object_id=str(project.pk), event="restoration.project.participation_changed")
    assert event.get().actor == cq_staff
    # Chongqing now takes part: it may report and review on the project.
    response = client_for(cq_staff).patch(f"/api/v1/projects/{project.id}/", {"name_en": "joint"}, format="json")
    assert response.status_code == 200


def test_a_declined_invitation_changes_nothing(client_for, sc_staff, cq_staff):
    project = ProjectFactory(code="SC-2025-0202")
    request = ask(client_for(sc_staff), project, "cq-planning-natural-resources", "join").json()
    assert decide(client_for(cq_staff), request["id"], "declined", "不参与").json()["status"] == "declined"
    project.refresh_from_db()
    assert not project.is_cross_regional
    assert decide(client_for(cq_staff), request["id"], "accepted").status_code == 409


def test_handing_over_the_lead_needs_the_new_leads_agreement(client_for, sc_staff, cq_staff):
    project = ProjectFactory(code="SC-2025-0203")
    request = ask(client_for(sc_staff), project, "cq-planning-natural-resources", "lead").json()
    assert decide(client_for(cq_staff), request["id"], "accepted").status_code == 200
    project.refresh_from_db()
    assert project.lead_organization.slug == "cq-planning-natural-resources"
    # The previous lead stays a partner: dropping it needs its own agreement.
    assert list(project.partner_organizations.values_list("slug", flat=True)) == ["sc-natural-resources"]


def test_a_partner_leaves_with_the_leads_agreement(client_for, sc_staff, cq_staff):
    project = ProjectFactory(code="SC-2025-0204", partners=[org("cq-planning-natural-resources")])
    request = ask(client_for(cq_staff), project, "cq-planning-natural-resources", "leave", "退出").json()
    assert request["deciding_province"]["code"] == "510000"
    assert decide(client_for(sc_staff), request["id"], "accepted").status_code == 200
    project.refresh_from_db()
    assert not project.is_cross_regional


@pytest.mark.parametrize(
    ("persona", "organization", "kind", "status"),
    [
        ("gz_staff", "cq-planning-natural-resources", "join", 403),  # neither the lead nor the joining side
        ("sc_staff", "sc-forestry-grassland", "join", 400),  # its own province: just edit the project
        ("sc_staff", "sc-natural-resources", "lead", 400),  # leads already
        ("sc_staff", "cq-planning-natural-resources", "leave", 400),  # not a partner
    ],
)
def test_requests_that_make_no_sense_are_refused(personas, client_for, persona, organization, kind, status):
    project = ProjectFactory(code="SC-2025-0205")
    response = ask(client_for(personas[persona]), project, organization, kind)
    assert response.status_code == status, response.content


def test_the_requester_withdraws_and_the_same_request_waits_only_once(client_for, sc_staff):
    project = ProjectFactory(code="SC-2025-0206")
    sc = client_for(sc_staff)
    first = ask(sc, project, "cq-planning-natural-resources", "join").json()
    assert ask(sc, project, "cq-planning-natural-resources", "join").status_code == 400
    assert decide(sc, first["id"], "withdrawn").json()["status"] == "withdrawn"
    assert ask(sc, project, "cq-planning-natural-resources", "join").status_code == 201
