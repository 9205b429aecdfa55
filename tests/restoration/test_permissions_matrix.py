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
