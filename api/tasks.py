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
    from projects.core.import_jobs import import_job_run

    return import_job_run(job_id=job_id, runner_for=runner_for, attempt=self.request.id or "")


@shared_task(soft_time_limit=100, time_limit=120)
def recover_import_jobs() -> dict:
    """Periodic (beat): retry or fail imports whose worker died; send those the broker missed."""
    from projects.core.import_jobs import import_jobs_recover

    return import_jobs_recover()
