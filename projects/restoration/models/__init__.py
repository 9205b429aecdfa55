from projects.restoration.models.acceptance import (
    AcceptanceDocument,
    AcceptanceIndicator,
    AcceptanceMember,
    AcceptanceRecord,
    LandUseChange,
    RectificationItem,
)
from projects.restoration.models.catalogues import EcosystemElement, FundingSource, Indicator, MeasureType
from projects.restoration.models.participation import ParticipationRequest
from projects.restoration.models.projects import FundingShare, IndicatorTarget, Project, ProjectTransition
from projects.restoration.models.reports import (
    IndicatorValue,
    ProgressReport,
    ReminderLog,
    ReportAttachment,
    ReportInvestment,
)
from projects.restoration.models.shoreline import ShorelineSegment

__all__ = [
    "AcceptanceDocument",
    "AcceptanceIndicator",
    "AcceptanceMember",
    "AcceptanceRecord",
    "EcosystemElement",
    "FundingShare",
    "FundingSource",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "LandUseChange",
    "MeasureType",
    "ParticipationRequest",
    "ProgressReport",
    "Project",
    "ProjectTransition",
    "RectificationItem",
    "ReminderLog",
    "ReportAttachment",
    "ReportInvestment",
    "ShorelineSegment",
]
