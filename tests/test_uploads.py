"""Uploads: refused before a byte is written, typed by their content, served only to those who
may see their record, orphans swept. Figures in docs/reliability.md."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from projects.restoration.models import ReportAttachment
from tests.restoration.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100


def all_files(*folders) -> list[Path]:
    return [p for folder in folders if Path(folder).exists() for p in Path(folder).rglob("*") if p.is_file()]


@pytest.fixture
def upload_dirs(settings, tmp_path):
    """Uploads spooled to disk (over FILE_UPLOAD_MAX_MEMORY_SIZE) go to a folder the test watches."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    return settings.FILE_UPLOAD_TEMP_DIR, settings.MEDIA_ROOT


@pytest.fixture
def sichuan_report(sc_staff):
    from projects.core.models import Organization

    project = ProjectFactory(lead_organization=Organization.objects.get(slug="sc-natural-resources"))
    return ReportFactory(project=project, reported_by=sc_staff)


def attach(client, report, name, content, kind="document"):
    upload = SimpleUploadedFile(name, content)
    return client.post(
        f"/api/v1/progress-reports/{report.pk}/attachments/", {"kind": kind, "file": upload}, format="multipart"
    )


def test_three_refused_20_mb_uploads_leave_no_file(client_for, cq_staff, sc_staff, sichuan_report, upload_dirs):
    big = PDF + b"0" * (20 * MB)
    statuses = []
    for _attempt in range(3):
        statuses.append(attach(client_for(cq_staff), sichuan_report, "big.pdf", big).status_code)  # not theirs
    statuses.append(attach(client_for(sc_staff), sichuan_report, "big.pdf", big + b"0" * MB).status_code)  # too big
    assert statuses == [403, 403, 403, 400]
    assert all_files(*upload_dirs) == []
    assert not ReportAttachment.objects.exists()


class RecordingHandler(FileUploadHandler):
    """An upload handler that only notes that an upload began to be read."""

    started = []

    def handle_raw_input(self, *args, **kwargs):
        RecordingHandler.started.append(True)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_refused_upload_is_never_read(client_for, cq_staff, sc_staff, sichuan_report, settings):
    settings.FILE_UPLOAD_HANDLERS = [
        "tests.test_uploads.RecordingHandler",
        *settings.FILE_UPLOAD_HANDLERS,
    ]
    RecordingHandler.started.clear()
    assert attach(client_for(cq_staff), sichuan_report, "a.pdf", PDF).status_code == 403
    assert attach(client_for(sc_staff), sichuan_report, "a.pdf", PDF + b"0" * (21 * MB)).status_code == 400
    assert RecordingHandler.started == []
    assert attach(client_for(sc_staff), sichuan_report, "a.pdf", PDF).status_code == 201
    assert RecordingHandler.started == [True]


def docx(member="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind", "accepted"),
    [
        ("plan.pdf", PDF, "document", True),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "document", False),
        ("site.jpg", JPEG, "photo", True),
        ("site.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "photo", True),
        ("site.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 50, "photo", True),
        ("site.png", JPEG, "photo", False),  # a JPEG named .png
        ("report.docx", docx(), "document", True),
        ("report.docx", docx("xl/workbook.xml"), "document", False),  # a spreadsheet named .docx
        ("sheet.xlsx", docx("xl/workbook.xml"), "document", True),
        ("notes.txt", "监测点位说明\nline 2\n".encode(), "document", True),
        ("notes.txt", "监测点位说明".encode("gb18030"), "document", True),
        ("values.csv", b"section,sampled_on,value\nA,2024-01-01,1\n", "document", True),
        ("notes.txt", b"<html><body>hi</body></html>", "document", False),
        ("values.csv", b"\x00\x01\x02binary", "document", False),
    ],
)
def test_the_type_is_checked_by_content(client_for, sc_staff, sichuan_report, name, content, kind, accepted):
    response = attach(client_for(sc_staff), sichuan_report, name, content, kind)
    assert response.status_code == (201 if accepted else 400), response.json()
    if not accepted:
        assert "file" in response.json()["errors"]
    assert len(all_files(django_settings_media())) == (1 if accepted else 0)


def django_settings_media():
    from django.conf import settings

    return settings.MEDIA_ROOT


def test_a_write_failing_after_the_file_is_stored_removes_it(client_for, sc_staff, sichuan_report, monkeypatch):
    from projects.core import services as core_services

    def refuse(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(core_services, "record_change", refuse)
    with pytest.raises(RuntimeError):
        attach(client_for(sc_staff), sichuan_report, "plan.pdf", PDF)
    assert all_files(django_settings_media()) == []
    assert not ReportAttachment.objects.exists()


def test_the_sweep_removes_old_files_no_record_names(client_for, sc_staff, sichuan_report):
    import os
    import time

    from projects.core.tasks import remove_orphan_files

    kept = attach(client_for(sc_staff), sichuan_report, "plan.pdf", PDF)
    assert kept.status_code == 201
    media = Path(django_settings_media())
    old_orphan, young_orphan = media / "reports" / "old.pdf", media / "conference" / "packs" / "x" / "young.pdf"
    for path in (old_orphan, young_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    for path in all_files(media):  # the named file is old too, and kept
        if path.name.startswith("plan"):
            os.utime(path, (two_days_ago, two_days_ago))
    assert remove_orphan_files.apply().get() == 1
    remaining = sorted(p.name for p in all_files(media))
    assert "old.pdf" not in remaining and "young.pdf" in remaining and len(remaining) == 2


def test_files_are_served_only_to_signed_in_users_who_may_see_the_record(
    client, client_for, sc_staff, sichuan_report, anonymous_client, settings
):
    created = attach(client_for(sc_staff), sichuan_report, "plan.pdf", PDF).json()
    name = ReportAttachment.objects.get(pk=created["id"]).file.name
    url = f"/media/{name}"
    assert anonymous_client.get(url).status_code == 401
    client.force_login(sc_staff)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get("/media/reports/unknown.pdf").status_code == 404
    assert client.get(f"/media/reports/../{name}").status_code == 404

    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client_for(sc_staff).get(url)
    assert response.status_code == 200 and response["X-Accel-Redirect"] == f"/protected-media/{name}"
    assert response.content == b""


def test_files_a_user_may_not_see_are_absent(client_for, sc_staff, sichuan_report, monkeypatch):
    from projects import permissions

    created = attach(client_for(sc_staff), sichuan_report, "plan.pdf", PDF).json()
    name = ReportAttachment.objects.get(pk=created["id"]).file.name
    monkeypatch.setitem(permissions._scopes, "restoration.reportattachment", lambda user, qs: qs.none())
    assert client_for(sc_staff).get(f"/media/{name}").status_code == 404
