"""Who may do what: one table of role × action × record, asked of ``projects.permissions.can``."""

import pytest

from projects.compensation import services
from projects.compensation.models import (
    CarbonCoefficient,
    CompensationAgreement,
    FundAllocation,
    FundContribution,
    Standard,
    Trade,
    WaterSample,
)
from projects.permissions import ADD, CHANGE, DELETE, TRANSITION, VIEW, can
from tests.compensation.factories import AgreementFactory, ProductFactory, SectionFactory, fund, org

pytestmark = pytest.mark.django_db

PERSONAS = ["sc_staff", "cq_staff", "gz_staff", "joint_office", "expert", "partner", "administrator"]


def _objects():
    sc_section = SectionFactory(responsible=["sc-ecology-environment"])
    sample = WaterSample(section=sc_section)  # manual sampling, the default
    station_sample = WaterSample(section=sc_section, source="automatic")
    agreement = AgreementFactory()
    from projects.compensation.models import Settlement

    settlement = Settlement(agreement=agreement, period="2023")
    contribution = FundContribution(fund=fund(), contributor=org("sc-natural-resources"))
    allocation = FundAllocation(fund=fund())
    sc_standard = Standard(issuer="sichuan", code="x")
    joint_standard = Standard(issuer="joint", code="y")
    product = ProductFactory(owner=org("sc-natural-resources"))
    trade = Trade(product=product, seller=org("sc-natural-resources"), buyer=org("cq-forestry"))
    return {
        "sc_sample": sample,
        "sc_station_sample": station_sample,
        "agreement": agreement,
        "settlement": settlement,
        "sc_contribution": contribution,
        "allocation": allocation,
        "sc_standard": sc_standard,
        "joint_standard": joint_standard,
        "sc_product": product,
        "sc_trade": trade,
        "coefficient": CarbonCoefficient(),
    }


# record, action → the personas allowed (everyone signed in may VIEW everything).
MATRIX = [
    # The partner system (data-sharing platform) adds automatic-station samples only.
    ("sc_sample", ADD, {"sc_staff", "joint_office", "administrator"}),
    ("sc_station_sample", ADD, {"sc_staff", "joint_office", "partner", "administrator"}),
    ("sc_sample", CHANGE, {"sc_staff", "joint_office", "administrator"}),
    ("sc_sample", DELETE, {"sc_staff", "joint_office", "administrator"}),
    ("agreement", CHANGE, {"joint_office", "administrator"}),
    ("agreement", ADD, {"joint_office", "administrator"}),
    ("settlement", ADD, {"sc_staff", "cq_staff", "joint_office", "administrator"}),
    ("settlement", TRANSITION, {"sc_staff", "cq_staff"}),
    ("settlement", DELETE, {"joint_office", "administrator"}),
    ("sc_contribution", ADD, {"sc_staff", "joint_office", "administrator"}),
    ("sc_contribution", CHANGE, {"sc_staff", "joint_office", "administrator"}),
    ("allocation", ADD, {"joint_office", "administrator"}),
    ("sc_standard", CHANGE, {"sc_staff", "joint_office", "administrator"}),
    ("sc_standard", DELETE, {"joint_office", "administrator"}),
    ("joint_standard", CHANGE, {"joint_office", "administrator"}),
    ("sc_product", CHANGE, {"sc_staff", "joint_office", "administrator"}),
    ("sc_trade", ADD, {"sc_staff", "joint_office", "administrator"}),
    ("sc_trade", TRANSITION, {"sc_staff", "cq_staff", "joint_office", "administrator"}),
    ("sc_trade", CHANGE, {"joint_office", "administrator"}),
    ("coefficient", CHANGE, {"expert", "joint_office", "administrator"}),
    ("coefficient", DELETE, {"joint_office", "administrator"}),
]


def test_role_action_matrix(personas):
    objects = _objects()
    for record, action, allowed in MATRIX:
        for name in PERSONAS:
            user = personas[name]
            assert can(user, VIEW, objects[record]), (name, record, VIEW)
            assert can(user, action, objects[record]) == (name in allowed), (name, record, action)


def test_anonymous_requests_to_compensation_endpoints_are_401(anonymous_client):
    for name in ["compensation-agreements", "water-quality-samples", "settlements", "trades", "standards"]:
        assert anonymous_client.get(f"/api/v1/{name}/").status_code == 401


def test_chongqing_staff_cannot_add_samples_for_a_sichuan_section(client_for, cq_staff):
    from tests.compensation.factories import measurements

    section = SectionFactory(responsible=["sc-ecology-environment"])
    response = client_for(cq_staff).post(
        "/api/v1/water-quality-samples/",
        {"section": str(section.pk), "sampled_on": "2023-01-01", "measurements": measurements()},
        format="json",
    )
    assert response.status_code == 403
    assert WaterSample.objects.count() == 0


def test_partner_system_adds_station_samples_but_cannot_change_them(client_for, partner, joint_office):
    from tests.compensation.factories import measurements

    section = SectionFactory()
    client = client_for(partner)
    created = client.post(
        "/api/v1/water-quality-samples/",
        {
            "section": str(section.pk),
            "sampled_on": "2023-01-01",
            "source": "automatic",
            "measurements": [m for m in measurements() if m["parameter"] not in ("cod", "bod5")],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    manual = client.post(
        "/api/v1/water-quality-samples/",
        {"section": str(section.pk), "sampled_on": "2023-01-02", "source": "manual", "measurements": measurements()},
        format="json",
    )
    assert manual.status_code == 403, manual.json()
    assert not WaterSample.objects.filter(sampled_on="2023-01-02").exists()
    url = f"/api/v1/water-quality-samples/{created.json()['id']}/"
    assert client.patch(url, {"note": "x"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403


def test_only_the_joint_office_writes_agreements(client_for, sc_staff, joint_office):
    agreement = AgreementFactory()
    url = f"/api/v1/compensation-agreements/{agreement.pk}/"
    assert client_for(sc_staff).patch(url, {"river": "x"}, format="json").status_code == 403
    assert client_for(joint_office).patch(url, {"river": "涪江"}, format="json").status_code == 200
    assert CompensationAgreement.objects.get().river == "涪江"
    assert services  # the services module is what the API calls
