import time
from pathlib import Path

from celery import shared_task
from django.conf import settings


@shared_task
def prune_processed_messages(max_age_seconds: int = 24 * 3600) -> int:
    """The filesystem broker keeps every processed message; drop the old ones."""
    folder = (settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}).get("processed_folder")
    if not folder or not Path(folder).is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in Path(folder).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@shared_task
def ping() -> str:
    """A no-op the health checks and tests use to see a worker answer."""
    return "pong"


@shared_task(soft_time_limit=540, time_limit=600)
def remove_orphan_files() -> int:
    """Periodic (beat): remove stored files no record names, older than ORPHAN_FILE_AGE."""
    from projects.core.files import remove_orphans

    return len(remove_orphans())
