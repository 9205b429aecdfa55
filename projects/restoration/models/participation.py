"""Participation requests: no province joins, leaves or takes the lead of a project unasked."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.core.models.base import TrackedModel
from projects.restoration.choices import ParticipationKind, ParticipationStatus


class ParticipationRequest(TrackedModel):
    """One side's request that an organization join, leave or take the lead of a project.

    Made by the lead province or by the organization's own province; decided by the other of
    the two (or the joint office). Accepting it applies the change to the project.
    """

    project = models.ForeignKey(
        "restoration.Project",
        on_delete=models.CASCADE,
        related_name="participation_requests",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("request"), max_length=10, choices=ParticipationKind.choices)
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.PENDING,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requesting_province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("requesting province"),
    )
    deciding_province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("deciding province"),
        help_text=_("The province whose agreement the change needs."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("participation request")
        verbose_name_plural = _("participation requests")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organization", "kind"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_change",
                violation_error_message=_("The same request is already waiting for an answer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_kind_display()} – {self.organization}"

    def history_scope(self):
        return self.project

    def clean(self):
        if not self.project_id or not self.organization_id:
            return
        lead = self.project.lead_organization
        partners = set(self.project.partner_organizations.values_list("pk", flat=True))
        if self.kind == ParticipationKind.JOIN and (self.organization_id in partners or self.organization == lead):
            raise ValidationError({"organization": _("The organization takes part in the project already.")})
        if self.kind == ParticipationKind.LEAVE and self.organization_id not in partners:
            raise ValidationError(
                {"organization": _("Only a partner leaves a project; the lead first hands the lead over.")}
            )
        if self.kind == ParticipationKind.LEAD and self.organization == lead:
            raise ValidationError({"organization": _("The organization leads the project already.")})
