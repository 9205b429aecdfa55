"""Choice sets of the foundation; every label is translatable."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture-level division")
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")


class OrganizationKind(models.TextChoices):
    PROVINCIAL_AUTHORITY = "provincial_authority", _("Provincial natural resources authority")
    JOINT_OFFICE = "joint_office", _("Joint conference office")
    LOCAL_AUTHORITY = "local_authority", _("Local government agency")
    RESEARCH = "research", _("Research institute or university")
    ENTERPRISE = "enterprise", _("Enterprise")
    PARTNER_SYSTEM = "partner_system", _("Partner information system")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    PROVINCIAL_STAFF = "provincial_staff", _("Provincial staff")
    JOINT_OFFICE = "joint_office", _("Joint conference office")
    EXPERT = "expert", _("Expert")
    PARTNER_SYSTEM = "partner_system", _("Partner system")
    ADMINISTRATOR = "administrator", _("Administrator")


class KeyAreaKind(models.TextChoices):
    MOUNTAIN = "mountain", _("Mountain area")
    RESERVOIR = "reservoir", _("Reservoir area")
    PLATEAU = "plateau", _("Plateau")
    OTHER = "other", _("Other")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")


class NotifyBy(models.TextChoices):
    """How a person wants to be told (reminders, escalations)."""

    EMAIL_AND_TRACKER = "both", _("E-mail and in the tracker")
    TRACKER = "tracker", _("In the tracker only")
    EMAIL = "email", _("E-mail only")


class ImportResource(models.TextChoices):
    """What a file import writes (the API resource it goes through)."""

    PROJECTS = "projects", _("Restoration projects")
    PROGRESS_REPORTS = "progress-reports", _("Progress reports")
    WATER_SAMPLES = "water-quality-samples", _("Water-quality samples")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Imported")
    REJECTED = "rejected", _("Refused, nothing saved")
    FAILED = "failed", _("Failed, nothing saved")
