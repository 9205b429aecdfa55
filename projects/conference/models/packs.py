"""Review packs: the spreadsheet and printable document prepared for a meeting."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import PackStatus
from projects.core.models.base import TrackedModel


def _pack_path(instance, filename):
    return f"conference/packs/{instance.pk}/{filename}"


class ReviewPack(TrackedModel):
    """A review pack (会议材料) for one meeting, built by a Celery task.

    The plan is the one submitted to the meeting, else the plan of the meeting's year.
    """

    meeting = models.ForeignKey(
        "conference.Meeting", on_delete=models.CASCADE, related_name="review_packs", verbose_name=_("meeting")
    )
    plan = models.ForeignKey(
        "conference.AnnualPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annual plan"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackStatus.choices, default=PackStatus.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    as_of = models.DateField(_("figures as of"))
    xlsx = models.FileField(_("spreadsheet"), upload_to=_pack_path, blank=True)
    pdf = models.FileField(_("printable document"), upload_to=_pack_path, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The outbox (projects.core.outbox): when the build's message reached the broker; and how
    # many builds started, so a pack whose worker keeps dying ends failed instead of looping.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    # The task message that claimed the build: the same message delivered again (its worker died)
    # takes the build over at once instead of waiting for the deadline.
    attempt_id = models.CharField(_("build task"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review pack")
        verbose_name_plural = _("review packs")

    def __str__(self) -> str:
        return f"{self.meeting} ({self.get_status_display()})"

    def history_scope(self):
        return self.meeting
