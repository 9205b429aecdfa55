"""Choice sets of the joint conference; every label is translatable."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    DROPPED = "dropped", _("Dropped")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the joint conference")
    RETURNED = "returned", _("Returned for rework")
    APPROVED = "approved", _("Approved")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CHANGES = "approve_with_changes", _("Approve with changes")
    REJECT = "reject", _("Reject")


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Opinion submitted")


class PackStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MilestoneYear(models.IntegerChoices):
    Y2025 = 2025, _("2025 (near term)")
    Y2030 = 2030, _("2030 (medium term)")
    Y2035 = 2035, _("2035 (long term)")
