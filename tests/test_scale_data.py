"""``generate_scale_data`` fills the database with varied, valid data, once; ``load_demo`` still
works on a database that holds other projects than the demo's."""

import re

import pytest
from django.core.management import CommandError, call_command

from projects.compensation.models import Measurement, WaterSample
from projects.conference.models import PlanItem
from projects.core.models import ChangeRecord, Province
from projects.core.scale_data import generate
from projects.restoration.models import IndicatorValue, ProgressReport, Project

pytestmark = pytest.mark.django_db
CODE = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{4}$")


def _counts():
    return (
        Project.objects.count(),
        ProgressReport.objects.count(),
        IndicatorValue.objects.count(),
        PlanItem.objects.count(),
        WaterSample.objects.count(),
        Measurement.objects.count(),
        ChangeRecord.objects.count(),
    )


def test_generated_data_is_varied_valid_and_written_once():
    written = generate(projects=60, reports_per_project=4, samples=30, log=lambda message: None)
    assert written["restoration_project"] == 60
    projects = list(Project.objects.prefetch_related("corridors", "provinces").select_related("lead_organization"))
    assert all(CODE.match(p.code) for p in projects)
    assert {p.status for p in projects} >= {"proposed", "in_progress", "completed", "accepted"}
    assert {c.slug for p in projects for c in p.corridors.all()} >= {"yangtze", "jialing", "min"}
    assert len({p.lead_organization.province_id for p in projects}) == 3
    outlines = {p.pk: p.outline for p in Province.objects.all()}
    for project in projects:
        # Derived as the services derive them: provinces from the organizations, shapes inside them.
        assert project.lead_organization.province_id in {p.pk for p in project.provinces.all()}
        assert project.is_cross_regional == (len(project.provinces.all()) > 1)
        assert outlines[project.lead_organization.province_id].contains(project.geometry.centroid)
    assert any(p.is_cross_regional for p in projects)
    assert ProgressReport.objects.filter(status="accepted").exists()
    assert IndicatorValue.objects.exists() and PlanItem.objects.exists()
    assert WaterSample.objects.count() == 30 and Measurement.objects.count() == 30 * 7
    assert ChangeRecord.objects.filter(event="restoration.project.created").count() == 60

    before = _counts()
    assert generate(projects=60, reports_per_project=4, samples=30, log=lambda message: None) == {}
    assert _counts() == before
    generate(projects=70, reports_per_project=4, samples=30, log=lambda message: None)
    assert Project.objects.count() == 70


@pytest.mark.django_db(transaction=True)  # PostgreSQL's batches commit on connections of their own
def test_samples_are_the_same_whichever_way_they_are_written():
    """PostgreSQL writes the samples in SQL, batches on several connections at once, other
    databases row by row from Python: the same sections, dates, classes and values (the Python
    rows are the reference), and a sample already taken at its place (section, date, source) is
    not written again."""
    from projects.compensation.models import MonitoringSection
    from projects.core.scale_data import PARAMETERS, SAMPLE_DAYS, _sample_profiles, sample_place

    total = SAMPLE_DAYS + 40  # two sections
    generate(projects=0, reports_per_project=0, samples=total, batch_size=10, log=lambda message: None)
    sections = list(MonitoringSection.objects.filter(code__startswith="scale-section-").order_by("code"))
    profiles = _sample_profiles()
    expected = {}
    for i in range(total):
        section, sampled_on, profile = sample_place(i, sections)
        values, water_class, limiting = profiles[profile]
        expected[(section.pk, sampled_on)] = (water_class, limiting, values)
    samples = WaterSample.objects.prefetch_related("measurements")
    found = {
        (s.section_id, s.sampled_on): (
            s.water_class,
            s.limiting_parameters,
            {m.parameter: m.value for m in s.measurements.all()},
        )
        for s in samples
    }
    assert found == expected
    assert {m.unit for m in Measurement.objects.filter(parameter="ph")} == {""}
    assert len(PARAMETERS) * total == Measurement.objects.count()
    assert generate(projects=0, reports_per_project=0, samples=total, log=lambda message: None) == {}
    assert WaterSample.objects.count() == total


def test_load_demo_works_beside_generated_projects(settings, capsys):
    settings.DEBUG = True
    call_command("generate_scale_data", projects=40, reports_per_project=2, samples=0)
    call_command("load_demo")
    assert "conference.load:" in capsys.readouterr().out
    generated = Project.objects.filter(code__regex=r"^(SCS|CQS|GZS)-")
    assert generated.count() == 40
    # The demo's plans hold the demo's projects only.
    assert not PlanItem.objects.filter(plan__year__in=[2022, 2023], project__in=generated).exists()


def test_with_debug_off_the_generator_refuses_and_writes_nothing(settings):
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("generate_scale_data", projects=5, reports_per_project=1, samples=0)
    assert _counts() == before
