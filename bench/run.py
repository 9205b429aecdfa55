"""Benchmark figures: ``make bench`` (or ``python -m bench.run --projects 2000``). See docs/benchmarks.md.

On its own PostgreSQL database (``BENCH_DATABASE_URL``, by default ``tracker_bench`` on the local
server, created when missing): fills it with ``generate_scale_data`` (kept between runs), runs
ANALYZE, starts the tracker under gunicorn (3 sync workers, DEBUG off) and the hand-written-SQL
limit (``bench.raw``) the same way, checks both give the same JSON, then times each read with a
load generator in another process (``bench.load``) at concurrency 1 and 8. Prints a table and
writes the figures as JSON under ``var/bench/``.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench"
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-any-deployment-0123456789",
    "SECURE_SSL_REDIRECT": "false",
    "API_RATE_LIMIT": "100000000/min",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--reports-per-project", type=int, default=12)
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per figure.")
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument(
        "--representation-cache",
        choices=["redis", "memory", "off"],
        default="redis",
        help="Where the tracker keeps representations by version (api/representations.py): Redis shared by "
        "the workers as in production (BENCH_CACHE_URL, emptied first), each worker's memory, or off "
        "(every representation built afresh: the figure of a read nobody made before).",
    )
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    if not database.startswith(("postgres://", "postgresql://", "postgis://")):
        sys.exit("The benchmark runs on PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
    _create_database(database)
    os.environ.update({"DATABASE_URL": database, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "tracker.settings"})
    os.environ.setdefault("VAR_DIR", str(ROOT / "var"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from projects.core.scale_data import analyze, generate

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    written = generate(
        projects=args.projects, reports_per_project=args.reports_per_project, samples=args.samples, log=print
    )
    fill_seconds = time.perf_counter() - started
    analyze()
    token = bench_token()
    cases = build_cases()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database, **cache_env(args.representation_cache)}
    with servers(env, database, args.workers, args.port) as (app_url, raw_url):
        results = measure(
            cases, app_url=app_url, raw_url=raw_url, token=token, concurrencies=concurrencies, duration=args.duration
        )
    fill = {"seconds": round(fill_seconds, 1), "rows": sum(written.values())}
    report(results, fill=fill, out=ROOT / "var" / "bench", representation_cache=args.representation_cache)


def cache_env(mode: str) -> dict:
    """The tracker's cache settings for ``--representation-cache``; Redis is emptied first."""
    if mode == "off":
        return {"REPRESENTATION_CACHE_SECONDS": "0", "CACHE_URL": ""}
    if mode == "memory":
        return {"CACHE_URL": ""}
    import redis

    url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6")
    redis.Redis.from_url(url).flushdb()
    return {"CACHE_URL": url}


def _create_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgis://", "postgres://", 1))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres", scheme="postgresql").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def bench_token() -> str:
    """A read token of an active joint-office account, who sees every project."""
    from projects.core.choices import Role
    from projects.core.models import Organization, User
    from projects.core.tokens import token_issue

    user, _ = User.objects.get_or_create(
        username="bench-reader",
        defaults={"role": Role.JOINT_OFFICE, "organization": Organization.objects.filter(province=None).first()},
    )
    return token_issue(actor=user, user=user, name=f"bench {datetime.datetime.now():%Y%m%d%H%M%S}", scope="read")[1]


def build_cases() -> list[dict]:
    """The reads to time: path, and whether the hand-written limit answers it too."""
    from projects.conference.models import AnnualPlan, CorridorPlan
    from projects.restoration.models import Project

    count = Project.objects.count()
    deep = max(1, min(500, math.ceil(count / 50) - 1))
    middle = Project.objects.order_by("code").values_list("pk", flat=True)[count // 2]
    cases = [
        {"name": "project list, page 1", "path": "/api/v1/projects/?page_size=50", "raw": True},
        {"name": f"project list, page {deep}", "path": f"/api/v1/projects/?page_size=50&page={deep}", "raw": True},
        {
            "name": "project list, corridor + status",
            "path": "/api/v1/projects/?corridor=jialing&status=in_progress&page_size=50",
            "raw": True,
        },
        {"name": "project detail", "path": f"/api/v1/projects/{middle}/", "raw": True},
        {"name": "progress-report list", "path": "/api/v1/progress-reports/?page_size=50", "raw": True},
        {"name": "changes feed, from the start", "path": "/api/v1/changes/?limit=500", "raw": False},
        {"name": "overview: figures by province", "path": "/api/v1/indicators/totals/?by=province", "raw": False},
        {"name": "corridor figures", "path": "/api/v1/indicators/totals/?by=corridor", "raw": False},
    ]
    corridor_plan = CorridorPlan.objects.order_by("slug").first()
    if corridor_plan:
        path = f"/api/v1/corridor-plans/{corridor_plan.pk}/progress/"
        cases.append({"name": "corridor-plan progress", "path": path, "raw": False})
    plan = AnnualPlan.objects.filter(year=2025).first() or AnnualPlan.objects.order_by("-year").first()
    if plan:
        items = plan.items.count()
        path = f"/api/v1/annual-plans/{plan.pk}/execution/"
        cases.append({"name": f"annual-plan execution ({items} items)", "path": path, "raw": False})
    return cases


@contextlib.contextmanager
def servers(env: dict, database: str, workers: int, port: int):
    """The tracker and the limit under gunicorn, each with ``workers`` sync workers."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    common = ["--workers", str(workers), "--worker-class", "sync", "--timeout", "300", "--log-level", "warning"]
    app = subprocess.Popen(
        [gunicorn, "tracker.wsgi:application", "--bind", f"127.0.0.1:{port}", *common], cwd=ROOT, env=env
    )
    raw_env = {**env, "BENCH_RAW_DSN": database.replace("postgis://", "postgresql://", 1)}
    raw = subprocess.Popen(
        [gunicorn, "bench.raw:app", "--bind", f"127.0.0.1:{port + 1}", *common], cwd=ROOT, env=raw_env
    )
    try:
        for served in (port, port + 1):
            _wait_for(served)
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    finally:
        for process in (app, raw):
            process.terminate()
        for process in (app, raw):
            process.wait(timeout=30)


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def normalized(value, key=None):
    """For comparing after parsing: coordinates to 9 decimals (GEOS and PostGIS print the last
    digits of a double differently), page links without their host and parameter order."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, str) and key in ("next", "previous"):
        parts = urllib.parse.urlsplit(value)
        return [parts.path, sorted(urllib.parse.parse_qsl(parts.query))]
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: normalized(v, k) for k, v in value.items()}
    return value


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only on one side"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def query_count(path: str, token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries)


