"""Benchmark figures: ``make bench`` (or ``python -m bench.run --projects 2000``).

Runs on its own database (``BENCH_DATABASE_URL``, by default a SpatiaLite file under
``var/bench``), fills it with synthetic projects and reports through the bulk path, then times
the API's main reads against a raw-SQL baseline in the same run and prints the figures.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--reports-per-project", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    bench_var = ROOT / "var" / "bench"
    bench_var.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(bench_var)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"spatialite:///{bench_var / 'bench.sqlite3'}")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    _fill(args.projects, args.reports_per_project)
    _measure(args.repeat)


def _fill(count: int, reports_per_project: int) -> None:
    import datetime
    import random
    from decimal import Decimal

    from projects.core.choices import Role
    from projects.core.models import Corridor, Organization, User
    from projects.restoration.models import Indicator, IndicatorValue, ProgressReport, Project

    existing = Project.objects.filter(code__startswith="BN-").count()
    if existing >= count:
        print(f"data: {existing} synthetic projects already present")
        return
    rng = random.Random(2021)
    user, _ = User.objects.get_or_create(
        username="bench",
        defaults={"role": Role.PROVINCIAL_STAFF, "organization": Organization.objects.get(slug="sc-natural-resources")},
    )
    organizations = list(Organization.objects.exclude(province=None))
    corridors = list(Corridor.objects.all())
    indicator = Indicator.objects.get(code="forest-restored-area")  # restored area is derived from it
    started = time.perf_counter()
    projects = [
        Project(
            code=f"BN-{2021 + i % 10}-{i:04d}"[:30],
            name_zh=f"基准项目{i}",
            lead_organization=rng.choice(organizations),
            total_budget=Decimal(rng.randint(100, 50000)),
            status="in_progress",
            planned_start=datetime.date(2021, 1, 1),
        )
        for i in range(existing, count)
    ]
    Project.objects.bulk_create(projects, batch_size=1000)
    for project in projects:
        project.corridors.add(rng.choice(corridors))
        project.refresh_derived()
    reports, values = [], []
    for project in projects:
        for month in range(1, reports_per_project + 1):
            report = ProgressReport(
                project=project,
                period=f"2025-{month:02d}",
                narrative="基准",
                percent_complete=Decimal(month * 8),
                cumulative_investment=Decimal(month * 10),
                status="accepted",
                reported_by=user,
                period_kind="month",
                period_start=datetime.date(2025, month, 1),
                period_end=datetime.date(2025, month, 28),
            )
            reports.append(report)
            values.append(IndicatorValue(report=report, indicator=indicator, value=Decimal(rng.randint(1, 50))))
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    elapsed = time.perf_counter() - started
    print(
        f"data: {len(projects)} projects, {len(reports)} reports written in {elapsed:.1f} s "
        f"({len(reports) / elapsed:,.0f} reports/s through the bulk path)"
    )


def _timed(function, repeat: int) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times = []
    reset_queries()  # the fill filled the debug query log
    with CaptureQueriesContext(connection) as queries:
        function()
    query_count = len(queries.captured_queries)
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), query_count


def _measure(repeat: int) -> None:
    from django.db import connection
    from rest_framework.test import APIClient

    from projects.core.models import User
    from projects.restoration.models import Project
    from projects.restoration.progress import indicator_totals

    client = APIClient()
    client.force_authenticate(User.objects.get(username="bench"))

    def get(url, **params):
        def call():
            response = client.get(url, params)
            assert response.status_code == 200, response.content[:200]

        return call

    def raw_baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, code, name_zh, status, total_budget FROM restoration_project ORDER BY code LIMIT 50"
            )
            cursor.fetchall()

    ids = list(Project.objects.values_list("pk", flat=True)[:200])
    cases = [
        ("raw SQL: 50 projects, no relations (baseline)", raw_baseline),
        ("GET /api/v1/projects/?page_size=50", get("/api/v1/projects/", page_size=50)),
        ("GET /api/v1/projects/?page_size=200", get("/api/v1/projects/", page_size=200)),
        (
            "GET /api/v1/projects/?corridor=jialing&status=in_progress",
            get("/api/v1/projects/", corridor="jialing", status="in_progress"),
        ),
        ("GET /api/v1/progress-reports/?page_size=100", get("/api/v1/progress-reports/", page_size=100)),
        ("indicator_totals over 200 projects", lambda: indicator_totals(project_ids=ids)),
    ]
    print(f"database: {connection.vendor}; {Project.objects.count()} projects; median of {repeat} runs")
    print(f"{'case':62} {'median ms':>10} {'queries':>8}")
    for name, function in cases:
        median, queries = _timed(function, repeat)
        print(f"{name:62} {median:10.1f} {queries:8d}")


if __name__ == "__main__":
    main()
