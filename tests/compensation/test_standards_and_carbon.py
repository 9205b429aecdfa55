"""Joint standards and their harmonization; the carbon-neutral restoration path."""

import datetime
from decimal import Decimal

import pytest

from projects.compensation.models import CarbonCoefficient, Standard
from projects.core.models import Corridor
from projects.restoration.models import EcosystemElement, Indicator, IndicatorValue, MeasureType, ProgressReport
from tests.compensation.factories import ProjectFactory, StandardFactory, org

pytestmark = pytest.mark.django_db
URL = "/api/v1/standards/"


def measure(code="shoreline-restoration"):
    return MeasureType.objects.get(code=code)


def test_harmonization_lists_each_measure_with_sichuan_beside_chongqing_and_the_joint_one(client_for, joint_office):
    shoreline, mines = measure(), measure("mine-remediation")
    sc = StandardFactory(issuer="sichuan", status="published", effective_date=datetime.date(2020, 1, 1))
    cq = StandardFactory(issuer="chongqing", status="published", effective_date=datetime.date(2020, 1, 1))
    joint = StandardFactory(issuer="joint", effective_date=datetime.date(2023, 1, 1))
    sc_mine = StandardFactory(issuer="sichuan", status="published", effective_date=datetime.date(2020, 1, 1))
    cq_mine = StandardFactory(issuer="chongqing", status="published", effective_date=datetime.date(2020, 1, 1))
    for standard in (sc, cq, joint):
        standard.measures.add(shoreline)
    for standard in (sc_mine, cq_mine):
        standard.measures.add(mines)
    joint.replaces.set([sc, cq])
    client = client_for(joint_office)
    rows = {row["measure"]["code"]: row for row in client.get(f"{URL}harmonization/").json()}
    assert rows["shoreline-restoration"]["state"] == "joint_in_progress"
    assert rows["mine-remediation"]["state"] == "separate"

    published = client.post(f"{URL}{joint.pk}/transition/", {"to": "published"}, format="json")
    assert published.status_code == 200
    rows = {row["measure"]["code"]: row for row in client.get(f"{URL}harmonization/").json()}
    row = rows["shoreline-restoration"]
    assert row["joint_replaces_both"] is True and row["state"] == "unified"
    assert [s["code"] for s in row["sichuan"]] == [sc.code] and [s["code"] for s in row["chongqing"]] == [cq.code]
    # Publishing the joint standard superseded both provincial ones.
    assert set(Standard.objects.filter(pk__in=[sc.pk, cq.pk]).values_list("status", flat=True)) == {"superseded"}


def test_standard_transitions_are_checked_and_publishing_needs_a_date(client_for, joint_office):
    standard = StandardFactory()
    url = f"{URL}{standard.pk}/transition/"
    no_date = client_for(joint_office).post(url, {"to": "published"}, format="json")
    assert no_date.status_code == 400 and "effective_date" in no_date.json()["errors"]
    refused = client_for(joint_office).post(url, {"to": "superseded"}, format="json")
    assert refused.status_code == 409 and refused.json()["allowed"] == ["published"]


def test_projects_declare_the_standards_they_apply(client_for, sc_staff):
    project = ProjectFactory()
    response = client_for(sc_staff).post(
        URL,
        {
            "code": "DB51/T 9999-2024",
            "title_zh": "测试规范",
            "issuer": "sichuan",
            "projects": [str(project.pk)],
            "measures": [str(measure().pk)],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [s.code for s in project.standards.all()] == ["DB51/T 9999-2024"]
    assert client_for(sc_staff).get(URL, {"project": project.code}).json()["count"] == 1


def test_chongqing_staff_cannot_edit_a_sichuan_standard(client_for, cq_staff, sc_staff):
    standard = StandardFactory(issuer="sichuan")
    assert client_for(cq_staff).patch(f"{URL}{standard.pk}/", {"title_zh": "改"}, format="json").status_code == 403
    assert client_for(sc_staff).patch(f"{URL}{standard.pk}/", {"title_zh": "改"}, format="json").status_code == 200


def report(project, user, period, hectares, indicator="forest-restored-area", status="submitted"):
    entry = ProgressReport.objects.create(
        project=project,
        period=period,
        narrative="进展",
        percent_complete=Decimal("10"),
        cumulative_investment=Decimal("1"),
        status=status,
        reported_by=user,
    )
    IndicatorValue.objects.create(report=entry, indicator=Indicator.objects.get(code=indicator), value=hectares)


def test_carbon_path_is_restored_area_per_ecosystem_type_times_the_coefficient(client_for, sc_staff):
    forest = EcosystemElement.objects.get(code="forest")
    CarbonCoefficient.objects.update_or_create(
        element=forest, defaults={"tco2e_per_ha_year": Decimal("5"), "source": "test"}
    )
    grass = EcosystemElement.objects.get(code="grassland")
    CarbonCoefficient.objects.update_or_create(
        element=grass, defaults={"tco2e_per_ha_year": Decimal("1"), "source": "test"}
    )
    project = ProjectFactory()
    project.partner_organizations.add(org("cq-planning-natural-resources"))
    project.refresh_derived()
    project.corridors.set(Corridor.objects.filter(slug__in=["jialing", "fu"]))
    report(project, sc_staff, "2022-06", "100")
    report(project, sc_staff, "2023-06", "60")
    report(project, sc_staff, "2023-07", "40", indicator="grassland-restored-area")
    report(project, sc_staff, "2023-08", "999", status="draft")  # drafts do not count
    body = client_for(sc_staff).get("/api/v1/carbon-coefficients/path/", {"start": 2022, "end": 2023}).json()
    # 2022: 100 ha forest × 5 = 500; 2023: 160 ha forest × 5 + 40 ha grassland × 1 = 840.
    assert body["total"] == {"2022": "500.000", "2023": "840.000"}
    assert body["by_corridor"]["jialing"] == {"2022": "250.000", "2023": "420.000"}
    assert body["by_province"]["500000"]["2023"] == "420.000"
    assert body["projects"][0]["area_ha"]["2023"] == {"forest": "160.000", "grassland": "40.000"}
    assert body["all_coefficients_verified"] is False


def test_experts_maintain_the_carbon_coefficients_with_their_source(client_for, expert, cq_staff):
    coefficient = CarbonCoefficient.objects.first() or CarbonCoefficient.objects.create(
        element=EcosystemElement.objects.get(code="forest"), tco2e_per_ha_year=Decimal("5"), source="demo"
    )
    url = f"/api/v1/carbon-coefficients/{coefficient.pk}/"
    change = {"tco2e_per_ha_year": "4.2", "source": "site data 2023", "verified": True}
    assert client_for(cq_staff).patch(url, change, format="json").status_code == 403
    response = client_for(expert).patch(url, change, format="json")
    assert response.status_code == 200 and response.json()["source"] == "site data 2023"
    assert client_for(expert).get(f"{url}history/").json()["results"][0]["changed_fields"] == [
        "source",
        "tco2e_per_ha_year",
        "verified",
    ]