def _load(url: str, headers: dict, concurrency: int, duration: float, max_requests: int) -> dict:
    command = [sys.executable, "-m", "bench.load", url, "--concurrency", str(concurrency), "--duration", str(duration)]
    command += ["--max-requests", str(max_requests)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=duration + 600)
    return json.loads(output.stdout)


def measure(
    cases, *, app_url, raw_url, token, concurrencies, duration, max_requests=100_000, count_queries=True
) -> list[dict]:
    headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"}
    results = []
    print(HEADER)
    for case in cases:
        entry = {"name": case["name"], "path": case["path"], "runs": {}}
        if count_queries:
            entry["queries"] = query_count(case["path"], token)
        api = fetch(app_url + case["path"], headers)
        if case["raw"]:
            limit = fetch(raw_url + case["path"])
            difference = first_difference(normalized(api), normalized(limit))
            entry["same_json"] = difference is None
            entry["difference"] = difference
        for concurrency in concurrencies:
            run = {"app": _load(app_url + case["path"], headers, concurrency, duration, max_requests)}
            if case["raw"]:
                run["raw"] = _load(raw_url + case["path"], {}, concurrency, duration, max_requests)
                run["ratio"] = round(run["app"]["rps"] / run["raw"]["rps"], 3) if run["raw"]["rps"] else None
            entry["runs"][str(concurrency)] = run
        results.append(entry)
        _print_entry(entry)
    return results


def _print_entry(entry: dict) -> None:
    for concurrency, run in entry["runs"].items():
        app, raw = run["app"], run.get("raw")
        limit = f"{raw['rps']:8.1f} {raw['p99_ms']:8.1f} {run['ratio']:6.2f}" if raw else f"{'':8} {'':8} {'':6}"
        same = {True: "same", False: "DIFFERS", None: ""}[entry.get("same_json")]
        print(
            f"{entry['name'][:40]:40} c={concurrency:>2} {app['rps']:8.1f} {app['p50_ms']:8.1f} {app['p95_ms']:8.1f} "
            f"{app['p99_ms']:8.1f} {limit} {entry.get('queries', ''):>3} {same}"
        )
    if entry.get("difference"):
        print(f"    first difference: {entry['difference'][:300]}")


def data_sizes() -> dict:
    from projects.compensation.models import Measurement, WaterSample
    from projects.conference.models import PlanItem
    from projects.core.models import ChangeRecord
    from projects.restoration.models import IndicatorValue, ProgressReport, Project

    models = [Project, ProgressReport, IndicatorValue, PlanItem, WaterSample, Measurement, ChangeRecord]
    return {model._meta.label: model.objects.count() for model in models}


def report(results: list[dict], *, fill: dict, out: Path, representation_cache: str = "redis") -> Path:
    from django.db import connection

    out.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    document = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "representation_cache": representation_cache,
        "postgresql": server,
        "data": data_sizes(),
        "fill": fill,
        "results": results,
    }
    path = out / f"bench-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False))
    print(f"cores {document['cores']}, data {document['data']}, written to {path}")
    return path


COLUMNS = ("rps", "p50 ms", "p95 ms", "p99 ms", "raw rps", "raw p99")
HEADER = " ".join([f"{'read':40} {'':4}", *(f"{h:>8}" for h in COLUMNS), "ratio", "q"])


if __name__ == "__main__":
    main()
