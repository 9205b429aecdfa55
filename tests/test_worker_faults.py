"""A real Celery worker on Redis, killed in the middle of building a review pack: the message comes
back (late acknowledgement, rejected when the worker is lost) and the pack is built exactly once,
with no file left over. Figures in docs/reliability.md."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from projects.conference import events
from projects.conference.choices import PackStatus
from projects.conference.models import ReviewPack
from projects.conference.tasks import build_review_pack
from projects.core.models import ChangeRecord
from tests.conference.factories import MeetingFactory
from tracker.celery import app

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (
        os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")
        and os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
    ),
    reason="a worker process on Redis sharing the PostgreSQL test database",
)


def wait_for(predicate, timeout: float, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@contextlib.contextmanager
def real_worker(queue: str, tmp_path):
    """A real prefork worker (one pool process) on the test's queue, sharing the test database;
    tasks sent meanwhile go to the broker, not run in the test's process."""
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
    }
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=INFO", "-Q", queue],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield worker
        finally:
            app.conf.task_always_eager = saved
            worker.terminate()
            worker.wait(timeout=30)


def kill_pool(worker) -> None:
    """Kill the worker's pool processes (the task dies mid-work; the main process lives on)."""
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    assert children, "no pool process to kill"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)


def status_of(pack) -> str:
    return ReviewPack.objects.values_list("status", flat=True).get(pk=pack.pk)


def test_a_worker_killed_mid_build_gets_the_message_back_and_builds_the_pack_once(
    transactional_db, joint_office, tmp_path
):
    queue = f"test-kill-{os.getpid()}"
    pack = ReviewPack.objects.create(meeting=MeetingFactory(), as_of=MeetingFactory.date, requested_by=joint_office)
    with real_worker(queue, tmp_path) as worker:
        build_review_pack.apply_async(args=[str(pack.pk)], queue=queue)
        assert wait_for(lambda: status_of(pack) == PackStatus.RUNNING, timeout=90), "the worker never started"
        kill_pool(worker)  # the process building the pack dies mid-build
        assert wait_for(lambda: status_of(pack) == PackStatus.READY, timeout=90, step=0.2), (
            status_of(pack),
            (tmp_path / "worker.log").read_text()[-3000:],
        )
    records = ChangeRecord.objects.filter(object_id=str(pack.pk))
    assert records.filter(event=events.PACK_RUNNING).count() == 2  # the killed attempt and the redelivery
    assert records.filter(event=events.PACK_BUILT).count() == 1  # built once
    pack.refresh_from_db()
    folder = Path(settings.MEDIA_ROOT) / "conference" / "packs" / str(pack.pk)
    assert sorted(p.name for p in folder.iterdir()) == sorted(Path(n).name for n in (pack.xlsx.name, pack.pdf.name))
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()


def test_a_worker_killed_mid_import_gets_the_message_back_and_imports_once(
    transactional_db, client_for, joint_office, tmp_path, settings
):
    """A background import whose worker dies half way: its transaction rolls back, the message comes
    back, and the second attempt imports every row once, with one history record each."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.tasks import run_import_job
    from projects.core.models import ImportJob
    from projects.restoration.models import Project
    from tests.test_import_jobs import projects_csv

    queue = f"test-kill-import-{os.getpid()}"
    sent = []
    original = run_import_job.apply_async
    run_import_job.apply_async = lambda args, **kwargs: sent.append(args)  # sent below, to the test's queue
    try:
        file = SimpleUploadedFile("rows.csv", projects_csv(400).encode())
        response = client_for(joint_office).post(
            "/api/v1/projects/import/", {"file": file, "background": "true"}, format="multipart"
        )
    finally:
        run_import_job.apply_async = original
    assert response.status_code == 202, response.json()
    job = ImportJob.objects.get(pk=response.json()["id"])

    def job_now():
        return ImportJob.objects.values("status", "rows_done", "attempts").get(pk=job.pk)

    with real_worker(queue, tmp_path) as worker:
        run_import_job.apply_async(args=[str(job.pk)], queue=queue)
        assert wait_for(lambda: job_now()["rows_done"] > 0, timeout=90), ("never started", job_now())
        half_way = job_now()
        kill_pool(worker)  # the process importing dies half way
        assert wait_for(lambda: job_now()["status"] == "succeeded", timeout=120, step=0.2), (
            job_now(),
            (tmp_path / "worker.log").read_text()[-3000:],
        )
    assert sent == [[str(job.pk)]]  # the request sent it once; the second run is the redelivery
    assert half_way["status"] == "running" and 0 < half_way["rows_done"] < 400
    assert job_now()["attempts"] == 2
    codes = Project.objects.filter(code__startswith="SC-2027-")
    assert codes.count() == 400
    created = ChangeRecord.objects.filter(
        event="restoration.project.created", object_id__in=[str(pk) for pk in codes.values_list("pk", flat=True)]
    )
    assert created.count() == 400  # the killed attempt left nothing behind
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()
