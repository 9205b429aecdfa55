"""Stored files: the record each belongs to, who may read it, and the sweep of files no record names."""

import datetime
import logging
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from projects.permissions import VIEW, can, visible

logger = logging.getLogger(__name__)


def file_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of the tracker's models that stores a file."""
    return [
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("projects.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def owner(user, name: str) -> models.Model | None:
    """The record naming the stored file ``name`` if ``user`` may see it, else None (absent or hidden
    alike, so a refusal does not tell that the file exists)."""
    for model, field in file_fields():
        record = visible(user, model._default_manager.filter(**{field: name})).first()
        if record is not None and can(user, VIEW, record):
            return record
    return None


def referenced_names() -> set[str]:
    names = set()
    for model, field in file_fields():
        names.update(model._default_manager.exclude(**{field: ""}).values_list(field, flat=True))
    return names


def remove_orphans(*, older_than: datetime.timedelta | None = None) -> list[str]:
    """Remove the files under ``MEDIA_ROOT`` that no record names and that are older than
    ``ORPHAN_FILE_AGE`` (left by an attempt that failed after writing, or a worker killed
    mid-write). Younger files may belong to a write still in progress. Returns their names."""
    older_than = older_than or datetime.timedelta(seconds=settings.ORPHAN_FILE_AGE)
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    cutoff = (timezone.now() - older_than).timestamp()
    named = referenced_names()
    removed = []
    for folder, _dirs, files in os.walk(root):
        for file in files:
            path = Path(folder) / file
            name = path.relative_to(root).as_posix()
            if name in named or path.stat().st_mtime > cutoff:
                continue
            default_storage.delete(name)
            removed.append(name)
    if removed:
        logger.info("Removed %d orphan file(s) from MEDIA_ROOT", len(removed))
    return removed
