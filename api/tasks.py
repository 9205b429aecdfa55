"""Background work of the HTTP face."""

from celery import shared_task
from django.conf import settings


@shared_task
def prune_idempotency_keys() -> int:
    """Periodic (beat): forget idempotency keys older than they are kept."""
    from api.idempotency import prune

    return prune()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def dispatch_webhooks() -> int:
    """Periodic (beat): turn the changes committed since the last run into webhook deliveries."""
    from api.webhooks import dispatch

    return dispatch()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def send_due_webhooks() -> int:
    """Periodic (beat) and after each dispatch: send the deliveries that are due."""
    from api.webhooks import send_due

    return send_due()


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=settings.IMPORT_JOB_TIME_LIMIT,
    soft_time_limit=settings.IMPORT_JOB_TIME_LIMIT - 60,
)
def run_import_job(self, job_id: str) -> str:
    """Run a background import; a finished job, or one another worker runs, is left as it is. The
    same message delivered again after its worker died takes the import over."""
    from api.import_jobs import runner_for
    from api.representations import wrote
    from projects.core.choices import ImportStatus
    from projects.core.import_jobs import import_job_run
    from projects.core.models import ImportJob

    status = import_job_run(job_id=job_id, runner_for=runner_for, attempt=self.request.id or "")
    if status == ImportStatus.SUCCEEDED:  # its rows count in the figures the sender reads next
        wrote(ImportJob.objects.values_list("requested_by_id", flat=True).get(pk=job_id))
    return status


@shared_task(soft_time_limit=100, time_limit=120)
def recover_import_jobs() -> dict:
    """Periodic (beat): retry or fail imports whose worker died; send those the broker missed."""
    from projects.core.import_jobs import import_jobs_recover

    return import_jobs_recover()


@shared_task(soft_time_limit=540, time_limit=600)
def warm_figures() -> int:
    """Periodic (beat): compute the figures over every project that readers ask for most (the
    overview page, the totals by province and corridor to date and this year, the execution of this
    and next year's annual plans, the corridor plan's progress) once something changed, so the first
    reader after a change does not wait for them (seconds at provincial scale), and readers find
    them younger than ``FIGURES_MAX_AGE_SECONDS``. What is already kept is only read; one warm-up
    at a time."""

    from django.core.cache import caches
    from django.utils import timezone

    from projects.conference import execution
    from projects.conference.models import AnnualPlan, CorridorPlan

    if settings.REPRESENTATION_CACHE_SECONDS <= 0:
        return 0
    cache = caches["representations"]
    if not cache.add("warm-figures:running", True, 600):
        return 0
    try:
        today = timezone.localdate()
        plans = list(AnnualPlan.objects.filter(year__in=[today.year, today.year + 1]).only("id", "year"))
        corridor_plans = list(CorridorPlan.objects.only("id"))
        # Each plan's items and figures are read once, and named in every language.
        with execution.inputs_shared():
            return sum(_warm(today, plans, corridor_plans, language) for language, _name in settings.LANGUAGES)
    finally:
        cache.delete("warm-figures:running")


def _warm(today, plans, corridor_plans, language: str) -> int:
    import datetime

    from django.utils import translation

    from api import kept_figures, representations
    from projects.workspace.views.figures import overview_figures

    year = (datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    with translation.override(language), representations.exact_figures():
        overview_figures(today)
        for by in ("province", "corridor"):
            kept_figures.totals(by=by, encoded=True)
            kept_figures.totals(by=by, start=year[0], end=year[1], encoded=True)
        # The API's copies (JSON) are made from the pages' ones, so both are kept.
        for plan in plans:
            kept_figures.plan_execution(plan=plan, as_of=today, encoded=True)
        for corridor_plan in corridor_plans:
            kept_figures.corridor_progress(corridor_plan=corridor_plan, as_of=today, encoded=True)
    return 5 + len(plans) + len(corridor_plans)
