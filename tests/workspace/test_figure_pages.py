"""The figure pages: they show the domain's figures with names, and read them at a fixed number of
queries whatever the data size."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.conference.choices import ActionStatus
from projects.workspace.views import figures
from tests.conference.factories import ActionItemFactory, ProjectFactory, cq_project, report

pytestmark = pytest.mark.django_db


def _projects(count: int) -> list:
    """``count`` Sichuan and ``count`` Chongqing projects, each with two counted reports."""
    made = []
    for _ in range(count):
        for project in (ProjectFactory(corridors=["jialing", "wu"]), cq_project(corridors=["yangtze"])):
            report(project, "2024-01", "100", {"forest-restored-area": "12.5", "shoreline-restored": "1.2"})
            report(project, "2024-02", "150", {"forest-restored-area": "7.5"})
            made.append(project)
    return made


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def staff_client(client, sc_staff):
    client.force_login(sc_staff)
    return client


def test_signed_out_readers_are_sent_to_sign_in(client):
    response = client.get(reverse("workspace:overview"))
    assert response.status_code == 302


def test_overview_reads_a_fixed_number_of_queries_whatever_the_data_size(staff_client):
    _projects(1)
    small, _page = _queries(staff_client, reverse("workspace:overview"))
    _projects(4)
    caches["representations"].clear()  # the factories wrote without the services' change records
    large, page = _queries(staff_client, reverse("workspace:overview"))
    assert small == large
    assert small <= 50
    # Nothing changed since: the figures over every project are kept (the reader's own parts are not).
    kept, same_page = _queries(staff_client, reverse("workspace:overview"))
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert kept < large and token.sub("", same_page) == token.sub("", page)


def test_overview_shows_the_selectors_figures_with_names(staff_client):
    _projects(2)
    ActionItemFactory(status=ActionStatus.OVERDUE, due_date=datetime.date(2024, 1, 1))
    page = staff_client.get(reverse("workspace:overview")).content.decode()
    assert "嘉陵江" in page and "四川省" in page and "重庆市" in page
    # Two Sichuan projects on the Jialing: 2 × 20 ha forest restored, derived into restored area.
    assert ">40.0<" in page or ">40<" in page
    # Planned 2 × 1,000 万元 with the thousands separator; spent the latest cumulative, 2 × 150.
    assert "2,000.00" in page and "300.00" in page
    assert "jialing" not in page.split("<main", 1)[1].split("</main>", 1)[0].replace("/jialing/", "")


def test_overview_names_indicators_nobody_has_reported_on_yet(staff_client):
    """A column's name comes from the catalogue: the figures only hold indicators with values, and
    the page showed the others' codes with "(None)" as their unit."""
    from projects.restoration.models import Indicator

    _projects(1)  # forest only: no shoreline restored, no ratio, no carbon reported
    main = staff_client.get(reverse("workspace:overview")).content.decode().split("<main", 1)[1]
    for code in ("shoreline-restored", "natural-shoreline-ratio", "carbon-sequestered"):
        indicator = Indicator.objects.get(code=code)
        assert f"{indicator.name_zh} ({indicator.unit})" in main
        assert f">{code} (" not in main
    assert "(None)" not in main


def _shaped(project, lon: float, lat: float):
    from django.contrib.gis.geos import Point

    project.geometry = Point(lon, lat, srid=4326)
    project.save(update_fields=["geometry"])
    return project


def test_the_map_loads_the_projects_of_the_visible_extent_matching_the_filters(staff_client):
    nanchong = _shaped(ProjectFactory(corridors=["jialing"]), 106.08, 30.80)
    chongqing = _shaped(cq_project(corridors=["yangtze"]), 106.55, 29.56)
    url = reverse("workspace:map-projects")

    def names(query):
        response = staff_client.get(url + query)
        assert response.status_code == 200
        return {feature["properties"]["name"] for feature in response.json()["features"]}

    assert names("?bbox=105.5,30.5,106.5,31") == {nanchong.name_zh}
    assert names("?bbox=100,25,110,35&corridor=yangtze") == {chongqing.name_zh}
    assert names("?bbox=100,25,110,35&province=500000&year=2022") == {chongqing.name_zh}
    assert names("?year=2040") == set()
    bad = staff_client.get(url + "?year=abc")
    assert bad.status_code == 400 and "year" in bad.json()["errors"]


