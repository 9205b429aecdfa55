"""Backup and restore (PostgreSQL): the database and its files into a scratch database and folder,
compared record for record and file for file. Figures in docs/reliability.md."""

import hashlib
import os
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from projects.conference import services as conference
from tests.conference.factories import MeetingFactory
from tests.restoration.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis")), reason="pg_dump backs up PostgreSQL"
)
PDF = b"%PDF-1.7\n" + b"backup" * 100


def table_digests(dsn: dict) -> dict:
    """Each table of the public schema: its number of rows and a digest of all of them."""
    with psycopg.connect(**dsn) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            table: db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608 - names from the catalogue
            ).fetchone()
            for table in tables
        }


def files_under(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def scratch_database():
    name = f"tracker_trustops_restore_{os.getpid()}"
    params = connection.get_connection_params()
    server = {k: params[k] for k in ("host", "port", "user") if params.get(k)} | {"password": params.get("password")}
    server = {k: v for k, v in server.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    credentials = f"{server.get('user', '')}:{server.get('password', '')}"
    url = f"postgres://{credentials}@{server.get('host', '')}:{server.get('port', 5432)}/{name}"
    yield url, {**server, "dbname": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_every_record_and_every_file(
    transactional_db, client_for, sc_staff, joint_office, scratch_database, tmp_path
):
    report = ReportFactory(project=ProjectFactory(), reported_by=sc_staff)
    for index in range(3):
        upload = SimpleUploadedFile(f"plan-{index}.pdf", PDF + bytes([index]))
        response = client_for(sc_staff).post(
            f"/api/v1/progress-reports/{report.pk}/attachments/",
            {"kind": "document", "file": upload},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
    pack, _created = conference.review_pack_request(actor=joint_office, meeting=MeetingFactory())
    conference.review_pack_build(pack_id=pack.pk)

    call_command("backup", str(tmp_path / "backup"))
    assert {p.name for p in (tmp_path / "backup").iterdir()} == {"database.dump", "media.tar", "manifest.json"}
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "backup"))

    url, scratch = scratch_database
    caches["representations"].set("repr:a-later-version", {"name_zh": "备份之后的内容"})
    call_command("restore", str(tmp_path / "backup"), database_url=url, media_root=str(tmp_path / "restored"))
    assert caches["representations"].get("repr:a-later-version") is None  # versions start again

    params = connection.get_connection_params()
    source = {k: v for k, v in {k: params.get(k) for k in ("host", "port", "user", "password", "dbname")}.items() if v}
    original, restored = table_digests(source), table_digests(scratch)
    assert restored == original  # record for record, in every table
    rows = sum(count for count, _digest in original.values())
    assert rows > 1000 and original["core_changerecord"][0] > 0

    media = files_under(Path(settings.MEDIA_ROOT))
    assert len(media) == 5  # three attachments, the pack's spreadsheet and PDF
    assert files_under(tmp_path / "restored") == media  # file for file
