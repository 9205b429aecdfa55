"""Benchmark figures: ``make bench`` (or ``python -m bench.run --projects 2000``). See docs/benchmarks.md.

On its own PostgreSQL database (``BENCH_DATABASE_URL``, by default ``tracker_bench`` on the local
server, created when missing): fills it with ``generate_scale_data`` (kept between runs), runs
ANALYZE, starts the tracker under gunicorn (3 sync workers, DEBUG off), the hand-written-SQL
limit (``bench.raw``) and the floor (``bench.floor``) the same way, checks the tracker and the
limit give the same JSON, then times each read with a load generator in another process
(``bench.load``) at concurrency 1 and 8; the figures again while another account changes a
project every two seconds. Then the workflows, each with a client process of its own
(``bench.workflows``): a full sync, exports as CSV and GeoJSON and an import run by a Celery
worker, with the memory of client and server. Prints the tables and writes the figures as JSON
under ``var/bench/``.
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
import tempfile
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
    # A long import runs as one task: its limits are raised past the file's time.
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "IMPORT_JOB_TIME_LIMIT": "86400",
    "CELERY_VISIBILITY_TIMEOUT": "90000",
}
# Seconds of untimed requests before each figure, at the highest concurrency measured.
WARM_UP_SECONDS = 1.0
# ``bench.floor.PATH`` (importing that module sets Django up).
FLOOR_PATH = "/api/v1/floor/"
# Narratives of the reports the import writes; they are removed again (``remove_imported``).
IMPORT_MARKER = "基准导入"


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
    parser.add_argument(
        "--import-rows",
        type=int,
        default=2000,
        help="Progress reports in the imported CSV (the issue's figure is 100000; about 550 rows/s today).",
    )
    parser.add_argument(
        "--writes-duration",
        type=float,
        default=30.0,
        help="Seconds per figure read while another account changes a project every two seconds.",
    )
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    if not database.startswith(("postgres://", "postgresql://", "postgis://")):
        sys.exit("The benchmark runs on PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
    _create_database(database)
    # The servers' secret: the pages' session, made here, is signed with it.
    os.environ.update(
        {
            "DATABASE_URL": database,
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "SECRET_KEY": SERVER_ENV["SECRET_KEY"],
        }
    )
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
    remove_imported()  # what an interrupted run left
    analyze()
    token = bench_token()
    cases = build_cases()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database, **cache_env(args.representation_cache)}
    env["CELERY_BROKER_URL"] = broker_url()
    env["STATIC_ROOT"] = str(ROOT / "var" / "bench" / "static")
    collect_static(env)
    with servers(env, database, args.workers, args.port) as (urls, server_pids):
        app_url = urls["app"]
        results = measure(
            cases,
            app_url=app_url,
            raw_url=urls["raw"],
            floor_url=urls["floor"],
            token=token,
            concurrencies=concurrencies,
            duration=args.duration,
        )
        under_writes = measure_under_writes(
            cases, app_url=app_url, env=env, write_token=bench_token(scope="write"), duration=args.writes_duration
        )
        workflows = measure_workflows(
            app_url=app_url,
            token=token,
            write_token=bench_token(scope="write"),
            import_rows=args.import_rows,
            server_pids=server_pids,
        )
    fill = {"seconds": round(fill_seconds, 1), "rows": sum(written.values())}
    out = ROOT / "var" / "bench"
    report(
        results,
        workflows=workflows,
        under_writes=under_writes,
        fill=fill,
        out=out,
        representation_cache=args.representation_cache,
    )


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


def broker_url() -> str:
    """The Celery worker's broker (``BENCH_BROKER_URL``), emptied first: the bench's own Redis database."""
    import redis

    url = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
    redis.Redis.from_url(url).flushdb()
    return url


def collect_static(env: dict) -> None:
    """The pages' static files as production serves them (hashed names, DEBUG off)."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _create_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgis://", "postgres://", 1))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres", scheme="postgresql").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def bench_user(username: str = "bench-reader"):
    """An active joint-office account, who sees every project and may report on any."""
    from projects.core.choices import Role
    from projects.core.models import Organization, User

    return User.objects.get_or_create(
        username=username,
        defaults={"role": Role.JOINT_OFFICE, "organization": Organization.objects.filter(province=None).first()},
    )[0]