def test_the_map_card_names_the_project_its_status_and_lead(staff_client):
    project = _shaped(ProjectFactory(), 106.08, 30.80)
    page = staff_client.get(reverse("workspace:map-card", args=[project.pk])).content.decode()
    assert project.name_zh in page and "实施中" in page and "四川省自然资源厅" in page
    assert reverse("workspace:project", args=[project.pk]) in page


def test_the_map_page_offers_the_filters_by_name_and_keeps_them_from_the_url(staff_client):
    page = staff_client.get(reverse("workspace:map") + "?corridor=jialing&status=in_progress").content.decode()
    assert '<option value="jialing" selected>嘉陵江</option>' in page
    assert 'value="in_progress" selected' in page
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from projects.core.models import KeyArea

    KeyArea.objects.filter(slug="qinba").update(
        outline=MultiPolygon(Polygon.from_bbox((107.5, 31.5, 109.5, 32.8)), srid=4326)
    )
    layers = staff_client.get(reverse("workspace:map-layers")).json()
    named = {(f["properties"]["layer"], f["properties"]["name"]) for f in layers["features"]}
    assert {("province", "四川省"), ("province", "重庆市"), ("key_area", "秦巴山区")} <= named


def test_corridor_page_reads_a_fixed_number_of_queries_whatever_the_data_size(staff_client):
    url = reverse("workspace:corridor", args=["jialing"])
    _projects(1)
    small, _page = _queries(staff_client, url)
    _projects(4)
    caches["representations"].clear()  # the factories wrote without the services' change records
    large, page = _queries(staff_client, url)
    assert small == large
    assert "嘉陵江" in page and "会议测试项目" in page


def test_a_long_corridor_shows_the_first_projects_of_each_reach_and_sends_to_the_map_for_the_rest(
    staff_client, monkeypatch
):
    monkeypatch.setattr(figures, "PER_REACH", 2)
    made = sorted((p for p in _projects(3) if p.corridors.filter(slug="jialing").exists()), key=lambda p: p.code)
    page = staff_client.get(reverse("workspace:corridor", args=["jialing"])).content.decode()

    assert made[0].name_zh in page and made[1].name_zh in page and made[2].name_zh not in page
    assert "3个项目" in page  # every project is counted
    assert "还有1个项目" in page and reverse("workspace:map") + "?corridor=jialing" in page


REACH_COUNT = 'COUNT("restoration_project"."id")'


