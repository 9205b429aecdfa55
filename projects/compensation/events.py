"""The compensation events that are more than a create, update, delete or status change, as
they read in the history (``projects.core.events``)."""

from django.utils.translation import gettext_lazy as _

from projects.compensation.services.agreements import REVISED
from projects.compensation.services.settlements import PARTY_CONFIRMED, SCHEDULED
from projects.compensation.services.standards import REPLACED
from projects.compensation.services.water_import import IMPORTED
from projects.core.events import register

register(
    {
        IMPORTED: _("Imported from a CSV file"),
        SCHEDULED: _("Opened by the daily schedule"),
        PARTY_CONFIRMED: _("Confirmed by one party"),
        REPLACED: _("Superseded by a standard that replaces it"),
        REVISED: _("Created as a new version of an agreement"),
    }
)