def bench_token(scope: str = "read") -> str:
    """A token of the joint office: reading for the reads, writing (another account) for the import."""
    from projects.core.tokens import token_issue

    user = bench_user("bench-reader" if scope == "read" else "bench-writer")
    return token_issue(actor=user, user=user, name=f"bench {datetime.datetime.now():%Y%m%d%H%M%S}", scope=scope)[1]


def bench_session(username: str = "bench-reader") -> str:
    """The ``Cookie`` header of a signed-in session of the reading account (or ``username``'s), for the pages."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    user = bench_user(username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def build_cases() -> list[dict]:
    """The reads to time: path, whether the hand-written limit answers it too, and the pages'
    own headers (a signed-in session instead of the token)."""
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
        # Divided by the detail's limit: the best ratio a read through the API's checks could have.
        {
            "name": "floor: the API's checks, nothing read",
            "path": FLOOR_PATH,
            "raw": False,
            "floor": True,
            "ratio_to": "project detail",
        },
        {"name": "progress-report list", "path": "/api/v1/progress-reports/?page_size=50", "raw": True},
        {"name": "changes feed, from the start", "path": "/api/v1/changes/?limit=500", "raw": False},
        {"name": "overview: figures by province", "path": "/api/v1/indicators/totals/?by=province", "raw": False},
        {"name": "corridor figures", "path": "/api/v1/indicators/totals/?by=corridor", "raw": False},
        {"name": "OGC items, projects", "path": "/ogc/collections/projects/items?limit=50", "raw": True},
    ]
    page = {"Cookie": bench_session(), "Accept-Language": "zh-hans"}
    cases.append({"name": "overview page", "path": "/figures/", "raw": False, "headers": page})
    cases.append({"name": "corridor page", "path": "/figures/corridors/jialing/", "raw": False, "headers": page})
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
    """The tracker, the limit and the floor (``bench.floor``) under gunicorn, each with ``workers``
    sync workers, and one Celery worker (solo pool: the import runs in that very process) for the
    background import. Yields their addresses (``app``, ``raw``, ``floor``) and a function giving
    the tracker's serving processes (for their memory)."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    # Sync workers, one request each, as the figures have always been measured; the timeout lets an
    # export of every project built afresh (minutes) finish on them (production runs gthread).
    common = ["--workers", str(workers), "--worker-class", "sync", "--timeout", "3600", "--log-level", "warning"]
    app = subprocess.Popen(
        [gunicorn, "tracker.wsgi:application", "--bind", f"127.0.0.1:{port}", *common], cwd=ROOT, env=env
    )
    raw_env = {**env, "BENCH_RAW_DSN": database.replace("postgis://", "postgresql://", 1)}
    raw = subprocess.Popen(
        [gunicorn, "bench.raw:app", "--bind", f"127.0.0.1:{port + 1}", *common], cwd=ROOT, env=raw_env
    )
    floor = subprocess.Popen(
        [gunicorn, "bench.floor:served()", "--bind", f"127.0.0.1:{port + 2}", *common], cwd=ROOT, env=env
    )
    celery = [sys.executable, "-m", "celery", "-A", "tracker", "--quiet", "worker", "--pool=solo", "--loglevel=WARNING"]
    worker = subprocess.Popen(
        [*celery, "--without-gossip", "--without-mingle"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )

    def server_pids() -> list[int]:
        return [*_descendants(app.pid), worker.pid, *_descendants(worker.pid)]

    try:
        for served in (port, port + 1, port + 2):
            _wait_for(served)
        names = ("app", "raw", "floor")
        yield {name: f"http://127.0.0.1:{port + offset}" for offset, name in enumerate(names)}, server_pids
    finally:
        for process in (app, raw, floor, worker):
            process.terminate()
        for process in (app, raw, floor, worker):
            process.wait(timeout=30)


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def _status_kb(pid: int, field: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return None


def reset_peaks(pids: list[int]) -> dict[int, int]:
    """Start each process's ``VmHWM`` again from its resident memory now (Linux ``clear_refs``),
    so that a peak read afterwards is the workflow's, not that of the reads before it. Returns
    each one's resident kB now."""
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    return {pid: kb for pid in pids if (kb := _status_kb(pid, "VmRSS"))}


def busy_cpu_seconds() -> float:
    """CPU time spent by every process of the machine so far (user, system and the like; not
    idle nor waiting), from Linux's /proc/stat."""
    with contextlib.suppress(OSError):
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    return 0.0


def server_memory(resident: dict[int, int]) -> dict:
    """In MB, among the server's processes: the largest resident memory at ``reset_peaks``, the
    largest peak since, and the most one of them grew above what it held then (the workflow's own)."""
    peaks = {pid: kb for pid in resident if (kb := _status_kb(pid, "VmHWM"))}
    if not peaks:
        return {"server_before_mb": None, "server_peak_mb": None, "server_added_mb": None}
    return {
        "server_before_mb": round(max(resident.values()) / 1024, 1),
        "server_peak_mb": round(max(peaks.values()) / 1024, 1),
        "server_added_mb": round(max(kb - resident[pid] for pid, kb in peaks.items()) / 1024, 1),
    }


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def fetch(url: str, headers: dict | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def normalized(value, key=None):
    """For comparing after parsing: coordinates to 9 decimals (GEOS and PostGIS print the last
    digits of a double differently), links without their host and parameter order, an OGC page's
    ``timeStamp`` left out."""
    if isinstance(value, float):
        return round(value, 9)
    if key == "timeStamp":
        return None  # the moment each answered
    if isinstance(value, str) and key in ("next", "previous", "href"):
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


def query_count(path: str, headers: dict, urlconf: str | None = None) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(**{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    resolved = override_settings(ROOT_URLCONF=urlconf) if urlconf else contextlib.nullcontext()
    with CaptureQueriesContext(connection) as queries, resolved:
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
    cases, *, app_url, raw_url, floor_url, token, concurrencies, duration, max_requests=100_000, count_queries=True
) -> list[dict]:
    """Each read's figures at each concurrency, the tracker's and, where it has one, its limit's,
    with their ratio. The floor is served by ``floor_url``; its ratio is to the limit of the read
    its case names (``ratio_to``: the project detail's)."""
    token_headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"}
    results = []
    print(HEADER)
    for case in cases:
        headers = case.get("headers", token_headers)
        floor = case.get("floor", False)
        served = (floor_url if floor else app_url) + case["path"]
        entry = {"name": case["name"], "path": case["path"], "runs": {}}
        if count_queries:
            entry["queries"] = query_count(case["path"], headers, urlconf="bench.floor" if floor else None)
        api = fetch(served, headers)
        if case["raw"]:
            limit = json.loads(fetch(raw_url + case["path"]))
            difference = first_difference(normalized(json.loads(api)), normalized(limit))
            entry["same_json"] = difference is None
            entry["difference"] = difference
        # A read without a limit of its own may be compared with another's (measured before it).
        compared = next((r for r in results if r["name"] == case.get("ratio_to")), None)
        if compared is not None:
            entry["ratio_to"] = compared["name"]
        # Every serving process answers first once, untimed: each compiles its templates and reads
        # the code's digest on its first request, which is not the steady state measured here.
        _load(served, headers, max(concurrencies), WARM_UP_SECONDS, max_requests)
        if case["raw"]:
            _load(raw_url + case["path"], {}, max(concurrencies), WARM_UP_SECONDS, max_requests)
        for concurrency in concurrencies:
            run = {"app": _load(served, headers, concurrency, duration, max_requests)}
            if case["raw"]:
                run["raw"] = _load(raw_url + case["path"], {}, concurrency, duration, max_requests)
                limit = run["raw"]
            else:
                limit = compared["runs"][str(concurrency)]["raw"] if compared is not None else None
            if limit is not None:
                run["ratio"] = round(run["app"]["rps"] / limit["rps"], 3) if limit["rps"] else None
            entry["runs"][str(concurrency)] = run
        results.append(entry)
        _print_entry(entry)
    return results


# How often the other account changes a project while the figures are read (a working day of
# both provinces' staff commits a change every few seconds).
WRITE_INTERVAL_SECONDS = 2.0
UNDER_WRITES = ("overview: figures by province", "overview page", "annual-plan execution")


def measure_under_writes(cases, *, app_url, env, write_token, duration, concurrencies=(1, 8)) -> list[dict]:
    """The figures' reads while another account (``bench-writer``) changes a project every
    ``WRITE_INTERVAL_SECONDS``, with beat running the warm-up as in production (given the servers'
    ``env``): read by someone else (the last figures answer while younger than
    ``FIGURES_MAX_AGE_SECONDS``) and by the writer, who reads their own writes (computed for every
    change: what every reader got before the sixth session)."""
    import threading

    from projects.restoration.models import Project

    project = Project.objects.order_by("code").values_list("pk", flat=True).first()
    writer_headers = {"Authorization": f"Token {write_token}", "Accept-Language": "zh-hans"}
    readers = {
        "others": ({"Authorization": f"Token {bench_token()}"}, {"Cookie": bench_session()}),
        "the writer": ({"Authorization": f"Token {write_token}"}, {"Cookie": bench_session("bench-writer")}),
    }
    chosen = [case for case in cases if case["name"].startswith(UNDER_WRITES)]
    runs = [(case, reader, concurrency) for case in chosen for reader in readers for concurrency in concurrencies]
    results = []
    print(f"\nreads while another account changes a project every {WRITE_INTERVAL_SECONDS:g} s")
    columns = ("rps", "p50 ms", "p95 ms", "p99 ms")
    print(" ".join([f"{'read':40} {'reader':10} {'':4}", *(f"{h:>8}" for h in columns), "writes"]))
    with tempfile.TemporaryDirectory() as folder, _beat(env, Path(folder)) if env else contextlib.nullcontext():
        for case, reader, concurrency in runs:
            api_headers, page_headers = readers[reader]
            headers = {**(page_headers if "headers" in case else api_headers), "Accept-Language": "zh-hans"}
            stop, writes = threading.Event(), []
            writer = threading.Thread(
                target=_write_every, args=(app_url, project, writer_headers, stop, writes), daemon=True
            )
            writer.start()
            try:
                run = _load(app_url + case["path"], headers, concurrency, duration, 100_000)
            finally:
                stop.set()
                writer.join(60)
            entry = {
                "name": case["name"],
                "reader": reader,
                "writes": len(writes),
                "failed_writes": writes.count(False),
            }
            results.append({**entry, **run})
            print(
                f"{case['name'][:40]:40} {reader:10} c={concurrency:>2} {run['rps']:8.1f} {run['p50_ms']:8.1f} "
                f"{run['p95_ms']:8.1f} {run['p99_ms']:8.1f} {len(writes):>6}"
            )
    return results


def _write_every(app_url: str, project, headers: dict, stop, writes: list) -> None:
    """Change the project's English name every ``WRITE_INTERVAL_SECONDS`` until ``stop``."""
    import http.client

    parts = urllib.parse.urlsplit(app_url)
    while not stop.wait(WRITE_INTERVAL_SECONDS):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        body = json.dumps({"name_en": f"Bench write {time.time():.0f}"})
        try:
            connection.request(
                "PATCH", f"/api/v1/projects/{project}/", body, {**headers, "Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            writes.append(response.status == 200)
        finally:
            connection.close()


@contextlib.contextmanager
def _beat(env: dict, folder: Path):
    """Celery beat, sending the periodic tasks (the figures' warm-up among them) to the bench's worker."""
    command = [sys.executable, "-m", "celery", "-A", "tracker", "--quiet", "beat", "--loglevel=WARNING"]
    command += ["--schedule", str(folder / "beat-schedule")]
    beat = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        beat.terminate()
        beat.wait(timeout=30)
        _quiet_worker(env)


def _quiet_worker(env: dict, timeout: float = 600) -> None:
    """Drop what beat sent and the worker has not started, and wait for a warm-up under way to end,
    so that the workflows measured next have the machine to themselves."""
    import redis

    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "tracker", "--quiet", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if not env.get("CACHE_URL"):
        return
    cache, deadline = redis.Redis.from_url(env["CACHE_URL"]), time.monotonic() + timeout
    # Django's key of the warm-up's claim (``api.tasks.warm_figures``): prefix, version, key.
    while cache.exists("repr:1:warm-figures:running") and time.monotonic() < deadline:
        time.sleep(0.5)


def _print_entry(entry: dict) -> None:
    for concurrency, run in entry["runs"].items():
        app, raw = run["app"], run.get("raw")
        limit = f"{raw['rps']:8.1f} {raw['p99_ms']:8.1f}" if raw else f"{'':8} {'':8}"
        limit += f" {run['ratio']:6.2f}" if run.get("ratio") is not None else f" {'':6}"
        same = {True: "same", False: "DIFFERS", None: ""}[entry.get("same_json")]
        if entry.get("ratio_to"):
            same = f"ratio to the {entry['ratio_to']}'s limit"
        print(
            f"{entry['name'][:40]:40} c={concurrency:>2} {app['rps']:8.1f} {app['p50_ms']:8.1f} {app['p95_ms']:8.1f} "
            f"{app['p99_ms']:8.1f} {limit} {entry.get('queries', ''):>3} {same}"
        )
    if entry.get("difference"):
        print(f"    first difference: {entry['difference'][:300]}")


def _client(arguments: list, headers: dict) -> dict:
    command = [sys.executable, "-m", "bench.workflows", *arguments]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=24 * 3600)
    return json.loads(output.stdout)


def measure_workflows(*, app_url, token, write_token, import_rows, server_pids=None) -> dict:
    """Full sync, exports and import, one after another, each by a client process of its own.
    ``server_pids`` gives the tracker's serving processes; without it (a server in this process)
    the server's memory is not measured."""
    from api.changes import MAX_LIMIT

    headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"}
    plan = [
        ("full sync", ["sync", f"{app_url}/api/v1/changes/?limit={MAX_LIMIT}"], headers, "records"),
        # The same replay again: every representation is now kept (a second partner's first sync).
        ("full sync kept", ["sync", f"{app_url}/api/v1/changes/?limit={MAX_LIMIT}"], headers, "records"),
        ("export csv", ["export", f"{app_url}/api/v1/projects/export/?format=csv"], headers, "rows"),
        ("export geojson", ["export", f"{app_url}/api/v1/projects/export/?format=geojson"], headers, "rows"),
    ]
    workflows = {}
    print(WORKFLOW_HEADER)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reports.csv"
        import_csv(path, rows=import_rows)
        writer = {**headers, "Authorization": f"Token {write_token}"}
        imports = ["import", f"{app_url}/api/v1/progress-reports/import/", "--file", str(path)]
        plan.append(("import csv", imports, writer, "rows"))
        try:
            for name, arguments, sent, unit in plan:
                resident = reset_peaks(server_pids() if server_pids else [])
                busy = busy_cpu_seconds()
                figures = _client(arguments, sent)
                figures[f"{unit}_per_s"] = round(figures[unit] / figures["seconds"], 1) if figures["seconds"] else None
                figures.update(server_memory(resident))
                # What the client did not spend: the tracker, PostgreSQL, Redis and the worker.
                figures["server_cpu_s"] = round(max(0.0, busy_cpu_seconds() - busy - figures["client_cpu_s"]), 3)
                spent = figures["server_cpu_s"]
                figures[f"{unit}_per_server_cpu_s"] = round(figures[unit] / spent, 1) if spent else None
                workflows[name] = figures
                _print_workflow(name, figures, unit)
        finally:
            remove_imported()
    return workflows


def import_csv(path: Path, *, rows: int) -> None:
    """A CSV of ``rows`` new progress reports, spread over the projects that may report, each in a
    month after the project's last report: no period collides, and cumulative investment (the
    project's budget) never falls below an earlier report's. With the project's indicator values."""
    import csv
    from decimal import Decimal

    from django.db.models import Max

    from projects.restoration.models import IndicatorTarget, Project
    from projects.restoration.services.reports import REPORTABLE_STATUSES

    projects = list(
        Project.objects.filter(status__in=REPORTABLE_STATUSES)
        .annotate(last=Max("reports__period_end"))
        .order_by("code")
        .values_list("pk", "code", "planned_start", "last", "total_budget")
    )
    if not projects:
        raise RuntimeError("no project may report progress: fill the database first")
    targets: dict = {}
    reported = IndicatorTarget.objects.filter(project__status__in=REPORTABLE_STATUSES, indicator__components=None)
    for project, code, value in reported.values_list("project", "indicator__code", "target_value"):
        targets.setdefault(project, []).append((code, value))
    codes = sorted({code for pairs in targets.values() for code, _value in pairs})
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["project", "period", "narrative", "percent_complete", "cumulative_investment"]
            + [f"value:{code}" for code in codes]
        )
        for number in range(rows):
            pk, project_code, start, last, budget = projects[number % len(projects)]
            # Months counted from year 0: the next after the last report (or the start), one per round.
            month = (last or start).year * 12 + (last or start).month - 1 + number // len(projects) + bool(last)
            values = dict(targets.get(pk, []))
            cells = [(values[c] / 20).quantize(Decimal("0.001")) if c in values else "" for c in codes]
            period = f"{month // 12}-{month % 12 + 1:02d}"
            writer.writerow([project_code, period, f"{IMPORT_MARKER} {number}", 100, budget, *cells])


def remove_imported() -> int:
    """Removes the reports the bench imported, with their change records, so that every run finds
    the same data. History is never removed otherwise (``HistoryIsReadOnly``); here it is the
    bench's own database, whose history ``generate_scale_data`` wrote directly too."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from projects.core.models import ChangeRecord
    from projects.restoration.models import ProgressReport

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ChangeRecord._meta.db_table} WHERE content_type_id = %s AND object_id IN "
            f"(SELECT id::text FROM {ProgressReport._meta.db_table} WHERE narrative LIKE %s)",
            [ContentType.objects.get_for_model(ProgressReport).pk, f"{IMPORT_MARKER}%"],
        )
    removed = ProgressReport.objects.filter(narrative__startswith=IMPORT_MARKER).delete()[0]
    vacuum_churned()
    return removed


def vacuum_churned() -> None:
    """VACUUM ANALYZE the tables an import writes and ``remove_imported`` deletes from: their dead
    rows slowed the next run's reads (the filtered list's p99 at c=8 170 -> 294 ms by the third run
    in a row), and autovacuum may be off (as on the development machine) or not have run yet."""
    from django.db import connection

    from projects.core.models import ChangeRecord
    from projects.restoration.models import IndicatorValue, ProgressReport, Project, ReportInvestment

    churned = (ProgressReport, IndicatorValue, ReportInvestment, ChangeRecord, Project)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in churned)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def _print_workflow(name: str, figures: dict, unit: str) -> None:
    memory = [figures[f"{side}_mb"] for side in ("client_peak", "server_before", "server_peak", "server_added")]
    shown = " ".join(f"{'–' if value is None else value:>9}" for value in memory)
    rates = f"{figures[f'{unit}_per_s'] or 0:>9.1f} {figures[f'{unit}_per_server_cpu_s'] or 0:>9.1f}"
    print(
        f"{name:16} {figures[unit]:>9} {figures['seconds']:>9.2f} {rates} {figures['client_cpu_s']:>9.2f} "
        f"{shown} {figures['errors']:>6}"
    )
    if figures.get("answer"):
        print(f"    {figures['answer']}")


def data_sizes() -> dict:
    from projects.compensation.models import Measurement, WaterSample
    from projects.conference.models import PlanItem
    from projects.core.models import ChangeRecord
    from projects.restoration.models import IndicatorValue, ProgressReport, Project

    models = [Project, ProgressReport, IndicatorValue, PlanItem, WaterSample, Measurement, ChangeRecord]
    return {model._meta.label: model.objects.count() for model in models}


def report(
    results: list[dict],
    *,
    fill: dict,
    out: Path,
    workflows: dict | None = None,
    under_writes: list | None = None,
    representation_cache: str = "redis",
) -> Path:
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
        "workflows": workflows or {},
        "under_writes": under_writes or [],
    }
    path = out / f"bench-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False))
    print(f"cores {document['cores']}, data {document['data']}, written to {path}")
    return path


COLUMNS = ("rps", "p50 ms", "p95 ms", "p99 ms", "raw rps", "raw p99")
HEADER = " ".join([f"{'read':40} {'':4}", *(f"{h:>8}" for h in COLUMNS), "ratio", "q"])
WORKFLOW_COLUMNS = (
    "rows",
    "seconds",
    "per s",
    "per srv s",
    "client s",
    "client MB",
    "server MB",
    "peak MB",
    "added MB",
    "errors",
)
WORKFLOW_HEADER = "\n" + " ".join([f"{'workflow':16}", *(f"{h:>9}" for h in WORKFLOW_COLUMNS)])


if __name__ == "__main__":
    main()
