"""Figures over all records answer for up to ``FIGURES_MAX_AGE_SECONDS`` after later changes (a
working day commits one every few seconds; computing them takes seconds at provincial scale),
except to whoever made the change, and the warm-up always computes them afresh."""

import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from api import representations
from projects.core.tokens import token_issue
from projects.restoration.models import Indicator
from tests.restoration import factories as rest
from tests.test_representation_cache import forest_total, submit_forest_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Wall-clock time moved on by hand (``clock.now += 61``)."""

    class Clock:
        now = time.time()

    monkeypatch.setattr(time, "time", lambda: Clock.now)
    return Clock


def forest_project(code: str):
    """A project targeting restored forest, which the totals show."""
    project = rest.ProjectFactory(code=code)
    rest.TargetFactory(project=project, indicator=Indicator.objects.get(code="forest-restored-area"))
    return project


def token_writer(client, user):
    """``client`` signed in with a token of ``user``, as partner systems are: DRF signs them in
    inside the view, not in the middlewares."""
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=user, user=user, name='sync', scope='write')[1]}")
    return client


def test_figures_answer_until_they_are_older_than_their_age_then_are_computed_again(monkeypatch, settings, clock):
    settings.FIGURES_MAX_AGE_SECONDS = 60
    position, computed = [7], []
    monkeypatch.setattr(representations, "last_change", lambda: position[0])

    def compute():
        computed.append(position[0])
        return {"as_of_change": position[0]}

    def read():
        return representations.figures("totals", {"by": "province"}, compute)

    assert read() == {"as_of_change": 7}
    position[0] = 8  # a change committed since
    clock.now += 59
    assert read() == {"as_of_change": 7} and computed == [7]
    clock.now += 2  # older than their age: computed again, and those answer from now on
    assert read() == {"as_of_change": 8} and computed == [7, 8]
    position[0] = 9
    assert read() == {"as_of_change": 8}
    with representations.exact_figures():
        assert read() == {"as_of_change": 9}
    settings.FIGURES_MAX_AGE_SECONDS = 0  # every answer holds every change
    position[0] = 10
    assert read() == {"as_of_change": 10} and computed == [7, 8, 9, 10]


def test_a_copy_computed_at_an_earlier_change_never_replaces_a_later_one_as_the_latest(monkeypatch, clock):
    """Two computations finishing out of order: the latest stays the one of the later change."""
    position = [5]
    monkeypatch.setattr(representations, "last_change", lambda: position[0])
    representations.figures("totals", {}, lambda: {"change": 5})
    cache = caches["representations"]
    (latest_key,) = [key for key in cache._cache if key.endswith(":latest")]
    latest = cache.get(latest_key.split(":", 2)[2])
    assert latest["position"] == 5
    position[0] = 4  # as if read by a computation that started before the change and ends now
    with representations.exact_figures():
        representations.figures("totals", {}, lambda: {"change": 4})
    assert cache.get(latest_key.split(":", 2)[2]) == latest


@pytest.fixture
def scene(client_for, anonymous_client, sc_staff, cq_staff, joint_office, settings):
    """A project the totals show; the joint office and Chongqing staff reading them, and Sichuan
    staff writing reports on it with a token."""
    settings.FIGURES_MAX_AGE_SECONDS = 60
    return (
        forest_project("SC-2030-0701"),
        client_for(joint_office),
        client_for(cq_staff),
        token_writer(anonymous_client, sc_staff),
    )


def test_the_writer_reads_their_own_writes_others_within_the_figures_age(scene, clock):
    project, office, other, writer = scene
    url = "/api/v1/indicators/totals/?by=province"
    before = forest_total(office.get(url).json())

    clock.now += 5
    submit_forest_report(writer, project)
    assert forest_total(other.get(url).json()) == before  # someone else, within the age: the last figures
    after = forest_total(writer.get(url).json())  # the writer: computed again, their report in it
    assert after != before and after is not None
    assert forest_total(other.get(url).json()) == after  # computed for the last change: everyone's now

    clock.now += 5
    submit_forest_report(writer, project, period="2026-02")
    assert forest_total(other.get(url).json()) == after
    clock.now += 61  # older than their age: computed again for everyone
    assert forest_total(other.get(url).json()) not in (before, after)


def test_only_a_write_that_succeeded_counts_as_the_readers_own(client_for, sc_staff, settings):
    settings.FIGURES_MAX_AGE_SECONDS = 60
    staff, key = client_for(sc_staff), f"{representations.WROTE_PREFIX}{sc_staff.pk}"
    assert staff.post("/api/v1/progress-reports/", {"project": "no-such-project"}, format="json").status_code == 400
    staff.get("/api/v1/projects/")
    assert caches["representations"].get(key) is None
    project = rest.ProjectFactory(code="SC-2030-0702")
    assert staff.patch(f"/api/v1/projects/{project.pk}/", {"name_en": "Renamed"}, format="json").status_code == 200
    assert caches["representations"].get(key) is not None
    settings.FIGURES_MAX_AGE_SECONDS = 0  # nothing to remember: every answer holds every change
    caches["representations"].delete(key)
    assert staff.patch(f"/api/v1/projects/{project.pk}/", {"name_en": "Again"}, format="json").status_code == 200
    assert caches["representations"].get(key) is None


def test_the_warm_up_computes_the_figures_afresh_however_young_the_kept_ones(joint_office, monkeypatch, clock):
    from api import kept_figures
    from api.tasks import warm_figures
    from projects.core.models import Organization
    from projects.core.services import plain_save
    from projects.restoration.selectors import totals_by

    computed = []
    monkeypatch.setattr(kept_figures, "totals_by", lambda **params: computed.append(params) or totals_by(**params))
    warm_figures()
    warmed = len(computed)
    assert warmed == 4  # by province and corridor, to date and this year: one copy for both languages
    organization = Organization.objects.get(slug="sc-natural-resources")
    plain_save(Organization)(actor=joint_office, instance=organization, data={"name_en": "Renamed"})
    clock.now += 1
    warm_figures()
    assert len(computed) == 2 * warmed


def test_the_pages_say_when_their_figures_were_computed_and_how_fresh_they_are(client, sc_staff, settings):
    from tests.conference.factories import AnnualPlanFactory

    settings.FIGURES_MAX_AGE_SECONDS = 60
    client.force_login(sc_staff)
    overview = client.get(reverse("workspace:overview")).content.decode()
    assert "计算于" in overview and "他人的更改在 60 秒内计入，您自己的更改立即计入。" in overview
    plan = client.get(reverse("workspace:plan", args=[AnnualPlanFactory().pk])).content.decode()
    assert "数据时效" in plan and "他人的更改在 60 秒内计入" in plan
    settings.FIGURES_MAX_AGE_SECONDS = 0
    assert "他人的更改" not in client.get(reverse("workspace:overview")).content.decode()


def test_a_background_import_that_succeeded_counts_as_its_senders_write(
    client_for, joint_office, settings, django_capture_on_commit_callbacks
):
    from api.tasks import run_import_job
    from projects.core.models import ImportJob
    from tests.test_import_jobs import projects_csv, send_background

    settings.FIGURES_MAX_AGE_SECONDS, settings.IMPORT_BACKGROUND_ROWS = 60, 2
    office, key = client_for(joint_office), f"{representations.WROTE_PREFIX}{joint_office.pk}"
    kept = caches["representations"]
    for text, status, counted in (
        (projects_csv(3).replace(",102", ",-5"), "rejected", False),
        (projects_csv(3), "succeeded", True),
    ):
        with django_capture_on_commit_callbacks(execute=False):  # the job is left for the worker
            assert send_background(office, "projects", text).status_code == 202
        kept.delete(key)  # the upload itself counted; its rows land only when the job runs
        job = ImportJob.objects.latest("created_at")
        assert run_import_job.apply(args=[str(job.pk)]).get() == status
        assert (kept.get(key) is not None) is counted


def computed_at(response) -> float:
    """The ``Figures-Computed-At`` of an answer, as a timestamp."""
    import datetime

    text = response["Figures-Computed-At"]
    assert text.endswith("+08:00")  # like every timestamp of the API
    return datetime.datetime.fromisoformat(text).timestamp()


def test_the_api_says_when_its_figures_were_computed(scene, clock):
    project, office, other, writer = scene
    url = "/api/v1/indicators/totals/?by=province"
    first = clock.now
    assert computed_at(office.get(url)) == pytest.approx(first, abs=1e-3)
    clock.now += 5
    assert computed_at(other.get(url)) == pytest.approx(first, abs=1e-3)  # kept: still when first computed
    submit_forest_report(writer, project)
    clock.now += 5
    assert computed_at(other.get(url)) == pytest.approx(first, abs=1e-3)  # within the age, without the report
    written = clock.now
    assert computed_at(writer.get(url)) == pytest.approx(written, abs=1e-3)  # the writer's: computed now
    clock.now += 61
    # Computed for the last change, they answer everyone however old, and say when.
    assert computed_at(other.get(url)) == pytest.approx(written, abs=1e-3)
    submit_forest_report(writer, project, period="2026-02")
    clock.now += 1
    assert computed_at(other.get(url)) == pytest.approx(clock.now, abs=1e-3)  # older than the age: anew


def test_every_answer_of_figures_says_when_they_were_computed(api, settings, clock):
    from projects.conference.models import CorridorPlan
    from tests.conference.factories import AnnualPlanFactory

    plan = AnnualPlanFactory()
    corridor_plan = CorridorPlan.objects.create(slug="plan-1", title_zh="测试规划", start_year=2021, end_year=2035)
    paths = [
        "/api/v1/indicators/totals/?by=corridor",
        f"/api/v1/annual-plans/{plan.pk}/execution/",
        f"/api/v1/corridor-plans/{corridor_plan.pk}/progress/",
    ]
    for path in paths:
        assert computed_at(api.get(path)) == pytest.approx(clock.now, abs=1e-3), path
    clock.now += 10
    for path in paths:  # kept: when they were computed, not when asked
        assert computed_at(api.get(path)) == pytest.approx(clock.now - 10, abs=1e-3), path
    settings.REPRESENTATION_CACHE_SECONDS = 0  # nothing kept: computed for each answer
    for path in paths:
        assert computed_at(api.get(path)) == pytest.approx(clock.now, abs=1e-3), path
