"""Choice sets of the compensation app; every label is translatable."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Parameter(models.TextChoices):
    """GB 3838-2002 Table 1 basic items (地表水环境质量标准基本项目)."""

    PH = "ph", _("pH")
    DO = "do", _("Dissolved oxygen (DO)")
    CODMN = "codmn", _("Permanganate index (CODMn)")
    COD = "cod", _("Chemical oxygen demand (COD)")
    BOD5 = "bod5", _("Five-day biochemical oxygen demand (BOD5)")
    NH3N = "nh3n", _("Ammonia nitrogen (NH3-N)")
    TP = "tp", _("Total phosphorus (TP)")
    TN = "tn", _("Total nitrogen (TN)")
    CU = "cu", _("Copper")
    ZN = "zn", _("Zinc")
    FLUORIDE = "fluoride", _("Fluoride")
    SE = "se", _("Selenium")
    AS = "as", _("Arsenic")
    HG = "hg", _("Mercury")
    CD = "cd", _("Cadmium")
    CR6 = "cr6", _("Hexavalent chromium")
    PB = "pb", _("Lead")
    CYANIDE = "cyanide", _("Cyanide")
    PHENOL = "phenol", _("Volatile phenol")
    PETROLEUM = "petroleum", _("Petroleum")
    SURFACTANT = "surfactant", _("Anionic surfactant")
    SULFIDE = "sulfide", _("Sulfide")
    FECAL_COLIFORM = "fecal_coliform", _("Fecal coliform")


class Comparator(models.TextChoices):
    AT_MOST = "lte", _("at most (≤)")
    AT_LEAST = "gte", _("at least (≥)")
    RANGE = "range", _("within the range")


class Waterbody(models.TextChoices):
    RIVER = "river", _("River")
    LAKE = "lake", _("Lake or reservoir")


class LimitWaterbody(models.TextChoices):
    ANY = "any", _("Any water body")
    RIVER = "river", _("River")
    LAKE = "lake", _("Lake or reservoir")


class WaterClass(models.IntegerChoices):
    """GB 3838-2002 classes; 6 stands for 劣V (worse than V)."""

    I = 1, _("Class I")  # noqa: E741 - the standard's own name
    II = 2, _("Class II")
    III = 3, _("Class III")
    IV = 4, _("Class IV")
    V = 5, _("Class V")
    WORSE_THAN_V = 6, _("Worse than class V")


class SampleSource(models.TextChoices):
    MANUAL = "manual", _("Manual sampling")
    AUTOMATIC = "automatic", _("Automatic station")


class Side(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream party")
    DOWNSTREAM = "downstream", _("Downstream party")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded by a new version")


class EvaluationMethod(models.TextChoices):
    PERIOD_MEAN = "period_mean", _("Mean of the period's samples (e.g. the annual mean)")
    MONTHLY_MEAN = "monthly_mean", _("Each month's mean, month by month")


class SettlementPeriod(models.TextChoices):
    YEAR = "year", _("Yearly")
    MONTH = "month", _("Monthly")


class RuleKind(models.TextChoices):
    CLASS_VS_TARGET = "class_vs_target", _("Class against the target class")
    MONTHS_MEETING_TARGET = "months_meeting_target", _("Weighed by the months that met the target")
    CLASS_VS_TARGET_AND_TREND = "class_vs_target_and_trend", _("Target class and change from the previous period")
    IMPROVEMENT_INDEX = "improvement_index", _("Improvement index over a baseline")


class SettlementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for computation")
    COMPUTED = "computed", _("Computed")
    CONFIRMED = "confirmed", _("Confirmed by both parties (locked)")


class Issuer(models.TextChoices):
    SICHUAN = "sichuan", _("Sichuan")
    CHONGQING = "chongqing", _("Chongqing")
    JOINT = "joint", _("Sichuan and Chongqing jointly")
    NATIONAL = "national", _("National")


class StandardKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SPECIFICATION = "specification", _("Technical specification")
    GUIDELINE = "guideline", _("Guideline")


class StandardStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class ListingStatus(models.TextChoices):
    # A context: the conference's follow-up actions are "Open" too, in another sense (办理中).
    OPEN = "open", pgettext_lazy("listing status", "Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TradeStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")
