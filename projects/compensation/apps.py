from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "projects.compensation"
    label = "compensation"
    verbose_name = _("Ecological compensation")

    def ready(self):
        from projects.compensation import events, rules  # noqa: F401 - register the rules and event labels
