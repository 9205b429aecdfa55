"""Backup and restore of the database and the stored files, consistent with each other (PostgreSQL).

A backup is a folder with ``database.dump`` (``pg_dump`` custom format), ``media.tar`` (the files
the dumped records name) and ``manifest.json`` (each file's size and SHA-256). The dump and the
list of files are read from one snapshot of the database (``pg_export_snapshot``), so the archive
holds exactly the files the dumped records name, whatever is written meanwhile. See docs/backup.md.
"""

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections, transaction

from projects.core.files import file_fields

MANIFEST, DUMP, MEDIA = "manifest.json", "database.dump", "media.tar"


class BackupError(Exception):
    pass


def _libpq_env(url: str | None) -> tuple[dict, str]:
    """Environment and database name for pg_dump/pg_restore, from a URL or the default database."""
    if url:
        parts = urlsplit(url)
        conn = {
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "NAME": parts.path.lstrip("/"),
        }
    else:
        conn = connections["default"].settings_dict
    env = {**os.environ, "PGHOST": conn["HOST"] or "", "PGPORT": str(conn["PORT"] or ""), "PGUSER": conn["USER"] or ""}
    if conn.get("PASSWORD"):
        env["PGPASSWORD"] = conn["PASSWORD"]  # never on the command line, where ps shows it
    return env, conn["NAME"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _named_files() -> list[str]:
    names = set()
    for model, field in file_fields():
        names.update(model._default_manager.exclude(**{field: ""}).values_list(field, flat=True))
    return sorted(names)


def backup(folder: Path) -> dict:
    """Write a backup into ``folder`` (created; must be empty). Returns the manifest."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise BackupError("Backups are made of PostgreSQL; copy the SpatiaLite file and MEDIA_ROOT instead.")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty.")
    env, name = _libpq_env(None)
    media_root = Path(settings.MEDIA_ROOT)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # The dump and the list of files see the same committed state.
        command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}", name]
        subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603 - arguments built here
        names = _named_files()
    files, missing = {}, []
    with tarfile.open(folder / MEDIA, "w") as archive:
        for stored in names:
            path = media_root / stored
            if not path.is_file():
                missing.append(stored)
                continue
            files[stored] = {"size": path.stat().st_size, "sha256": _sha256(path)}
            archive.add(path, arcname=stored, recursive=False)
    manifest = {"database": DUMP, "media": MEDIA, "files": files, "missing": missing}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    if missing:
        raise BackupError(f"{len(missing)} file(s) named by records are missing from MEDIA_ROOT: {missing[:5]}")
    return manifest


def restore(folder: Path, *, database_url: str | None, media_root: Path) -> dict:
    """Restore a backup into an empty database (``database_url``, default: the configured one) and
    ``media_root``; every file is checked against the manifest. Returns the manifest."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    env, name = _libpq_env(database_url)
    command = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={name}", str(folder / manifest["database"])]
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - arguments built here
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr[-2000:]}")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / manifest["media"]) as archive:
        for member in archive.getmembers():
            # Only the files of the manifest, as plain files inside media_root (no links, no "..").
            parts = Path(member.name).parts
            if not member.isfile() or member.name.startswith("/") or ".." in parts:
                raise BackupError(f"Refusing {member.name!r} in the archive.")
            if member.name not in manifest["files"]:
                raise BackupError(f"{member.name!r} is in the archive but not in the manifest.")
            target = media_root / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, target.open("wb") as copy:
                for block in iter(lambda: source.read(1 << 20), b""):
                    copy.write(block)
    wrong = [
        stored
        for stored, expected in manifest["files"].items()
        if not (media_root / stored).is_file() or _sha256(media_root / stored) != expected["sha256"]
    ]
    if wrong:
        raise BackupError(f"{len(wrong)} restored file(s) differ from the backup: {wrong[:5]}")
    return manifest
