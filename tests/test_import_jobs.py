"""Large imports run as background jobs the person who asked follows: 202 with the job, progress
while it runs, the counts or every bad line at the end, nothing saved unless every line is good, no
file left behind, and work whose worker died taken over. Figures in docs/reliability.md."""

import datetime
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from projects.core.import_jobs import import_jobs_recover
from projects.core.models import ImportJob
from projects.restoration.models import Project
from tests.compensation.factories import SectionFactory
from tests.compensation.test_water_quality import CSV_GOOD
from tests.test_imports import PROJECTS_CSV, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for, joint_office):
    return client_for(joint_office)


def projects_csv(count: int, *, start: int = 1) -> str:
    header = "code,name_zh,lead_organization,corridors,planned_start,planned_end,total_budget\n"
    rows = (
        f"SC-2027-{n:04d},岷江生态修复{n},sc-natural-resources,min,2027-01-01,2027-12-31,{100 + n}\n"
        for n in range(start, start + count)
    )
    return header + "".join(rows)


def send_background(client, kind, text, *, dry_run=False, **headers):
    file = SimpleUploadedFile("rows.csv", text.encode())
    data = {"file": file, "background": "true", "dry_run": "true" if dry_run else "false"}
    return client.post(f"/api/v1/{kind}/import/", data, format="multipart", **headers)


def follow(client, response):
    location = response["Location"]
    assert isinstance(location, str) and location.startswith("/api/v1/import-jobs/")
    return client.get(location)


def test_a_file_over_the_threshold_runs_in_the_background_and_reports_its_counts(
    api, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api, "projects", projects_csv(3))
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "pending" and response.json()["rows_total"] == 3
    job = follow(api, response).json()
    assert job["status"] == "succeeded", job
    assert job["status_name"] == "已导入"
    assert job["result"] == {"dry_run": False, "created": 3, "updated": 0, "unchanged": 0}
    assert (job["rows_done"], job["percent"]) == (3, 100)
    assert Project.objects.filter(code__startswith="SC-2027-").count() == 3
    assert ImportJob.objects.get().file.name == ""  # the file goes when the import ends
    assert default_storage.listdir("imports") == ([], [])
    # A small file is still imported in the request.
    direct = send(api, "projects", projects_csv(2, start=10))
    assert direct.status_code == 201 and direct.json()["created"] == 2


def test_a_bad_line_refuses_the_whole_job_in_the_askers_language(api, django_capture_on_commit_callbacks):
    bad = projects_csv(3).replace("2027-01-01,2027-12-31,102", "2027-01-01,2027-12-31,-5")
    with django_capture_on_commit_callbacks(execute=True):
        response = send_background(api, "projects", bad + "\n", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 202
    job = follow(api, response).json()
    assert job["status"] == "rejected" and job["status_name"] == "被拒绝，未保存任何内容"
    assert [row["line"] for row in job["errors"]] == [3]
    assert "total_budget" in job["errors"][0]["reason"]
    assert not Project.objects.filter(code__startswith="SC-2027-").exists()  # all or nothing


def test_a_dry_run_in_the_background_saves_nothing(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_background(api, "projects", PROJECTS_CSV, dry_run=True)
    job = follow(api, response).json()
    assert job["status"] == "succeeded" and job["result"]["created"] == 2 and job["dry_run"] is True
    assert not Project.objects.filter(code__startswith="SC-2026").exists()


def test_samples_import_in_the_background_through_the_same_service(
    client_for, sc_staff, django_capture_on_commit_callbacks
):
    section = SectionFactory()
    client = client_for(sc_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = send_background(client, "water-quality-samples", CSV_GOOD.format(code=section.code))
    assert response.status_code == 202, response.json()
    job = follow(client, response).json()
    assert job["status"] == "succeeded", job
    assert job["resource_name"] == "水质样品" and job["result"]["samples"] == 2


def test_only_the_asker_and_administrators_see_a_job(
    api, client_for, cq_staff, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_background(api, "projects", PROJECTS_CSV)
    location = response["Location"]
    assert client_for(cq_staff).get(location).status_code == 404
    assert client_for(cq_staff).get("/api/v1/import-jobs/").json()["count"] == 0
    assert client_for(administrator).get(location).status_code == 200
    assert api.get("/api/v1/import-jobs/").json()["count"] == 1


def test_no_file_is_stored_for_someone_who_may_not_import(client_for, partner, settings):
    response = send_background(client_for(partner), "projects", PROJECTS_CSV)
    assert response.status_code == 403, response.json()
    assert not ImportJob.objects.exists()
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_a_job_sent_while_the_broker_was_down_is_sent_by_the_drain(api, monkeypatch):
    from api import tasks

    sent = []
    monkeypatch.setattr(tasks.run_import_job, "apply_async", lambda args, **kw: sent.append(args[0]))
    response = send_background(api, "projects", PROJECTS_CSV)
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.queued_at is None  # the transaction of the test never commits: nothing sent yet
    assert import_jobs_recover() == {"abandoned": 0, "sent": 1}
    assert sent == [str(job.pk)]


def test_a_job_whose_worker_died_is_retried_then_failed_with_the_reason(api, settings):
    response = send_background(api, "projects", PROJECTS_CSV)
    job = ImportJob.objects.get(pk=response.json()["id"])
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_JOB_DEADLINE + 1)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=long_ago, attempts=1, queued_at=long_ago)
    assert import_jobs_recover() == {"abandoned": 1, "sent": 1}
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2)  # sent again by the same drain, and run
    job.file.name = "imports/left.csv"
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=long_ago, attempts=settings.IMPORT_JOB_ATTEMPTS, file=job.file.name
    )
    import_jobs_recover()
    job.refresh_from_db()
    assert job.status == "failed" and "分钟" in job.error
    assert job.file.name == ""


