from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.choices import ChangeAction


class HistoryIsReadOnly(Exception):
    """A change record is written once, with the change it describes, and never edited or deleted."""


class ChangeRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Only a deleted account's link goes (its name stays in actor_name): Django's delete does this.
        if kwargs.keys() == {"actor"} and kwargs["actor"] is None:
            return super().update(**kwargs)
        raise HistoryIsReadOnly("Change records are never edited.")

    def delete(self):
        raise HistoryIsReadOnly("Change records are never deleted.")

    def for_object(self, obj):
        """Changes of ``obj`` and of the records kept under it (a project's reports …)."""
        own = models.Q(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))
        return self.filter(own | models.Q(scope_id=str(obj.pk)))


class ChangeRecord(models.Model):
    """One change of a shared record: who, when, what it was before and after.

    Written by ``projects.core.history.record_change`` in the transaction of the write it
    describes; never edited afterwards (the admin shows it read-only). The growing integer
    id gives the order of the changes. A long text's earlier version is kept as a difference
    from its later one (``before_diffs``); ``full_before`` is the whole earlier picture.
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(
        _("commit position"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The change's place in commit order (the changes feed's cursor); set when it commits."),
    )
    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    # The caller's own X-Request-ID, kept apart: the request ID above is always the server's.
    client_request_id = models.CharField(_("client's request ID"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ChangeAction.choices)
    event = models.CharField(
        _("event"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("What happened, as a dotted code such as restoration.progressreport.accepted."),
    )
    # No index of its own: (content_type, object_id, id) leads with it (and a change record's
    # indexes are written twice, at its insert and at its numbering on commit).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type"), db_index=False
    )
    object_id = models.CharField(_("record ID"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    scope_id = models.CharField(
        _("belongs to"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("ID of the record this one is kept under, e.g. the project of a progress report."),
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    # Long texts left out of ``before``, each as a difference from its value in ``after``
    # (projects/core/text_diff.py); read ``full_before``, never ``before`` alone.
    before_diffs = models.JSONField(_("earlier texts as differences"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "id"])]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Written once (its commit position is set by the database, not through here).
        if not self._state.adding:
            raise HistoryIsReadOnly("Change records are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsReadOnly("Change records are never deleted.")

    @property
    def full_before(self) -> dict | None:
        """``before`` whole: the long texts kept as differences put back."""
        if not self.before_diffs:
            return self.before
        from projects.core.text_diff import apply

        full = dict(self.before or {})
        for key, ops in self.before_diffs.items():
            full[key] = apply(self.after[key], ops)
        return full

    @property
    def summary(self) -> str:
        """What happened, in the reader's language (the event's label, else the action's)."""
        from projects.core.events import describe

        return describe(self)


class ChangeSequence(models.Model):
    """One row holding the last commit position given out (PostgreSQL; see migration 0003).

    A deferred trigger takes this row's lock at commit time and numbers the committing
    transaction's change records, so positions follow commit order and a reader never passes
    a change that commits later with a smaller number.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("change sequence")
        verbose_name_plural = _("change sequence")

    def __str__(self) -> str:
        return str(self.last)
