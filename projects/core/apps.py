from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "projects.core"
    label = "core"
    verbose_name = _("Geography, organizations and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from projects.core import signin

        # Sign-ins and failed sign-ins: counted for the lockout and kept in the history.
        user_login_failed.connect(signin.on_login_failed, dispatch_uid="tracker-sign-in-failed")
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="tracker-signed-in")
