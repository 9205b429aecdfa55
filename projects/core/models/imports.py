import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.choices import ImportResource, ImportStatus


def _import_path(instance, filename):
    return f"imports/{instance.pk}-{filename}"


class ImportJob(models.Model):
    """A large file import run by a Celery task (``projects.core.import_jobs``), with its progress.

    Personal, not a shared record: the records it writes each carry their own history, with the
    person who asked as the actor. The file is kept only until the import ends."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    resource = models.CharField(_("imported into"), max_length=30, choices=ImportResource.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("imported by")
    )
    language = models.CharField(_("language"), max_length=10, help_text=_("Messages are written in it."))
    file = models.FileField(_("file"), upload_to=_import_path, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True, help_text=_("Created, updated and unchanged."))
    errors = models.JSONField(_("bad lines"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The outbox (projects.core.outbox) and the claim of the task message, as for review packs.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    attempt_id = models.CharField(_("import task"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_resource_display()}: {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED)
