from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestorationConfig(AppConfig):
    name = "projects.restoration"
    label = "restoration"
    verbose_name = _("Restoration projects")

    def ready(self):
        from projects.restoration import rules  # noqa: F401 - registers the permission rules
