"""The changes feed: commit order, cursors, tombstones, touched parents, and an exact mirror."""

import importlib.util
import random
import sqlite3
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

from api.changes import RESOURCES
from projects.core.models import ChangeRecord, Organization
from projects.core.tokens import token_issue
from projects.restoration import services
from projects.restoration.models import Project
from tests.factories import UserFactory
from tests.restoration.factories import ProjectFactory, ReportFactory, TargetFactory, org

MIRROR = Path(__file__).resolve().parents[1] / "docs" / "partners" / "mirror.py"


def load_mirror():
    spec = importlib.util.spec_from_file_location("mirror", MIRROR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def feed(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


NEW = {"code": "SC-2025-0301", "name_zh": "沱江资阳段岸线修复", "lead_organization": "sc-natural-resources"}


@pytest.mark.django_db
def test_every_change_in_order_with_versions_and_a_tombstone(api, client_for, joint_office):
    start = feed(api)["next_cursor"]
    project = api.post("/api/v1/projects/", {**NEW, "total_budget": "10"}, format="json").json()
    api.patch(f"/api/v1/projects/{project['id']}/", {"name_en": "Tuo shoreline"}, format="json")
    office = client_for(joint_office)
    office.post(f"/api/v1/projects/{project['id']}/transition/", {"to": "approved"}, format="json")
    office.delete(f"/api/v1/projects/{project['id']}/")
    entries = feed(api, since=start, types="projects")["results"]
    assert [(e["action"], e["version"], e["deleted"]) for e in entries] == [
        ("create", 1, False),
        ("update", 2, False),
        ("transition", 3, False),
        ("delete", 3, True),
    ]
    assert {e["id"] for e in entries} == {project["id"]}
    # The record is gone: no representation, only the tombstone tells.
    assert all(e["data"] is None for e in entries)


@pytest.mark.django_db
def test_entries_carry_the_detail_representation_and_resume_from_any_cursor(api):
    start = feed(api)["next_cursor"]
    first = ProjectFactory(code="SC-2025-0302")
    api.patch(f"/api/v1/projects/{first.id}/", {"name_en": "one"}, format="json")
    api.patch(f"/api/v1/projects/{first.id}/", {"name_en": "two"}, format="json")
    page = feed(api, since=start, types="projects", limit=1)
    assert page["has_more"] is True and len(page["results"]) == 1
    detail = api.get(f"/api/v1/projects/{first.id}/").json()
    assert page["results"][0]["data"] == detail
    rest = feed(api, since=page["next_cursor"], types="projects")
    assert [e["version"] for e in rest["results"]] == [3]
    assert feed(api, since=rest["next_cursor"])["results"] == []


@pytest.mark.django_db
def test_the_next_page_is_named_in_a_link_header_with_the_other_parameters_kept(api):
    project = ProjectFactory(code="SC-2025-0310")
    start = feed(api)["next_cursor"]
    for name in ("one", "two", "three"):
        api.patch(f"/api/v1/projects/{project.id}/", {"name_en": name}, format="json")
    response = api.get("/api/v1/changes/", {"since": start, "types": "projects", "limit": 2})
    page = response.json()
    link = response.headers["Link"]
    assert link.startswith("<http://testserver/api/v1/changes/?") and link.endswith('>; rel="next"')
    following = api.get(link[1 : link.index(">")])
    assert following.status_code == 200
    # The same page as by the body's cursor: its types and limit kept, only ``since`` moved on.
    assert following.json() == feed(api, since=page["next_cursor"], types="projects", limit=2)
    assert [e["type"] for e in following.json()["results"]] == ["projects"]
    assert following.json()["has_more"] is False and "Link" not in following.headers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "nonsense"}, "since"),
        ({"types": "spaceships"}, "types"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
    ],
)
def test_bad_feed_parameters_are_400s(api, params, field):
    response = api.get("/api/v1/changes/", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_anonymous_callers_get_no_feed(anonymous_client):
    assert anonymous_client.get("/api/v1/changes/").status_code == 401


@pytest.mark.django_db
def test_an_accepted_report_changes_its_projects_version_updated_at_and_feed(client_for, sc_staff, joint_office):
    project = ProjectFactory(code="SC-2025-0303")
    TargetFactory(project=project)
    report = ReportFactory(project=project, reported_by=sc_staff)
    sc, office = client_for(sc_staff), client_for(joint_office)
    before = sc.get(f"/api/v1/projects/{project.id}/").json()
    start = feed(sc)["next_cursor"]
    sc.post(f"/api/v1/progress-reports/{report.id}/transition/", {"to": "submitted"}, format="json")
    office.post(f"/api/v1/progress-reports/{report.id}/transition/", {"to": "accepted"}, format="json")
    after = sc.get(f"/api/v1/projects/{project.id}/").json()
    assert after["latest_progress"] is not None and before["latest_progress"] is None
    assert after["version"] > before["version"] and after["updated_at"] > before["updated_at"]
    types = [e["type"] for e in feed(sc, since=start)["results"]]
    assert "projects" in types and "progress-reports" in types
    # Updated since: the project shows up.
    listed = sc.get("/api/v1/projects/", {"updated_since": before["updated_at"]}).json()["results"]
    assert project.code in [p["code"] for p in listed]


@pytest.mark.django_db
def test_a_rename_touches_every_record_that_shows_the_renamed_one(api, client_for, joint_office):
    project = ProjectFactory(code="SC-2025-0304")
    version = project.version
    organization = Organization.objects.get(slug="sc-natural-resources")
    start = feed(api)["next_cursor"]
    response = client_for(joint_office).patch(
        f"/api/v1/organizations/{organization.pk}/", {"name_zh": "四川省自然资源厅（新）"}, format="json"
    )
    if response.status_code == 405:  # organizations are edited in the admin: go through the service
        from projects.core.services import plain_save

        plain_save(Organization)(actor=joint_office, instance=organization, data={"name_zh": "四川省自然资源厅（新）"})
    project.refresh_from_db()
    assert project.version == version + 1
    entry = [e for e in feed(api, since=start, types="projects")["results"] if e["id"] == str(project.id)][-1]
    assert entry["data"]["lead_organization"]["name_zh"] == "四川省自然资源厅（新）"


# --- commit order: two interleaved transactions ---


@pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite has one writer at a time: id order is commit order")
def test_a_change_committed_late_with_a_smaller_id_is_not_skipped(transactional_db):
    """T1 writes first (its record takes the smaller id) but commits after T2; a reader that
    read T2's change must still get T1's on its next read."""
    staff = UserFactory(organization=org("sc-natural-resources"))
    early, late = ProjectFactory(code="SC-2025-0401"), ProjectFactory(code="SC-2025-0402")
    client = APIClient()
    client.force_authenticate(staff)
    start = feed(client)["next_cursor"]
    t1_wrote, t2_done, reader_done = threading.Event(), threading.Event(), threading.Event()
    ids = {}

    def first():
        try:
            with transaction.atomic():
                services.project_save(actor=staff, instance=early, data={"name_en": "first written"})
                ids["t1"] = ChangeRecord.objects.filter(object_id=str(early.pk)).latest("id").id
                t1_wrote.set()
                reader_done.wait(10)  # commit only after the reader has read T2's change
        finally:
            connection.close()

    def second():
        try:
            t1_wrote.wait(10)
            with transaction.atomic():
                services.project_save(actor=staff, instance=late, data={"name_en": "committed first"})
            ids["t2"] = ChangeRecord.objects.filter(object_id=str(late.pk)).latest("id").id
        finally:
            t2_done.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    t2_done.wait(10)
    page = feed(client, since=start, types="projects")
    assert [e["id"] for e in page["results"]] == [str(late.pk)]
    reader_done.set()
    for thread in threads:
        thread.join()
    assert ids["t1"] < ids["t2"]  # the trap: T1's record has the smaller id
    later = feed(client, since=page["next_cursor"], types="projects")
    assert [e["id"] for e in later["results"]] == [str(early.pk)]


@pytest.mark.skipif(settings.IS_SPATIALITE, reason="SQLite has one writer at a time: id order is commit order")
def test_a_transactions_changes_are_numbered_at_once_in_the_order_written(transactional_db):
    """Migration 0011: the first of a committing transaction's records numbers them all, in the
    order written (savepoints included), and moves the sequence once; a later transaction follows."""
    from django.contrib.contenttypes.models import ContentType

    from projects.core.bulk import insert_many
    from projects.core.models import ChangeSequence

    kind = ContentType.objects.get_for_model(ProjectFactory._meta.model)

    def changes(prefix, count):
        return [
            ChangeRecord(action="update", content_type=kind, object_id=f"{prefix}-{n}", object_repr=prefix)
            for n in range(count)
        ]

    with transaction.atomic():
        insert_many(ChangeRecord, changes("batch", 700))
        with transaction.atomic():  # a savepoint, as each import row has
            ChangeRecord.objects.create(action="create", content_type=kind, object_id="single")
        insert_many(ChangeRecord, changes("more", 300))
    with transaction.atomic():
        ChangeRecord.objects.create(action="delete", content_type=kind, object_id="next")
    rows = list(ChangeRecord.objects.filter(content_type=kind).order_by("id").values_list("object_id", "seq"))
    positions = [seq for _object_id, seq in rows]
    assert None not in positions and positions == list(range(positions[0], positions[0] + len(rows)))
    assert [object_id for object_id, _seq in rows][699:702] == ["batch-699", "single", "more-0"]
    assert rows[-1][0] == "next" and ChangeSequence.objects.get().last == positions[-1]


# --- the exact mirror ---


def _tracker_records(user) -> dict:
    """Every shared record the partner's lists show (walked with cursor pages), as its detail
    endpoint shows it."""
    client = APIClient()
    client.force_authenticate(user)
    records = {}
    for prefix in RESOURCES.by_name:
        url, listed = f"/api/v1/{prefix}/?cursor=&page_size=100", []
        while url:
            page = client.get(url).json()
            listed += [item["id"] for item in page["results"]]
            url = page["next"]
        assert len(listed) == len(set(listed)), prefix  # no record twice
        for pk in listed:
            response = client.get(f"/api/v1/{prefix}/{pk}/")
            assert response.status_code == 200, (prefix, pk, response.status_code)
            records[(prefix, str(pk))] = response.json()
    return records


def _mirror_records(path) -> dict:
    import json

    with sqlite3.connect(path) as db:
        return {(t, i): json.loads(d) for t, i, d in db.execute("SELECT type, id, data FROM records")}


def _writes(staff, office, stop: threading.Event, seed: int, errors: list):
    """Realistic traffic while the partner syncs: new projects, edits, transitions, deletes."""
    rng = random.Random(seed)
    made = []
    try:
        for step in range(40):
            if stop.is_set():
                break
            choice = rng.random()
            if choice < 0.35 or not made:
                project = services.project_save(
                    actor=staff,
                    data={
                        "code": f"SC-2026-{seed * 100 + step:04d}",
                        "name_zh": f"同步测试项目{step}",
                        "lead_organization": org("sc-natural-resources"),
                        "total_budget": "100",
                    },
                )
                made.append(project)
            elif choice < 0.7:
                project = rng.choice(made)
                services.project_save(actor=staff, instance=project, data={"name_en": f"edit {step}"})
            elif choice < 0.85:
                project = Project.objects.get(pk=rng.choice(made).pk)
                if project.status == "proposed":
                    services.project_transition(actor=office, instance=project, to="approved")
            else:
                project = made.pop(rng.randrange(len(made)))
                services.project_delete(actor=office, instance=project)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        connection.close()


def test_a_partner_mirror_replays_the_feed_into_an_empty_database_and_ends_exact(live_server, tmp_path):
    mirror = load_mirror()

    from projects.core.choices import Role

    partner = UserFactory(role=Role.PARTNER_SYSTEM, organization=org("joint-office"), is_staff=False)
    staff = UserFactory(organization=org("sc-natural-resources"))
    office = UserFactory(role=Role.JOINT_OFFICE, organization=org("joint-office"))
    token = token_issue(actor=partner, user=partner, name="test", scope="write")[1]
    # Data written before the partner starts, through the services like every write.
    services.project_save(
        actor=staff,
        data={"code": "SC-2025-0500", "name_zh": "先有的项目", "lead_organization": org("sc-natural-resources")},
    )
    db = mirror.connect(str(tmp_path / "mirror.sqlite3"))
    stop, errors = threading.Event(), []
    writer = threading.Thread(target=_writes, args=(staff, office, stop, 7, errors))
    writer.start()
    partial = 0
    while writer.is_alive():  # sync while writes continue, from the cursor each run stored
        partial += mirror.sync(live_server.url, token, db, limit=7)
    writer.join()
    mirror.sync(live_server.url, token, db)
    assert not errors
    assert partial > 0
    assert _mirror_records(tmp_path / "mirror.sqlite3") == _tracker_records(partner)
    # A second mirror from the start, in one go, ends the same.
    other = mirror.connect(str(tmp_path / "second.sqlite3"))
    mirror.sync(live_server.url, token, other)
    assert _mirror_records(tmp_path / "second.sqlite3") == _tracker_records(partner)


# --- lists for partners ---


@pytest.mark.django_db
def test_every_list_takes_updated_since_and_refuses_a_bad_one(api):
    from api.changes import RESOURCES

    for prefix in RESOURCES.by_name:
        body = api.get(f"/api/v1/{prefix}/", {"updated_since": "2999-01-01T00:00:00Z"}).json()
        assert body.get("results") == [], (prefix, body)
        assert api.get(f"/api/v1/{prefix}/", {"updated_since": "last tuesday"}).status_code == 400, prefix


@pytest.mark.django_db
def test_cursor_pages_walk_a_list_that_changes_without_losing_a_record(api, sc_staff):
    for number in range(5):
        ProjectFactory(code=f"SC-2025-06{number:02d}")
    first = api.get("/api/v1/projects/", {"cursor": "", "page_size": 2}).json()
    assert "count" not in first and len(first["results"]) == 2
    # A record already read changes meanwhile: it moves to the end (updated_at order) and is met
    # again there with its new version; nothing is skipped.
    changed = Project.objects.get(code=first["results"][0]["code"])
    services.project_save(actor=sc_staff, instance=changed, data={"name_en": "moved"})
    seen = [(item["code"], item["version"]) for item in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url).json()
        seen += [(item["code"], item["version"]) for item in page["results"]]
        url = page["next"]
    assert {code for code, _version in seen} == set(Project.objects.values_list("code", flat=True))
    assert (changed.code, 2) in seen


@pytest.mark.django_db
def test_unsubmitted_drafts_are_listed_and_fed_only_when_asked_for(api, sc_staff):
    project = ProjectFactory(code="SC-2025-0701")
    TargetFactory(project=project)
    start = feed(api)["next_cursor"]
    report = services.report_save(
        actor=sc_staff,
        data={
            "project": project,
            "period": "2025-05",
            "narrative": "草稿",
            "percent_complete": "5",
            "cumulative_investment": "10",
        },
    )
    assert str(report.pk) not in [r["id"] for r in api.get("/api/v1/progress-reports/").json()["results"]]
    listed = api.get("/api/v1/progress-reports/", {"include_drafts": "true"}).json()["results"]
    assert str(report.pk) in [r["id"] for r in listed]
    assert api.get(f"/api/v1/progress-reports/{report.pk}/").status_code == 200  # the detail is there
    assert [e["type"] for e in feed(api, since=start)["results"]] == []
    assert [e["type"] for e in feed(api, since=start, include_drafts="true")["results"]] == ["progress-reports"]


@pytest.mark.django_db
def test_a_feed_page_costs_the_same_queries_for_one_record_as_for_three(api, sc_staff):
    """Kept or built, a page's queries do not grow with its records; kept, the records themselves
    are not read (their versions find their representations)."""
    from django.core.cache import caches
    from django.test.utils import CaptureQueriesContext

    def page_queries(since):
        with CaptureQueriesContext(connection) as queries:
            page = feed(api, since=since, include_drafts="true")
        return len(queries), len(page["results"])

    counts = {}
    for n in (1, 3):
        start = feed(api)["next_cursor"]
        for i in range(n):
            project = ProjectFactory(code=f"SC-2025-08{n}{i}")
            TargetFactory(project=project)
            api.patch(f"/api/v1/projects/{project.pk}/", {"name_en": f"reach {i}"}, format="json")
            services.report_save(
                actor=sc_staff,
                data={
                    "project": project,
                    "period": "2025-05",
                    "narrative": "进展",
                    "percent_complete": "5",
                    "cumulative_investment": "1",
                },
            )
        caches["representations"].clear()
        built, entries = page_queries(start)
        kept, again = page_queries(start)
        assert entries == again >= 2 * n
        counts[n] = (built, kept)
    assert counts[1] == counts[3], counts
    assert counts[1][1] < counts[1][0], counts


def test_the_feed_and_the_other_named_paths_resolve_without_trying_every_resource():
    """The router's 400 patterns come after the API's own paths: the feed, asked for page after
    page by every partner's sync, is not tried against each of them first."""
    from django.urls import resolve

    from api.urls import router

    for path in ("/api/v1/changes/", "/api/v1/me/", "/api/v1/auth/token/", "/api/v1/schema/"):
        assert len(resolve(path).tried) < 20, path
    viewsets = {prefix: viewset for prefix, viewset, _basename in router.registry}
    assert resolve("/api/v1/projects/").func.cls is viewsets["projects"]
