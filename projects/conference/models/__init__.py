from projects.conference.models.experts import Expert, ExpertReview
from projects.conference.models.longrange import CorridorPlan, CorridorTarget
from projects.conference.models.meetings import ActionItem, ActionUpdate, AgendaItem, Decision, Meeting
from projects.conference.models.packs import ReviewPack
from projects.conference.models.plans import (
    AnnualPlan,
    PlanAmendment,
    PlanItem,
    PlanItemFunding,
    PlanItemTarget,
    PlanMilestone,
    PlanTransition,
)

__all__ = [
    "ActionItem",
    "ActionUpdate",
    "AgendaItem",
    "AnnualPlan",
    "CorridorPlan",
    "CorridorTarget",
    "Decision",
    "Expert",
    "ExpertReview",
    "Meeting",
    "PlanAmendment",
    "PlanItem",
    "PlanItemFunding",
    "PlanItemTarget",
    "PlanMilestone",
    "PlanTransition",
    "ReviewPack",
]
