from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format) and the files its records name (a tar), from one "
        "snapshot, into an empty folder with a manifest of every file's SHA-256 (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="an empty or new folder")

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up the database and {len(manifest['files'])} file(s) into {folder}")
