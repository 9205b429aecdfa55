"""Large imports as background work: asked for in a request, run by a Celery task, followed by
the person who asked (``/api/v1/import-jobs/{id}/``).

The request checks the permission and the file's columns, stores the file and the job, and sends
the task once its transaction commits (the outbox: a broker outage delays the import, never loses
it). The task claims the job, runs the same all-or-nothing import as a request would, as the
person who asked and in their language, and records the counts or every bad line. Progress is
written on a connection of its own, so it shows while the import's transaction is still open
(PostgreSQL; the embedded SQLite database has one writer at a time and shows it at the end). The
file goes when the import ends. A job whose worker died is taken over by its message delivered
again, or after its deadline by the recovery beat task, up to ``IMPORT_JOB_ATTEMPTS`` times.
"""

import datetime
import logging
import time
from collections.abc import Callable
from pathlib import PurePosixPath

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core import outbox
from projects.core.choices import ImportStatus
from projects.core.imports import ImportRejected, count_rows
from projects.core.models import ImportJob
from projects.permissions import ADD, require

logger = logging.getLogger(__name__)

# Run an import: (actor, file, dry_run, progress) -> counts; raises ImportRejected.
Runner = Callable[..., dict]
_PROGRESS_INTERVAL = 0.5  # seconds between two progress writes


def _deadline() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.IMPORT_JOB_DEADLINE)


def import_job_request(*, actor, resource: str, model: type[models.Model], file, dry_run: bool, language: str):
    """Store the file and a pending job, and send its task when the transaction commits. The
    permission to add records of ``model`` is asked before a byte is stored."""
    from api.tasks import run_import_job

    require(actor, ADD, model)
    rows = count_rows(file)
    with transaction.atomic():
        job = ImportJob(
            resource=resource,
            requested_by=actor,
            language=language,
            file_name=file.name[:200],
            dry_run=dry_run,
            rows_total=rows,
        )
        # A name of the tracker's own: the person's file name is kept as text (any length, any script).
        suffix = PurePosixPath(file.name).suffix.lower()
        job.file.save(f"upload{suffix if suffix in ('.csv', '.xlsx') else ''}", file, save=False)
        stored = job.file.name
        try:
            job.save()
        except Exception:
            job.file.storage.delete(stored)
            raise
        outbox.send_on_commit(run_import_job, job)
    return job


def _claim(job_id, attempt: str) -> bool:
    claimable = models.Q(status=ImportStatus.PENDING) | models.Q(
        status=ImportStatus.RUNNING, started_at__lt=timezone.now() - _deadline()
    )
    if attempt:
        # This very message claimed it before and is delivered again: the worker running it died.
        claimable |= models.Q(status=ImportStatus.RUNNING, attempt_id=attempt)
    return bool(
        ImportJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(
            status=ImportStatus.RUNNING,
            started_at=timezone.now(),
            rows_done=0,
            attempt_id=attempt,
            attempts=models.F("attempts") + 1,
        )
    )


class ProgressWriter:
    """Writes ``rows_done`` of one job at most every half second, outside the import's transaction."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.written_at = 0.0
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connection.get_new_connection(connection.get_connection_params())
            self.side.autocommit = True

    def __call__(self, rows_done: int) -> None:
        now = time.monotonic()
        if self.side is None or now - self.written_at < _PROGRESS_INTERVAL:
            return
        self.written_at = now
        with self.side.cursor() as cursor:
            cursor.execute("UPDATE core_importjob SET rows_done = %s WHERE id = %s", [rows_done, self.job_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_job_run(*, job_id, runner_for: Callable[[str], Runner], attempt: str = "") -> str:
    """Run one job (the task). Safe to run twice: a finished job, or one another worker runs, is
    left alone. Returns the job's status."""
    if not _claim(job_id, attempt):
        job = ImportJob.objects.filter(pk=job_id).first()
        return job.status if job else "missing"
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    progress = ProgressWriter(job.pk)
    values: dict
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), job.file.open("rb") as file:
            counts = runner_for(job.resource)(actor=job.requested_by, file=file, dry_run=job.dry_run, progress=progress)
        values = {"status": ImportStatus.SUCCEEDED, "result": counts, "rows_done": job.rows_total}
    except ImportRejected as exc:
        values = {"status": ImportStatus.REJECTED, "errors": exc.rows}
    except FileNotFoundError:
        values = {"status": ImportStatus.FAILED, "error": _("The uploaded file is missing; send it again.")}
    except (OperationalError, InterfaceError):
        raise  # the database went away: the job stays running and is taken over after its deadline
    except Exception as exc:
        logger.exception("Import %s failed", job.pk)
        values = {"status": ImportStatus.FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    finally:
        progress.close()
    _finish(job, values)
    return values["status"]


def _finish(job: ImportJob, values: dict) -> None:
    """The job's outcome; its file is removed once the outcome is stored."""
    stored = job.file.name
    ImportJob.objects.filter(pk=job.pk).update(**values, file="", finished_at=timezone.now())
    if stored:
        job.file.storage.delete(stored)


def import_jobs_recover() -> dict:
    """The drain (beat): jobs whose worker died are retried or failed; pending jobs whose message
    was never sent (broker down) or was lost are sent."""
    from api.tasks import run_import_job

    abandoned = 0
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__lt=timezone.now() - _deadline())
    for job in stale:
        abandoned += 1
        if job.attempts < settings.IMPORT_JOB_ATTEMPTS:
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.PENDING, queued_at=None
            )
        else:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                reason = _("The import did not finish within %(minutes)d minutes, %(attempts)d times.") % {
                    "minutes": settings.IMPORT_JOB_DEADLINE // 60,
                    "attempts": job.attempts,
                }
            _finish(job, {"status": ImportStatus.FAILED, "error": reason})
    sent = outbox.drain(run_import_job, ImportJob.objects.filter(status=ImportStatus.PENDING))
    return {"abandoned": abandoned, "sent": sent}
