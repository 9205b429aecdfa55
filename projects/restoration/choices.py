from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class AcceptanceKind(models.TextChoices):
    """The three steps of 《国土空间生态保护修复工程验收规范》."""

    SUB_PROJECT = "sub_project", _("Sub-project completion acceptance (子项目竣工验收)")
    UNIT_EVALUATION = "unit_evaluation", _("Restoration unit evaluation (修复单元评价)")
    WHOLE_PROJECT = "whole_project", _("Whole-project acceptance (整体验收)")


class AcceptanceConclusion(models.TextChoices):
    PASSED = "passed", _("Passed (通过)")
    PASSED_WITH_RECTIFICATION = "rectify", _("Passed after rectification (整改后通过)")
    FAILED = "failed", _("Failed (不通过)")


class AcceptanceStatus(models.TextChoices):
    DRAFT = "draft", _("Being recorded")
    CONCLUDED = "concluded", _("Concluded")


class RectificationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification status", "Open")
    DONE = "done", pgettext_lazy("rectification status", "Done")


class LandUseType(models.TextChoices):
    """First-level classes of the third national land survey (第三次全国国土调查)."""

    CROPLAND = "cropland", _("Cropland (耕地)")
    ORCHARD = "orchard", _("Orchard land (园地)")
    FOREST = "forest", _("Forest land (林地)")
    GRASSLAND = "grassland", _("Grassland (草地)")
    WETLAND = "wetland", _("Wetland (湿地)")
    BUILT_UP = "built_up", _("Urban, village and industrial land (城镇村及工矿用地)")
    TRANSPORT = "transport", _("Transport land (交通运输用地)")
    WATER = "water", _("Water and water facilities (水域及水利设施用地)")
    OTHER = "other", _("Other land (其他土地)")


class ReminderStep(models.TextChoices):
    """The steps of reminding a reporting organization of a period's report (each sent once)."""

    BEFORE = "before", _("Before the deadline")
    DUE = "due", _("On the due date")
    PROVINCE = "province", _("Escalated to the province's lead")
    OFFICE = "office", _("Escalated to the joint office")
