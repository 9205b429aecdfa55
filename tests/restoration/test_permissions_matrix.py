"""Who may do what with projects and reports: role × action × object, via the API."""

import pytest

from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, can
from projects.restoration.models import Project
from tests.restoration.factories import ProjectFactory, org

pytestmark = pytest.mark.django_db

PERSONAS = ["sc_staff", "cq_staff", "gz_staff", "joint_office", "expert", "partner", "administrator"]


@pytest.fixture
def objects(db):
    return {
        "sichuan": ProjectFactory(code="SC-2024-0001"),
        "chongqing": ProjectFactory(code="CQ-2024-0001", lead_organization=org("cq-planning-natural-resources")),
        "joint": ProjectFactory(code="SC-2024-0002", partners=[org("cq-planning-natural-resources")]),
    }


# (persona, object) → may change/transition
CHANGE_MATRIX = {
    ("sc_staff", "sichuan"): True,
    ("sc_staff", "chongqing"): False,
    ("sc_staff", "joint"): True,
    ("cq_staff", "sichuan"): False,
    ("cq_staff", "chongqing"): True,
    ("cq_staff", "joint"): True,
    ("gz_staff", "sichuan"): False,
    ("gz_staff", "chongqing"): False,
    ("gz_staff", "joint"): False,
    ("joint_office", "sichuan"): True,
    ("joint_office", "chongqing"): True,
    ("joint_office", "joint"): True,
    ("administrator", "sichuan"): True,
    ("administrator", "chongqing"): True,
    ("administrator", "joint"): True,
    ("expert", "sichuan"): False,
    ("expert", "chongqing"): False,
    ("expert", "joint"): False,
    ("partner", "sichuan"): False,
    ("partner", "chongqing"): False,
    ("partner", "joint"): False,
}


@pytest.mark.parametrize(("persona", "target"), sorted(CHANGE_MATRIX))
def test_change_and_transition_matrix(personas, objects, client_for, persona, target):
    user, project = personas[persona], objects[target]
    allowed = CHANGE_MATRIX[(persona, target)]
    assert can(user, CHANGE, project) is allowed
    assert can(user, TRANSITION, project) is allowed
    client = client_for(user)
    assert client.get(f"/api/v1/projects/{project.id}/").status_code == 200  # everyone reads
    response = client.patch(f"/api/v1/projects/{project.id}/", {"name_en": "renamed"}, format="json")
    assert response.status_code == (200 if allowed else 403)
    response = client.post(f"/api/v1/projects/{project.id}/transition/", {"to": "suspended"}, format="json")
    assert response.status_code == (200 if allowed else 403)
    project.refresh_from_db()
    assert (project.name_en == "renamed") is allowed


@pytest.mark.parametrize(
    ("persona", "lead", "status"),
    [
        ("sc_staff", "sc-natural-resources", 201),
        ("sc_staff", "cq-planning-natural-resources", 403),  # only for their own province
        ("cq_staff", "cq-planning-natural-resources", 201),
        ("gz_staff", "gz-natural-resources", 201),
        ("joint_office", "cq-planning-natural-resources", 201),
        ("administrator", "sc-natural-resources", 201),
        ("expert", "sc-natural-resources", 403),
        ("partner", "sc-natural-resources", 403),
    ],
)
def test_create_matrix(personas, client_for, persona, lead, status):
    payload = {"code": "XX-2025-0001", "name_zh": "新项目", "lead_organization": lead, "total_budget": "10"}
    response = client_for(personas[persona]).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == status, response.content
    assert Project.objects.filter(code="XX-2025-0001").exists() is (status == 201)


