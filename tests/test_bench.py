"""``make bench`` once, tiny: the harness runs end to end and its hand-written SQL still gives the
API's JSON, and its workflows (full sync, exports, import) count what the data holds, so none of
it can rot. No time is asserted; seconds live only in the benchmark."""

import contextlib
import json
import os
import threading
import time
import urllib.error
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections

from api.changes import RESOURCES
from bench import raw
from bench import run as bench
from projects.core.models import ChangeRecord
from projects.core.scale_data import generate
from projects.restoration.models import ProgressReport, Project

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the limit is PostgreSQL SQL")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _dsn() -> str:
    settings = connection.settings_dict
    dsn = f"dbname={settings['NAME']} user={settings['USER']} host={settings['HOST']} port={settings['PORT'] or 5432}"
    if settings.get("PASSWORD"):
        dsn += f" password={settings['PASSWORD']}"
    return dsn


@contextlib.contextmanager
def _served(app):
    """``app`` served from a thread of this process; its address."""
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)

    def serve():
        try:
            server.serve_forever()
        finally:  # the serving thread's own connection, or the test database could not be dropped
            connections.close_all()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def raw_server():
    with _served(raw.RawApp(_dsn())) as url:
        yield url


@pytest.fixture
def floor_server():
    from bench.floor import FloorHandler

    with _served(FloorHandler()) as url:
        yield url


def test_the_bench_runs_and_its_limit_gives_the_apis_json(
    transactional_db, live_server, raw_server, floor_server, tmp_path, monkeypatch
):
    call_command("load_reference", verbosity=0)  # the previous transactional test emptied the tables
    generate(projects=24, reports_per_project=3, samples=10, log=lambda message: None)
    token = bench.bench_token()
    cases = bench.build_cases()
    compared = {case["name"] for case in cases if case["raw"]}
    assert compared >= {"project list, page 1", "project list, corridor + status", "project detail"}
    assert {"progress-report list", "OGC items, projects"} <= compared and len(cases) >= 9
    assert {"OGC items, projects", "overview page", "corridor page"} <= {case["name"] for case in cases}

    results = bench.measure(
        cases,
        app_url=live_server.url,
        raw_url=raw_server,
        floor_url=floor_server,
        token=token,
        concurrencies=[1, 2],
        duration=0.2,
        max_requests=3,
    )

    floor = next(entry for entry in results if entry["path"] == bench.FLOOR_PATH)
    detail = next(entry for entry in results if entry["name"] == "project detail")
    # Nothing read but the token (kept in the shared cache where there is one: none here).
    assert floor["queries"] <= 1 and floor["ratio_to"] == "project detail"
    for concurrency, run in floor["runs"].items():
        assert run["ratio"] == round(run["app"]["rps"] / detail["runs"][concurrency]["raw"]["rps"], 3)
    for entry in results:
        if entry is floor:
            continue
        assert entry["queries"] > 0
        for run in entry["runs"].values():
            assert run["app"]["requests"] > 0 and run["app"]["errors"] == 0, entry
            if "raw" in run:
                assert run["raw"]["errors"] == 0 and run["ratio"] is not None
        if "same_json" in entry:
            assert entry["same_json"], entry["difference"]

    written = ChangeRecord.objects.count()
    monkeypatch.setattr(bench, "WRITE_INTERVAL_SECONDS", 0.1)
    under_writes = bench.measure_under_writes(
        cases, app_url=live_server.url, env=None, write_token=bench.bench_token(scope="write"), duration=0.5
    )
    assert [(entry["name"].split(" (")[0], entry["reader"], entry["concurrency"]) for entry in under_writes] == [
        (name, reader, concurrency)
        for name in bench.UNDER_WRITES
        for reader in ("others", "the writer")
        for concurrency in (1, 8)
    ]
    for entry in under_writes:
        assert entry["requests"] > 0 and entry["errors"] == 0 and entry["writes"] > 0, entry
        assert entry["failed_writes"] == 0, entry
    assert ChangeRecord.objects.count() >= written + sum(entry["writes"] for entry in under_writes)

    feed = ContentType.objects.get_for_models(*RESOURCES.by_model).values()
    changes = ChangeRecord.objects.filter(content_type__in=feed).count()
    reports = ProgressReport.objects.count()
    workflows = bench.measure_workflows(
        app_url=live_server.url, token=token, write_token=bench.bench_token(scope="write"), import_rows=5
    )

    assert workflows["full sync"]["records"] == changes > 0 and workflows["full sync"]["pages"] >= 1
    assert workflows["full sync kept"]["records"] == changes  # the replay again, from kept representations
    assert workflows["export csv"]["rows"] == workflows["export geojson"]["rows"] == Project.objects.count() == 24
    assert workflows["import csv"]["rows"] == 5
    assert ProgressReport.objects.count() == reports  # the imported reports are gone again
    assert ChangeRecord.objects.filter(content_type__in=feed).count() == changes
    for figures in workflows.values():
        assert figures["errors"] == 0 and figures["client_peak_mb"] > 0 and figures["client_cpu_s"] > 0, figures
        assert figures["server_cpu_s"] >= 0
        assert figures["server_peak_mb"] is None  # the live server runs in this process: not measured
    document = json.loads(
        bench.report(
            results, workflows=workflows, under_writes=under_writes, fill={"seconds": 0, "rows": 0}, out=tmp_path
        ).read_text()
    )
    assert document["cores"] >= 1 and document["data"]["restoration.Project"] == 24
    assert {"rps", "p50_ms", "p95_ms", "p99_ms"} <= set(document["results"][0]["runs"]["1"]["app"])
    assert document["workflows"]["import csv"]["rows_per_s"] > 0
    assert len(document["under_writes"]) == 4 * len(bench.UNDER_WRITES)


