"""Joint conference meetings (联席会议), their decisions (决议) and follow-up actions (督办事项)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.conference.choices import ActionStatus, MeetingStatus
from projects.conference.querysets import ActionItemQuerySet, MeetingQuerySet
from projects.core.models.base import TrackedModel
from projects.core.validators import DOCUMENT_EXTENSIONS, validate_attachment


def _minutes_path(instance, filename):
    return f"conference/meetings/{instance.pk}/{filename}"


def validate_minutes_file(upload):
    validate_attachment(upload, DOCUMENT_EXTENSIONS)


class Meeting(TrackedModel):
    """A meeting of the joint conference; Sichuan and Chongqing host in turn."""

    brief_fields = ("sequence_no", "date", "status")

    sequence_no = models.PositiveSmallIntegerField(
        _("sequence number"), unique=True, validators=[MinValueValidator(1)], help_text=_("1 for the first meeting.")
    )
    date = models.DateField(_("date"), db_index=True)
    host_province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="hosted_meetings", verbose_name=_("host province")
    )
    place = models.CharField(_("place"), max_length=200)
    attending_organizations = models.ManyToManyField(
        "core.Organization", blank=True, related_name="meetings", verbose_name=_("attending organizations")
    )
    attendees = models.JSONField(
        _("attendees"), default=list, blank=True, help_text=_("The people present, one entry each.")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("minutes document"), upload_to=_minutes_path, blank=True, validators=[validate_minutes_file]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence_no"]
        verbose_name = _("joint conference meeting")
        verbose_name_plural = _("joint conference meetings")

    def __str__(self) -> str:
        return _("Joint conference meeting no. %(no)s") % {"no": self.sequence_no}

    @property
    def minutes_locked(self) -> bool:
        return self.status == MeetingStatus.MINUTES_APPROVED


class AgendaItem(TrackedModel):
    """One item on a meeting's agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presented by"),
    )

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")

    def __str__(self) -> str:
        return self.title

    def history_scope(self):
        return self.meeting

    def representation_parents(self, before):
        return [self.meeting]


class Decision(TrackedModel):
    """A decision (决议) the meeting made, numbered within the meeting."""

    brief_fields = ("number", "title")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting"))
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["-meeting__sequence_no", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="one_decision_number_per_meeting",
                violation_error_message=_("This meeting already has a decision with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting.sequence_no}-{self.number} {self.title}"

    def history_scope(self):
        return self.meeting

    def representation_parents(self, before):
        return [self.meeting]  # a meeting lists its decisions


class ActionItem(TrackedModel):
    """A follow-up action (督办事项) a decision asks of one organization, by a due date."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="actions", verbose_name=_("decision"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible_organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("responsible organization"),
    )
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(
        _("overdue notice sent at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the responsible organization's users were told the action is overdue."),
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "created_at"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.title

    def history_scope(self):
        return self.decision.meeting

    def representation_parents(self, before):
        return [self.decision]  # a decision lists its follow-up actions


class ActionUpdate(models.Model):
    """One entry in an action's record of updates: a note and, when it changed, the status. Never edited."""

    id = models.BigAutoField(primary_key=True)
    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("follow-up action")
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
        help_text=_("Empty for updates the tracker made itself (e.g. marking an action overdue)."),
    )
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(_("from"), max_length=10, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ActionStatus.choices, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")

    def __str__(self) -> str:
        return f"{self.action_item_id} {self.time:%Y-%m-%d}"
