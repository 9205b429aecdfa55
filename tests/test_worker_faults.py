"""A real Celery worker on Redis, killed in the middle of building a review pack: the message comes
back (late acknowledgement, rejected when the worker is lost) and the pack is built exactly once,
with no file left over. Figures in docs/reliability.md."""

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


def status_of(pack) -> str:
    return ReviewPack.objects.values_list("status", flat=True).get(pk=pack.pk)


def test_a_worker_killed_mid_build_gets_the_message_back_and_builds_the_pack_once(
    transactional_db, joint_office, tmp_path
):
    queue = f"test-kill-{os.getpid()}"
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
    }
    pack = ReviewPack.objects.create(meeting=MeetingFactory(), as_of=MeetingFactory.date, requested_by=joint_office)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=INFO", "-Q", queue],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        build_review_pack.apply_async(args=[str(pack.pk)], queue=queue)
        assert wait_for(lambda: status_of(pack) == PackStatus.RUNNING, timeout=90), "the worker never started"
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert children, "no pool process to kill"
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)  # the process building the pack dies mid-build
        assert wait_for(lambda: status_of(pack) == PackStatus.READY, timeout=90, step=0.2), (
            status_of(pack),
            (tmp_path / "worker.log").read_text()[-3000:],
        )
    finally:
        app.conf.task_always_eager = saved
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    records = ChangeRecord.objects.filter(object_id=str(pack.pk))
    assert records.filter(event=events.PACK_RUNNING).count() == 2  # the killed attempt and the redelivery
    assert records.filter(event=events.PACK_BUILT).count() == 1  # built once
    pack.refresh_from_db()
    folder = Path(settings.MEDIA_ROOT) / "conference" / "packs" / str(pack.pk)
    assert sorted(p.name for p in folder.iterdir()) == sorted(Path(n).name for n in (pack.xlsx.name, pack.pdf.name))
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()
