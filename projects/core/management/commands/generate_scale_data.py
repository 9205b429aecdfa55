import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.core.scale_data import generate


class Command(BaseCommand):
    help = (
        "Fill the database with generated projects, monthly progress reports and water samples for "
        "benchmarks (docs/benchmarks.md), through bulk writes that bypass the write services. Running "
        "it again adds only what is missing; ANALYZE runs at the end. Never on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=2000, help="Generated projects wanted in all.")
        parser.add_argument("--reports-per-project", type=int, default=12, help="Monthly reports per project.")
        parser.add_argument("--samples", type=int, default=20000, help="Water-quality samples wanted in all.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Projects per transaction.")
        parser.add_argument(
            "--allow-production", action="store_true", help="Fill even with DEBUG off (a benchmark server)."
        )

    def handle(self, *args, projects, reports_per_project, samples, batch_size, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: generate_scale_data would add thousands of invented projects to what looks "
                "like production. Nothing was written. Run it with DEBUG=true or give --allow-production."
            )
        started = time.perf_counter()
        verbose = options["verbosity"] > 1
        written = generate(
            projects=projects,
            reports_per_project=reports_per_project,
            samples=samples,
            batch_size=batch_size,
            log=self.stdout.write if verbose else lambda message: None,
        )
        elapsed = time.perf_counter() - started
        rows = sum(written.values())
        for table, count in sorted(written.items()):
            self.stdout.write(f"{table}: {count:,}")
        self.stdout.write(f"{rows:,} rows in {elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s)")