def test_running_a_finished_job_again_does_nothing(api, django_capture_on_commit_callbacks):
    from api.tasks import run_import_job

    with django_capture_on_commit_callbacks(execute=True):
        response = send_background(api, "projects", PROJECTS_CSV)
    assert run_import_job.apply(args=[response.json()["id"]]).get() == "succeeded"
    assert Project.objects.filter(code__startswith="SC-2026").count() == 2


def test_progress_shows_while_the_import_runs(transactional_db, client_for, joint_office, settings, monkeypatch):
    """PostgreSQL: the progress is written beside the import's open transaction and read by another
    request while it runs."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the progress shows at the end")
    from api import tasks
    from api.import_jobs import runner_for
    from projects.core.import_jobs import import_job_run

    monkeypatch.setattr(tasks.run_import_job, "apply_async", lambda *args, **kwargs: None)  # run below instead
    settings.IMPORT_BACKGROUND_ROWS = 10
    client = client_for(joint_office)
    response = send(client, "projects", projects_csv(300))
    assert response.status_code == 202
    job_id = response.json()["id"]
    worker = threading.Thread(target=lambda: import_job_run(job_id=job_id, runner_for=runner_for))
    worker.start()
    seen = []
    while worker.is_alive():
        seen.append(client.get(response["Location"]).json()["rows_done"])
        time.sleep(0.2)
    worker.join()
    connection.close()
    assert any(0 < done < 300 for done in seen), seen
    job = client.get(response["Location"]).json()
    assert job["status"] == "succeeded" and job["result"]["created"] == 300


def test_the_admin_import_page_sends_a_large_file_to_the_background(
    joint_office, cq_staff, settings, django_capture_on_commit_callbacks
):
    from tests.test_imports import _admin

    settings.IMPORT_BACKGROUND_ROWS = 2
    client = _admin(joint_office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/restoration/project/import/", {"file": SimpleUploadedFile("大文件.csv", projects_csv(3).encode())}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/core/importjob/{job.pk}/change/"
    page = client.get(response["Location"]).content.decode()
    assert "在后台导入" in page and "大文件.csv" in page and "已导入" in page and "3 / 3" in page
    assert Project.objects.filter(code__startswith="SC-2027-").count() == 3
    assert _admin(cq_staff).get(response["Location"]).status_code in (302, 403, 404)  # not theirs
