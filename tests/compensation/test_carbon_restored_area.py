"""The carbon path reads each ecosystem type's restored area once, never again through the derived total."""

from decimal import Decimal

import pytest

from projects.compensation.models import CarbonCoefficient
from projects.compensation.selectors import sequestration_path
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