def _counts_reaches(client, url) -> tuple[bool, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return any(REACH_COUNT in query["sql"] for query in queries), page


def test_the_reach_counts_are_kept_until_the_next_change(staff_client, joint_office):
    from projects.restoration import services

    url = reverse("workspace:corridor", args=["jialing"])
    _projects(2)
    ProjectFactory(corridors=["jialing"])
    counted, page = _counts_reaches(staff_client, url)
    assert counted and "3个项目" in page
    counted, same_page = _counts_reaches(staff_client, url)
    assert not counted and "3个项目" in same_page
    # Each corridor its own.
    assert "2个项目" in staff_client.get(reverse("workspace:corridor", args=["yangtze"])).content.decode()
    # A change through the services: counted afresh, the new project included.
    services.project_save(actor=joint_office, instance=ProjectFactory(corridors=["jialing"]), data={"name_en": "x"})
    counted, page = _counts_reaches(staff_client, url)
    assert counted and "4个项目" in page


def test_reach_counts_are_counted_for_each_reader_when_readers_see_different_projects(staff_client, monkeypatch):
    monkeypatch.setattr(figures, "seen_alike", lambda model: False)
    url = reverse("workspace:corridor", args=["jialing"])
    _projects(1)
    assert _counts_reaches(staff_client, url)[0] and _counts_reaches(staff_client, url)[0]


def test_figures_are_shared_only_for_records_every_reader_sees_alike():
    from projects.conference.models import ExpertReview
    from projects.permissions import seen_alike
    from projects.restoration.models import Project

    assert seen_alike(Project) and not seen_alike(ExpertReview)


def test_an_unknown_corridor_is_a_404(staff_client):
    assert staff_client.get(reverse("workspace:corridor", args=["no-such-river"])).status_code == 404


def test_project_page_shows_targets_reports_and_a_history_in_words(staff_client, sc_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.restoration.models import ProgressReport, ReportAttachment

    project = _projects(1)[0]
    photo = ReportAttachment.objects.create(
        report=ProgressReport.objects.filter(project=project).first(),
        kind="photo",
        title="现场照片",
        file=SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        uploaded_by=sc_staff,
    )
    page = staff_client.get(reverse("workspace:project", args=[project.pk])).content.decode()
    assert f'src="{reverse("workspace:attachment", args=[photo.pk])}"' in page and 'alt="现场照片"' in page
    assert project.name_zh in page and "生态修复面积" in page and "2024-02" in page
    assert str(project.pk) not in page.split('id="history-title"', 1)[1]


def test_plan_page_tells_why_items_are_behind_in_words(staff_client):
    from projects.conference.choices import PlanStatus
    from tests.conference.factories import AnnualPlanFactory, PlanItemFactory

    project = _projects(1)[0]
    plan = AnnualPlanFactory(year=2024, status=PlanStatus.APPROVED)
    PlanItemFactory(plan=plan, project=project)  # 40 ha of restored area planned, 20 reached
    page = staff_client.get(reverse("workspace:plan", args=[plan.pk])).content.decode()
    behind = page.split('id="behind-title"', 1)[1].split("</section>", 1)[0]
    assert project.name_zh in behind and "生态修复面积：完成20，计划40（ha）" in behind
    assert "indicator:" not in page and "restored-area" not in page


def test_project_and_plan_pages_read_a_fixed_number_of_queries(staff_client):
    from projects.conference.choices import PlanStatus
    from tests.conference.factories import AnnualPlanFactory, PlanItemFactory

    project = _projects(1)[0]
    plan = AnnualPlanFactory(year=2024, status=PlanStatus.APPROVED)
    PlanItemFactory(plan=plan, project=project)
    project_url, plan_url = reverse("workspace:project", args=[project.pk]), reverse("workspace:plan", args=[plan.pk])
    small = (_queries(staff_client, project_url)[0], _queries(staff_client, plan_url)[0])
    for month in ("2024-03", "2024-04", "2024-05"):
        report(project, month, "200", {"forest-restored-area": "1"})
    for other in _projects(3):
        PlanItemFactory(plan=plan, project=other)
    caches["representations"].clear()  # the factories wrote without the services' change records
    large = (_queries(staff_client, project_url)[0], _queries(staff_client, plan_url)[0])
    assert small == large


def test_the_overviews_kept_figures_serve_every_language_and_the_page_names_things_in_the_readers(
    staff_client, monkeypatch
):
    """One copy of the overview's figures for both languages (computed once, not once per language):
    they name nothing, so what each language would compute is the same; the corridor plan's
    targets, which name corridors and indicators, are read beside them in the reader's language."""
    import pickle

    from django.utils import translation

    from projects.conference.models import CorridorPlan, CorridorTarget
    from projects.core.models import Corridor
    from projects.restoration.models import Indicator

    _projects(1)
    CorridorTarget.objects.create(
        plan=CorridorPlan.objects.get(),
        corridor=Corridor.objects.get(slug="jialing"),
        indicator=Indicator.objects.get(code="forest-restored-area"),
        year=2035,
        target_value=100,
    )
    monkeypatch.setattr(figures.timezone, "now", lambda: datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC))
    computed = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            computed[language] = pickle.dumps(figures._shared_figures(datetime.date(2026, 6, 1)))
    assert computed["zh-hans"] == computed["en"]

    shared = []
    monkeypatch.setattr(
        figures, "_shared_figures", lambda today, f=figures._shared_figures: shared.append(1) or f(today)
    )
    from django.conf import settings

    chinese = staff_client.get(reverse("workspace:overview")).content.decode()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = staff_client.get(reverse("workspace:overview")).content.decode()
    assert len(shared) == 1
    assert "嘉陵江" in chinese and "森林修复面积" in chinese
    targets = english.split('id="targets"', 1)[1]
    assert "Jialing" in targets and "Forest restored" in targets and "嘉陵江" not in targets
