"""Event codes of the change history and how they read.

Each domain names the events that are more than a create, update, delete or status change
(``register({"compensation.watersample.imported": _("Imported from a CSV file")})``). Labels
are translated when read, so a record written under one language reads in the reader's.
"""

from django.apps import apps
from django.utils.translation import gettext as _

from projects.core.models.base import choice_label

_labels: dict = {}


def register(labels: dict) -> None:
    _labels.update(labels)


def describe(record) -> str:
    label = _labels.get(record.event)
    if label is not None:
        return str(label)
    if record.event.endswith(".contents_changed"):
        return _("Contents changed: %(what)s") % {"what": record.message}
    if record.action == "transition":
        status = (record.after or {}).get("status")
        status_label = _status_label(record.event, status)
        if status_label:
            return _("Status changed to “%(status)s”") % {"status": status_label}
    return str(record.get_action_display())


def _status_label(event: str, status) -> str:
    try:
        app_label, model_name = event.split(".")[:2]
        field = apps.get_model(app_label, model_name)._meta.get_field("status")
    except (ValueError, LookupError):
        return str(status or "")
    return str(choice_label(field, status) or "")
