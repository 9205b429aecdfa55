from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The staff workspace: server-rendered pages for the everyday tasks and the figures."""

    name = "projects.workspace"
    label = "workspace"
    verbose_name = _("Staff workspace")
