from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (储备)")
    APPROVED = "approved", _("Approved (立项)")
    IN_PROGRESS = "in_progress", _("In progress (实施中)")
    COMPLETED = "completed", _("Completed (完工)")
    ACCEPTED = "accepted", _("Accepted (已验收)")
    SUSPENDED = "suspended", _("Suspended (暂停)")
    CANCELLED = "cancelled", _("Cancelled (终止)")


class Bank(models.TextChoices):
    LEFT = "left", _("Left bank")
    RIGHT = "right", _("Right bank")
    BOTH = "both", _("Both banks")
    NOT_APPLICABLE = "n/a", _("Not on a bank")


class Reach(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")
    WHOLE = "whole", _("Whole river")
    NOT_APPLICABLE = "n/a", _("Not on a river")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum of the reported values")
    LATEST = "latest", _("Latest reported value")
    AVERAGE = "average", _("Average of the reported values")


class Combination(models.TextChoices):
    """How an indicator's figures of several projects make one figure (a corridor, a province, a plan)."""

    SUM = "sum", _("Added up across projects")
    WEIGHTED_MEAN = "weighted_mean", _("Mean weighted by a named quantity")
    PER_PROJECT = "per_project", _("Not additive: shown per project only")


class WeightQuantity(models.TextChoices):
    """The quantities a weighted mean across projects may be weighted by (``restoration.selectors``)."""

    RESTORED_AREA = "restored_area", _("Restored area of the project (ha)")
    SHORELINE_LENGTH = "shoreline_length", _("Recorded shoreline length of the project (km)")


class ReportingPeriod(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for rework")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class ParticipationKind(models.TextChoices):
    JOIN = "join", _("Join the project as a partner")
    LEAVE = "leave", _("Leave the project")
    LEAD = "lead", _("Take over the lead")


class ParticipationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the other side")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ShorelineState(models.TextChoices):
    NATURAL = "natural", _("Natural shoreline")
    RESTORED = "restored", _("Restored to a natural form")
    HARDENED = "hardened", _("Hardened (artificial)")


class ShorelineBank(models.TextChoices):
    LEFT = "left", _("Left bank")
    RIGHT = "right", _("Right bank")
