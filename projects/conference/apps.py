from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferenceConfig(AppConfig):
    name = "projects.conference"
    label = "conference"
    verbose_name = _("Joint conference")

    def ready(self):
        from projects.conference import events, rules  # noqa: F401 - registers the permission rules and event labels
