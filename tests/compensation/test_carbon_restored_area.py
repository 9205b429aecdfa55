"""The carbon path reads each ecosystem type's restored area once, never again through the derived total."""

from decimal import Decimal

import pytest

from projects.compensation.models import CarbonCoefficient
from projects.compensation.selectors import sequestration_path
from projects.core.models import Corridor
from projects.restoration.models import EcosystemElement, Indicator
from tests.restoration.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_the_derived_restored_area_is_never_counted_again():
    forest = EcosystemElement.objects.get(code="forest")
    CarbonCoefficient.objects.update_or_create(
        element=forest, defaults={"tco2e_per_ha_year": Decimal("5"), "source": "test"}
    )
    # Even if the derived indicator were tied to an ecosystem type, its area is the forest's area.
    Indicator.objects.filter(code="restored-area").update(element=forest)
    project = ProjectFactory()
    report = ReportFactory(project=project, period="2024-06", status="accepted")
    report.values.create(indicator=Indicator.objects.get(code="forest-restored-area"), value=Decimal("100"))
    path = sequestration_path(years=[2024], project_ids=[project.pk])
    # 100 ha of forest × 5 t CO2e/ha/year; 1,000 if the derived 100 ha were added as well.
    assert path["total"] == {2024: "500.000"}
    assert path["projects"][0]["area_ha"][2024] == {"forest": "100.000"}


def test_the_totals_alone_are_those_of_the_whole_path():
    """A page showing only the totals asks for them without each project's part: the same totals."""
    forest = EcosystemElement.objects.get(code="forest")
    CarbonCoefficient.objects.update_or_create(
        element=forest, defaults={"tco2e_per_ha_year": Decimal("3"), "source": "test"}
    )
    for period, corridors in (("2024-03", ["jialing"]), ("2024-04", ["jialing", "wu"]), ("2024-05", [])):
        project = ProjectFactory()
        project.corridors.set(Corridor.objects.filter(slug__in=corridors))
        report = ReportFactory(project=project, period=period, status="accepted")
        report.values.create(indicator=Indicator.objects.get(code="forest-restored-area"), value=Decimal("7.5"))
    whole = sequestration_path(years=[2024, 2025])
    totals = sequestration_path(years=[2024, 2025], each_project=False)

    assert len(whole.pop("projects")) == 3 and "projects" not in totals
    assert totals == whole and totals["by_corridor"]["wu"] == {2024: "11.250", 2025: "11.250"}
