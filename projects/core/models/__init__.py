from projects.core.models.accounts import User
from projects.core.models.base import TrackedModel
from projects.core.models.geography import Corridor, Division, KeyArea, Province
from projects.core.models.history import ChangeRecord, ChangeSequence
from projects.core.models.imports import ImportJob
from projects.core.models.notifications import Notification
from projects.core.models.organizations import Organization
from projects.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "ChangeRecord",
    "ChangeSequence",
    "Corridor",
    "Division",
    "ImportJob",
    "KeyArea",
    "Notification",
    "Organization",
    "Province",
    "TrackedModel",
    "User",
]
