from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError

from projects.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database and a media folder, checking "
        "every file against the manifest (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the backup's folder")
        parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: DATABASE_URL)")
        parser.add_argument("--media-root", type=Path, default=None, help="where the files go (default: MEDIA_ROOT)")

    def handle(self, *args, folder: Path, database_url, media_root, **options):
        try:
            manifest = restore(
                Path(folder), database_url=database_url, media_root=Path(media_root or settings.MEDIA_ROOT)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # Versions start again from the backup's: a representation kept for a later version of the
        # lost data must not be served for the new changes that reach that version.
        caches["representations"].clear()
        self.stdout.write(f"Restored the database and {len(manifest['files'])} file(s) from {folder}")