def test_the_server_memory_is_read_from_proc():
    """What the bench reads of gunicorn's and Celery's processes, tried on this one."""
    memory = bench.server_memory(bench.reset_peaks([os.getpid()]))
    assert memory["server_peak_mb"] >= memory["server_before_mb"] > 0 and memory["server_added_mb"] >= 0


def test_the_machines_busy_time_is_read_from_proc():
    """The CPU time the workflows' servers spent is the machine's busy time less the client's."""
    before = bench.busy_cpu_seconds()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert before > 0 and bench.busy_cpu_seconds() - before >= 0.15


def test_the_floor_runs_the_apis_checks(transactional_db, floor_server):
    """The floor answers only what the API would: a token is asked for, a read-only token reads, and
    its rate limit counts; so its figure is what those checks cost, not a bare answer's."""
    from bench import floor

    assert bench.FLOOR_PATH == floor.PATH
    url = floor_server + bench.FLOOR_PATH
    with pytest.raises(urllib.error.HTTPError) as refused:
        bench.fetch(url)
    assert refused.value.code == 401
    assert json.loads(bench.fetch(url, {"Authorization": f"Token {bench.bench_token()}"})) == {"floor": True}


def test_the_layers_take_a_detail_apart(transactional_db):
    """``bench.layers`` times each layer of a detail in process, each one's own cost beside the one
    it adds to."""
    from bench import layers

    call_command("load_reference", verbosity=0)
    generate(projects=3, reports_per_project=1, samples=1, log=lambda message: None)
    project = Project.objects.order_by("code").first()

    figures = layers.measure(token=bench.bench_token(), project=project.pk, database=_dsn(), requests=2, rounds=1)

    assert [layer["name"] for layer in figures] == [name for name, *_ in layers.LAYERS]
    assert all(layer["median_ms"] > 0 for layer in figures)
    assert [layer["added_ms"] is None for layer in figures] == [True, True] + [False] * (len(figures) - 2)
