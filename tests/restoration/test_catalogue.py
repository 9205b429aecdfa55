"""The indicator catalogue says how each indicator adds up, and the rules are kept."""

from decimal import Decimal

import pytest

from projects.restoration.choices import Combination
from projects.restoration.models import Indicator
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def test_every_indicator_says_how_it_adds_up_and_no_ratio_is_summed():
    for indicator in Indicator.objects.all():
        assert indicator.combination in Combination.values, indicator.code
        if indicator.unit == "%":
            assert indicator.combination != Combination.SUM, indicator.code
    ratio = Indicator.objects.get(code="natural-shoreline-ratio")
    assert (ratio.combination, ratio.weight) == ("weighted_mean", "shoreline_length")
    assert Indicator.objects.get(code="species-recorded").combination == "per_project"


def test_restored_area_is_derived_from_the_element_areas(api):
    body = api.get(URL, {"search": "restored-area"}).json()
    area = next(row for row in body["results"] if row["code"] == "restored-area")
    assert sorted(c["code"] for c in area["components"]) == [
        "farmland-restored-area",
        "forest-restored-area",
        "grassland-restored-area",
        "wetland-restored-area",
    ]
    assert area["combination"] == "sum"


def test_a_value_reported_on_restored_area_is_a_400_naming_its_components(api):
    project = ProjectFactory()
    TargetFactory(project=project)  # restored area
    payload = {
        "project": str(project.id),
        "period": "2025-03",
        "narrative": "进展",
        "percent_complete": "10",
        "cumulative_investment": "10",
        "values": [{"indicator": "restored-area", "value": "12"}],
    }
    response = api.post("/api/v1/progress-reports/", payload, format="json")
    assert response.status_code == 400
    assert "forest-restored-area" in response.json()["errors"]["values"][0]
    # The areas per ecosystem type are accepted: the project targets what they add up to.
    payload["values"] = [{"indicator": "forest-restored-area", "value": "12"}]
    assert api.post("/api/v1/progress-reports/", payload, format="json").status_code == 201
    # An element area the project does not target, nor anything it adds up to, is still refused.
    other = ProjectFactory()
    TargetFactory(project=other, indicator=Indicator.objects.get(code="buffer-zone-built"))
    stray = {**payload, "project": str(other.id)}
    assert api.post("/api/v1/progress-reports/", stray, format="json").status_code == 400


def test_a_component_in_mu_counts_exactly_in_hectares(client_for, joint_office, api):
    """15 亩 is exactly 1 ha: the derived figure converts each component to its own unit."""
    forest = Indicator.objects.get(code="forest-restored-area")
    office = client_for(joint_office)
    assert office.patch(f"{URL}{forest.pk}/", {"unit": "亩"}, format="json").status_code == 200
    project = ProjectFactory()
    TargetFactory(project=project)
    for period, mu in (("2025-01", "15"), ("2025-02", "7.5")):
        report = ReportFactory(project=project, period=period, status="accepted")
        report.values.create(indicator=forest, value=Decimal(mu))
    body = api.get(f"/api/v1/projects/{project.id}/progress/").json()
    assert body["targets"][0]["achieved"] == "1.500"  # 22.5 亩 = 1.5 ha, exactly


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"combination": "weighted_mean"}, "weight"),  # weighted by what?
        ({"weight": "restored_area"}, "weight"),  # a sum has no weight
        ({"combination": "average"}, "combination"),
        ({"aggregation": "latest"}, "aggregation"),  # a derived indicator adds its components up
        ({"components": ["forest-restored-area", "shoreline-restored"]}, "components"),  # km is no area
        ({"components": ["restored-area"]}, "components"),  # not itself
        ({"unit": "km"}, "components"),
    ],
)
def test_the_joint_office_cannot_state_a_rule_that_does_not_add_up(client_for, joint_office, change, field):
    area = Indicator.objects.get(code="restored-area")
    response = client_for(joint_office).patch(f"{URL}{area.pk}/", change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    area.refresh_from_db()
    assert (area.combination, area.aggregation, area.unit, area.weight) == ("sum", "sum", "ha", "")
    assert area.components.count() == 4


def test_a_component_keeps_a_unit_that_converts(client_for, joint_office):
    forest = Indicator.objects.get(code="forest-restored-area")
    response = client_for(joint_office).patch(f"{URL}{forest.pk}/", {"unit": "km"}, format="json")
    assert response.status_code == 400 and "unit" in response.json()["errors"]


def test_an_indicator_with_reported_values_cannot_become_derived(client_for, joint_office):
    buffer = Indicator.objects.get(code="buffer-zone-built")
    project = ProjectFactory()
    TargetFactory(project=project, indicator=buffer)
    ReportFactory(project=project).values.create(indicator=buffer, value=1)
    response = client_for(joint_office).patch(
        f"{URL}{buffer.pk}/", {"components": ["mine-area-remediated"]}, format="json"
    )
    assert response.status_code == 400 and "components" in response.json()["errors"]


def test_provincial_staff_cannot_change_the_rules(api):
    ratio = Indicator.objects.get(code="natural-shoreline-ratio")
    assert api.patch(f"{URL}{ratio.pk}/", {"combination": "sum"}, format="json").status_code == 403


def test_area_units_convert_as_the_carbon_path_converts_them():
    from projects.compensation.selectors import HECTARES
    from projects.restoration.units import area_factor

    for unit, hectares in HECTARES.items():
        factor = area_factor(unit)
        assert Decimal(factor.numerator) / Decimal(factor.denominator) == hectares, unit


def test_a_projects_own_figures_follow_latest_and_average_over_time(api):
    project = ProjectFactory()
    for code, value in (("natural-shoreline-ratio", "80"), ("vegetation-cover", "70")):
        TargetFactory(project=project, indicator=Indicator.objects.get(code=code), target_value=Decimal(value))
    for period, ratio, cover in (("2025-01", "70", "60"), ("2025-02", "76", "71"), ("2025-03", "99", "99")):
        report = ReportFactory(project=project, period=period, status="draft" if period == "2025-03" else "accepted")
        report.values.create(indicator=Indicator.objects.get(code="natural-shoreline-ratio"), value=Decimal(ratio))
        report.values.create(indicator=Indicator.objects.get(code="vegetation-cover"), value=Decimal(cover))
    targets = {t["indicator"]: t for t in api.get(f"/api/v1/projects/{project.id}/progress/").json()["targets"]}
    assert targets["natural-shoreline-ratio"]["achieved"] == "76.000"  # the latest counted report
    assert targets["natural-shoreline-ratio"]["percent"] == "95.0"
    assert targets["vegetation-cover"]["achieved"] == "65.500"  # (60 + 71) ÷ 2
    assert targets["vegetation-cover"]["percent"] == "93.6"  # 93.571… rounded half up


def test_the_admin_refuses_a_rule_that_does_not_add_up(joint_office):
    from django.test import Client

    area = Indicator.objects.get(code="restored-area")
    client = Client()
    client.force_login(joint_office)
    form = {
        "code": area.code,
        "name_zh": area.name_zh,
        "name_en": area.name_en,
        "unit": area.unit,
        "aggregation": "sum",
        "combination": "weighted_mean",
        "weight": "",
        "components": [str(pk) for pk in area.components.values_list("pk", flat=True)],
        "element": "",
        "description": "",
        "loaded_version": str(area.version),
    }
    response = client.post(f"/admin/restoration/indicator/{area.pk}/change/", form)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    area.refresh_from_db()
    assert area.combination == "sum"
    form.update(combination="sum")
    assert client.post(f"/admin/restoration/indicator/{area.pk}/change/", form).status_code == 302
