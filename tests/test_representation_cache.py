"""Representations served from the cache keyed by version: the same JSON as built afresh, fewer
queries when cached, and never an older representation after a change."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.core.models import Organization
from projects.core.services import plain_save
from projects.restoration.models import Project
from tests.restoration import factories as rest

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return response.json(), len(queries)


def test_a_cached_list_is_the_same_json_for_fewer_queries(api, settings):
    for n in range(3):
        rest.ProjectFactory(code=f"SC-2030-{n:04d}")
    first, built = _queries(api, "/api/v1/projects/?ordering=code")
    again, cached = _queries(api, "/api/v1/projects/?ordering=code")
    assert again == first
    assert cached <= built - 8, (built, cached)  # no prefetches: the count and the page's keys
    settings.REPRESENTATION_CACHE_SECONDS = 0
    assert _queries(api, "/api/v1/projects/?ordering=code")[0] == first  # as built afresh


def test_a_cached_detail_is_the_same_json_and_moves_with_the_version(api, sc_staff):
    project = rest.ProjectFactory(code="SC-2030-0101")
    url = f"/api/v1/projects/{project.pk}/"
    first, built = _queries(api, url)
    again, cached = _queries(api, url)
    assert again == first and cached < built
    response = api.patch(url, {"name_zh": "新名称"}, format="json")
    assert response.status_code == 200, response.json()
    assert api.get(url).json()["name_zh"] == "新名称"
    assert api.get("/api/v1/projects/").json()["results"][0]["name_zh"] == "新名称"


def test_a_renamed_organization_shows_in_cached_projects(api, joint_office):
    project = rest.ProjectFactory(code="SC-2030-0201")
    url = f"/api/v1/projects/{project.pk}/"
    assert api.get(url).json()["lead_organization"]["name_zh"] == project.lead_organization.name_zh
    plain_save(Organization)(actor=joint_office, instance=project.lead_organization, data={"name_zh": "更名后的单位"})
    assert api.get(url).json()["lead_organization"]["name_zh"] == "更名后的单位"
    assert api.get("/api/v1/projects/").json()["results"][0]["lead_organization"]["name_zh"] == "更名后的单位"


def test_each_language_has_its_own_copy(api, settings):
    rest.ProjectFactory(code="SC-2030-0301")
    url = "/api/v1/progress-reports/?include_drafts=true"
    rest.ReportFactory(project=Project.objects.get(code="SC-2030-0301"))
    served = {lang: api.get(url, HTTP_ACCEPT_LANGUAGE=lang).json() for lang in ("zh-hans", "en")}
    assert {key for key in caches["representations"]._cache if ":zh-hans:" in key}
    assert {key for key in caches["representations"]._cache if ":en:" in key}
    settings.REPRESENTATION_CACHE_SECONDS = 0
    assert served == {lang: api.get(url, HTTP_ACCEPT_LANGUAGE=lang).json() for lang in ("zh-hans", "en")}


def test_a_representation_is_stored_under_the_version_it_was_built_from(api):
    """A change that moves the version (as every service write does) is seen at once, and the
    earlier representation stays under the earlier version only."""
    project = rest.ProjectFactory(code="SC-2030-0401")
    url = f"/api/v1/projects/{project.pk}/"
    first = api.get(url).json()
    Project.objects.filter(pk=project.pk).update(name_zh="第二版", version=first["version"] + 1)
    assert api.get(url).json()["name_zh"] == "第二版"
    assert api.get("/api/v1/projects/").json()["results"][0]["name_zh"] == "第二版"
    cached = [v for k, v in caches["representations"]._cache.items() if f":{project.pk}:" in k]
    assert len(cached) == 2  # v1 and v2, the list sharing the detail's v2


def test_writes_and_other_formats_are_never_cached(api):
    project = rest.ProjectFactory(code="SC-2030-0501")
    api.get("/api/v1/projects/?format=geojson")
    api.patch(f"/api/v1/projects/{project.pk}/", {"name_zh": "改"}, format="json")
    assert not [key for key in caches["representations"]._cache if f":{project.pk}:" in key]


def forest_total(body):
    """The forest restored over all projects in a totals answer."""
    rows = [row for row in body["all"]["indicators"] if row["indicator"] == "forest-restored-area"]
    return rows[0]["value"] if rows else None


def submit_forest_report(client, project, period: str = "2026-01") -> str:
    """A report of 12.5 ha of forest restored, written and submitted through the API: its id."""
    created = client.post(
        "/api/v1/progress-reports/",
        {
            "project": project.code,
            "period": period,
            "percent_complete": 10,
            "narrative": "完成造林 12.5 公顷",
            "cumulative_investment": "100.00",
            "values": [{"indicator": "forest-restored-area", "value": "12.5"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    report = created.json()["id"]
    submitted = client.post(f"/api/v1/progress-reports/{report}/transition/", {"to": "submitted"}, format="json")
    assert submitted.status_code == 200, submitted.json()
    return report


def test_totals_move_with_a_report_accepted_through_the_api(client_for, sc_staff, joint_office):
    """The figures are kept until the next committed change: a report written and accepted through
    the API changes them at once."""
    from projects.restoration.models import Indicator

    project = rest.ProjectFactory(code="SC-2030-0601")
    rest.TargetFactory(project=project, indicator=Indicator.objects.get(code="forest-restored-area"))
    staff, office = client_for(sc_staff), client_for(joint_office)
    url = "/api/v1/indicators/totals/?by=province"

    before = forest_total(staff.get(url).json())
    assert forest_total(staff.get(url).json()) == before  # kept
    report = submit_forest_report(staff, project)
    after = forest_total(staff.get(url).json())
    assert after != before and after is not None
    reviewed = office.post(f"/api/v1/progress-reports/{report}/transition/", {"to": "accepted"}, format="json")
    assert reviewed.status_code == 200, reviewed.json()
    assert forest_total(staff.get(url).json()) == after  # the same figure: accepted counts like submitted


def test_nested_records_the_rule_chooses_per_reader_are_cached_per_reader(client_for, sc_staff, joint_office):
    """An annual plan shows the expert reviews its reader may see (a requested review only to the
    joint office): each reader gets their own, in either order."""
    from projects.conference.choices import ReviewStatus
    from tests.conference.factories import AnnualPlanFactory, ExpertReviewFactory

    plan = AnnualPlanFactory()
    ExpertReviewFactory(plan=plan, status=ReviewStatus.SUBMITTED, opinion="同意", recommendation="approve", score=90)
    ExpertReviewFactory(plan=plan)  # requested, no opinion yet
    url = f"/api/v1/annual-plans/{plan.pk}/"
    office, staff = client_for(joint_office), client_for(sc_staff)
    for _twice in range(2):
        assert len(office.get(url).json()["expert_reviews"]) == 2
        assert len(staff.get(url).json()["expert_reviews"]) == 1
        assert len(staff.get("/api/v1/annual-plans/").json()["results"][0]["expert_reviews"]) == 1
        assert len(office.get("/api/v1/annual-plans/").json()["results"][0]["expert_reviews"]) == 2


def test_the_figures_readers_ask_for_most_are_computed_ahead_after_a_change(
    client_for, client, sc_staff, joint_office, settings
):
    """``warm_figures`` (beat, every minute): after a change the first reader of the totals and of
    the overview page finds them kept, in every language."""
    from django.urls import reverse
    from django.utils import timezone

    from api.tasks import warm_figures
    from tests.conference.factories import AnnualPlanFactory

    plan = AnnualPlanFactory(year=timezone.localdate().year)
    staff = client_for(sc_staff)
    organization = Organization.objects.get(slug="sc-natural-resources")
    plain_save(Organization)(actor=joint_office, instance=organization, data={"name_en": "Renamed"})  # a change
    # overview, totals × 4, this year's plan, the corridor plan of the reference data: × 2 languages
    assert warm_figures() == 14

    for url in ("/api/v1/indicators/totals/?by=corridor", f"/api/v1/annual-plans/{plan.pk}/execution/"):
        for language in ("zh-hans", "en"):
            with CaptureQueriesContext(connection) as captured:
                response = staff.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            # the reader's own queries (the plan itself and its rule), then the kept figures
            assert not any("restoration_indicatorvalue" in q["sql"] for q in captured), (url, language)
    client.force_login(sc_staff)
    with CaptureQueriesContext(connection) as warmed_page:
        assert client.get(reverse("workspace:overview")).status_code == 200
    caches["representations"].clear()
    with CaptureQueriesContext(connection) as afresh_page:
        assert client.get(reverse("workspace:overview")).status_code == 200
    assert 0 < len(warmed_page) < len(afresh_page)

    assert warm_figures() == 14  # nothing changed: read from what is kept
    caches["representations"].add("warm-figures:running", True, 60)
    assert warm_figures() == 0  # one warm-up at a time
    settings.REPRESENTATION_CACHE_SECONDS = 0
    caches["representations"].delete("warm-figures:running")
    assert warm_figures() == 0


def test_the_apis_figures_are_kept_as_the_json_they_answer_with(api):
    """The API's copy of a figure is the renderer's JSON, kept beside the pages' copy and answered
    as it is: what is kept is what is sent."""
    import datetime

    from api.renderers import JSONRenderer
    from projects.conference.execution import plan_execution
    from tests.conference.factories import AnnualPlanFactory, PlanItemFactory

    plan = PlanItemFactory(plan=AnnualPlanFactory()).plan
    url = f"/api/v1/annual-plans/{plan.pk}/execution/?as_of=2022-06-30"
    first = api.get(url)
    assert first.content == JSONRenderer().render(plan_execution(plan=plan, as_of=datetime.date(2022, 6, 30)))
    kept = caches["representations"]
    (json_key,) = [key for key in kept._cache if ":plan-execution:" in key and key.endswith(":json")]
    assert kept.get(json_key.split(":", 2)[2]) == first.content
    kept.set(json_key.split(":", 2)[2], b'{"kept":true}')
    assert api.get(url).json() == {"kept": True}  # answered from the kept JSON, not built again


def test_kept_representations_are_spliced_byte_for_byte(api, settings):
    """A kept page, detail and changes page are the very bytes built afresh: the kept JSON goes
    into the answer as it is (api/renderers.py), text beyond ASCII and U+2028 included."""
    project = rest.ProjectFactory(code="SC-2030-0601", name_zh="嘉陵江\u2028岸线“修复”")
    rest.ReportFactory(project=project)
    urls = [
        "/api/v1/projects/?ordering=code",
        f"/api/v1/projects/{project.pk}/",
        "/api/v1/progress-reports/?include_drafts=true",
        "/api/v1/changes/?types=projects",
    ]
    caches["representations"].clear()
    built = {url: api.get(url).content for url in urls}
    kept = {url: api.get(url).content for url in urls}
    assert kept == built
    assert b"\\u2028" in built[urls[1]] and "嘉陵江".encode() in built[urls[1]]
    settings.REPRESENTATION_CACHE_SECONDS = 0
    assert {url: api.get(url).content for url in urls} == built


def test_indented_json_asked_for_is_indented_throughout(api):
    project = rest.ProjectFactory(code="SC-2030-0701")
    compact = api.get("/api/v1/projects/").json()
    indented = api.get("/api/v1/projects/", HTTP_ACCEPT="application/json; indent=2")
    assert indented.json() == compact
    assert b'\n      "code": "SC-2030-0701"' in indented.content  # the kept result written out too
    assert api.get(f"/api/v1/projects/{project.pk}/", HTTP_ACCEPT="application/json; indent=2").content.startswith(
        b'{\n  "'
    )


def test_an_export_reads_and_keeps_the_representations_the_list_shows(api, settings):
    """An export's rows are the list's representations: kept ones are not built again (fewer
    queries), and the file is the same whether they were kept, built now, or never kept."""
    for n in range(3):
        rest.ReportFactory(project=rest.ProjectFactory(code=f"SC-2030-08{n:02d}"))
    urls = ["/api/v1/projects/export/?format=csv", "/api/v1/projects/export/?format=geojson"]
    built = {}
    for url in urls:
        caches["representations"].clear()
        built[url] = _streamed(api, url)
    caches["representations"].clear()
    api.get("/api/v1/projects/")  # what the list kept, an export reads
    kept = {url: _streamed(api, url) for url in urls}
    assert {url: body for url, (body, _n) in kept.items()} == {url: body for url, (body, _n) in built.items()}
    assert all(kept[url][1] < built[url][1] for url in urls), (built, kept)
    settings.REPRESENTATION_CACHE_SECONDS = 0
    assert {url: _streamed(api, url)[0] for url in urls} == {url: body for url, (body, _n) in built.items()}
    assert "SC-2030-0801" in built[urls[0]][0].decode()


def _streamed(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response
        body = b"".join(response.streaming_content)
    return body, len(queries)


def test_a_kept_detail_reads_only_the_records_key_and_version(api):
    """The rule's queryset finds the record, but only its key and version are read when its
    representation is kept: no derived columns, no related rows, no prefetches."""
    project = rest.ProjectFactory(code="SC-2030-0151")
    rest.ReportFactory(project=project)
    url = f"/api/v1/projects/{project.pk}/"
    built, _ = _queries(api, url)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.json() == built and response["ETag"] == f'"{built["version"]}"'
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert queries[0]["sql"].startswith(
        'SELECT "restoration_project"."id" AS "pk", "restoration_project"."version" AS "version" FROM'
    )


def test_a_kept_detail_still_asks_the_object_rule(api, monkeypatch):
    """Reading only the key and version does not skip the rule for the record: a rule refusing it
    refuses the kept copy too, and a field it reads is fetched for it."""
    from projects import permissions

    project = rest.ProjectFactory(code="SC-2030-0161")
    url = f"/api/v1/projects/{project.pk}/"
    assert api.get(url).status_code == 200  # built and kept
    asked = []

    def refusing_view(user, action, obj):
        asked.append((action, obj.code))
        return action != permissions.VIEW

    monkeypatch.setitem(permissions._rules, "restoration.project", refusing_view)
    assert api.get(url).status_code == 403
    assert asked == [(permissions.VIEW, "SC-2030-0161")]


def test_a_kept_detail_hidden_from_the_reader_is_not_found(client_for, joint_office, sc_staff):
    """The joint office's kept copy of a requested review is not found by staff, whom the rule's
    queryset hides it from."""
    from tests.conference.factories import ExpertReviewFactory

    url = f"/api/v1/expert-reviews/{ExpertReviewFactory().pk}/"
    office = client_for(joint_office)
    assert office.get(url).status_code == 200
    assert office.get(url).status_code == 200  # kept
    assert client_for(sc_staff).get(url).status_code == 404


def test_a_detail_changed_since_it_was_kept_is_built_at_its_new_version(api):
    project = rest.ProjectFactory(code="SC-2030-0171")
    url = f"/api/v1/projects/{project.pk}/"
    first = api.get(url)
    Project.objects.filter(pk=project.pk).update(name_zh="第三版", version=first.json()["version"] + 1)
    again = api.get(url)
    assert again.json()["name_zh"] == "第三版"
    assert again["ETag"] == f'"{first.json()["version"] + 1}"'
    assert api.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_the_totals_are_computed_once_for_every_language(client_for, joint_office, monkeypatch):
    """The totals name groups and indicators in both languages and translate nothing: one kept copy
    answers every language (the plan's execution, named in the reader's language, is kept per
    language)."""
    from decimal import Decimal

    from api import kept_figures
    from projects.restoration.models import Indicator
    from projects.restoration.selectors import totals_by
    from tests.restoration.factories import ProjectFactory, ReportFactory

    report = ReportFactory(project=ProjectFactory(), period="2025-06", status="accepted")
    report.values.create(indicator=Indicator.objects.get(code="forest-restored-area"), value=Decimal("12.5"))
    computed = []
    monkeypatch.setattr(kept_figures, "totals_by", lambda **params: computed.append(params) or totals_by(**params))
    office = client_for(joint_office)
    answers = [
        office.get("/api/v1/indicators/totals/?by=province", HTTP_ACCEPT_LANGUAGE=language)
        for language in ("zh-hans", "en", "zh-hans")
    ]
    assert len(computed) == 1
    assert answers[0].content == answers[1].content == answers[2].content
    (forest,) = [row for row in answers[1].json()["all"]["indicators"] if row["indicator"] == "forest-restored-area"]
    assert (forest["name_zh"], forest["name_en"], forest["value"]) == ("森林修复面积", "Forest restored", "12.500")


def test_readers_arriving_while_figures_are_computed_wait_for_that_computation(monkeypatch):
    """One computation at a time: a reader who finds another computing the same figures waits for
    its result instead of computing them again."""
    import threading

    from api import representations

    monkeypatch.setattr(representations, "last_change", lambda: 7)
    monkeypatch.setattr(representations, "FIGURES_POLL_SECONDS", 0.001)
    kind = type(caches["representations"])  # each thread has its own instance of it
    refused = threading.Event()
    add = kind.add

    def watched_add(self, key, *args, **kwargs):
        taken = add(self, key, *args, **kwargs)
        if not taken and key.endswith(":computing"):
            refused.set()
        return taken

    monkeypatch.setattr(kind, "add", watched_add)
    started, release, computed, answers = threading.Event(), threading.Event(), [], {}

    def compute():
        computed.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return {"projects": 100_000}

    def read(name):
        answers[name] = representations.figures("totals", {"by": "province"}, compute)

    first = threading.Thread(target=read, args=("first",), name="first")
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=read, args=("second",), name="second")
    second.start()
    assert refused.wait(10)  # the second found the first computing
    release.set()
    first.join(10)
    second.join(10)
    assert computed == ["first"] and answers == {"first": {"projects": 100_000}, "second": {"projects": 100_000}}


def test_figures_that_failed_to_compute_are_computed_by_the_next_reader(monkeypatch):
    from api import representations

    monkeypatch.setattr(representations, "last_change", lambda: 7)

    def failing():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        representations.figures("totals", {"by": "corridor"}, failing)
    assert not [key for key in caches["representations"]._cache if key.endswith(":computing")]
    assert representations.figures("totals", {"by": "corridor"}, lambda: {"projects": 3}) == {"projects": 3}
