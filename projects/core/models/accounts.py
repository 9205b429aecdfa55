import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.choices import NotifyBy, Role


class User(AbstractUser):
    """A person or partner system signed in to the tracker, acting for one organization."""

    brief_fields = ("username", "first_name", "last_name")

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PROVINCIAL_STAFF)
    notify_by = models.CharField(
        _("notify me by"),
        max_length=10,
        choices=NotifyBy.choices,
        default=NotifyBy.EMAIL_AND_TRACKER,
        help_text=_("How reminders and escalations reach you."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def province_id(self):
        """The province the user acts for, or None (joint office, administrators)."""
        return self.organization.province_id if self.organization_id else None

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_joint_office(self) -> bool:
        return self.role == Role.JOINT_OFFICE

    @property
    def runs_everything(self) -> bool:
        """The joint office and administrators may change every record."""
        return self.is_active and (self.is_administrator or self.is_joint_office)