def test_staff_cannot_move_a_project_out_of_their_reach(client_for, sc_staff, objects):
    """Re-checked after the write, inside the transaction: nothing is saved."""
    project = objects["sichuan"]
    response = client_for(sc_staff).patch(
        f"/api/v1/projects/{project.id}/", {"lead_organization": "cq-planning-natural-resources"}, format="json"
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.lead_organization.slug == "sc-natural-resources"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_joint_office_and_administrators_delete(personas, objects, persona):
    assert can(personas[persona], DELETE, objects["sichuan"]) is (persona in {"joint_office", "administrator"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_catalogues_are_edited_by_the_joint_office_and_administrators(personas, client_for, persona):
    from projects.restoration.models import MeasureType

    allowed = persona in {"joint_office", "administrator"}
    assert can(personas[persona], ADD, MeasureType) is allowed
    response = client_for(personas[persona]).post(
        "/api/v1/measures/", {"code": "new-measure", "name_zh": "新措施", "name_en": "New"}, format="json"
    )
    assert response.status_code == (201 if allowed else 403)


# --- Reviews: the reviewer's province takes part in the project and is not the reporter's ---

REVIEW_MATRIX = [
    # (reviewer, project, reporter, may review)
    ("cq_staff", "joint", "sc_staff", True),  # takes part, another province
    ("sc_staff", "joint", "cq_staff", True),
    ("sc_staff", "joint", "sc_staff", False),  # its own report
    ("sc_staff", "chongqing", "cq_staff", False),  # Sichuan does not take part in a Chongqing-only project
    ("gz_staff", "sichuan", "sc_staff", False),  # Guizhou does not take part
    ("gz_staff", "joint", "sc_staff", False),
    ("joint_office", "sichuan", "sc_staff", True),
    ("administrator", "chongqing", "cq_staff", True),
    ("expert", "joint", "sc_staff", False),
    ("partner", "joint", "sc_staff", False),
]


@pytest.mark.parametrize(("reviewer", "target", "reporter", "allowed"), REVIEW_MATRIX)
def test_review_matrix(personas, objects, client_for, reviewer, target, reporter, allowed):
    from tests.restoration.factories import ReportFactory

    report = ReportFactory(project=objects[target], status="submitted", reported_by=personas[reporter])
    client = client_for(personas[reviewer])
    for to, comment in (("accepted", ""), ("returned", "请补充")):
        response = client.post(
            f"/api/v1/progress-reports/{report.id}/transition/", {"to": to, "comment": comment}, format="json"
        )
        assert response.status_code == (200 if allowed else 403), response.content
        report.refresh_from_db()
        if allowed:
            assert report.status == to
            report.status = "submitted"
            report.save()
        else:
            assert report.status == "submitted"


# --- The lead and the partners: the lead province changes them, no province joins or leaves unasked ---

LEAD_AND_PARTNER_CHANGES = [
    # (persona, project, change, status)
    ("sc_staff", "joint", {"lead_organization": "sc-natural-resources"}, 200),  # unchanged lead: fine
    ("cq_staff", "joint", {"partner_organizations": []}, 403),  # not the lead province
    ("cq_staff", "joint", {"lead_organization": "cq-planning-natural-resources"}, 403),  # takes over
    ("sc_staff", "joint", {"partner_organizations": []}, 403),  # drops Chongqing unasked
    ("sc_staff", "sichuan", {"lead_organization": "cq-planning-natural-resources"}, 403),  # makes CQ lead
    ("sc_staff", "sichuan", {"partner_organizations": ["cq-planning-natural-resources"]}, 403),  # adds CQ
    ("sc_staff", "sichuan", {"partner_organizations": ["sc-forestry-grassland"]}, 200),  # its own province's body
    ("joint_office", "joint", {"partner_organizations": []}, 200),  # the joint office agrees for all
    ("joint_office", "sichuan", {"lead_organization": "cq-planning-natural-resources"}, 200),
]


@pytest.mark.parametrize(("persona", "target", "change", "status"), LEAD_AND_PARTNER_CHANGES)
def test_lead_and_partner_changes(personas, objects, client_for, persona, target, change, status):
    from projects.core.models import ChangeRecord

    project = objects[target]
    before = (project.lead_organization_id, sorted(project.partner_organizations.values_list("pk", flat=True)))
    history = ChangeRecord.objects.count()
    response = client_for(personas[persona]).patch(f"/api/v1/projects/{project.id}/", change, format="json")
    assert response.status_code == status, response.content
    project.refresh_from_db()
    after = (project.lead_organization_id, sorted(project.partner_organizations.values_list("pk", flat=True)))
    if status != 200:
        assert after == before
        assert ChangeRecord.objects.count() == history


def test_a_project_taken_over_stays_reachable_to_its_lead(personas, objects, client_for):
    """The report: Sichuan set itself lead of a Chongqing-led project and dropped the partners;
    Chongqing then got 403 on its own project. Now refused, and Chongqing keeps its project."""
    project = objects["joint"]
    project.lead_organization = org("cq-planning-natural-resources")
    project.partner_organizations.set([org("sc-natural-resources")])
    project.save()
    project.refresh_derived()
    response = client_for(personas["sc_staff"]).patch(
        f"/api/v1/projects/{project.id}/",
        {"lead_organization": "sc-natural-resources", "partner_organizations": []},
        format="json",
    )
    assert response.status_code == 403
    response = client_for(personas["cq_staff"]).patch(
        f"/api/v1/projects/{project.id}/", {"name_en": "still ours"}, format="json"
    )
    assert response.status_code == 200
