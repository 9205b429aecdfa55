from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

# README's documented demo password: anyone can sign in with it.
DEFAULT_DEMO_PASSWORD = "tracker-demo"  # noqa: S105 - the public default this command refuses in production


class Command(BaseCommand):
    help = (
        "Load the demo accounts and demo data. Records that exist already are kept as they are, "
        "so running it again loses nothing entered since. With DEBUG off it refuses unless given "
        "--allow-production and a DEMO_PASSWORD of one's own."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo with DEBUG off (a demonstration server); needs DEMO_PASSWORD set to a strong password.",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG:
            self._refuse_unless_deliberate(allow_production)
        for config in apps.get_app_configs():
            if not config.name.startswith("projects."):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            for name in ("load_users", "load"):
                loader = getattr(module, name, None)
                if loader:
                    result = loader()
                    self.stdout.write(f"{config.label}.{name}: {result}")

    def _refuse_unless_deliberate(self, allow_production: bool) -> None:
        """The demo creates accounts, a superuser among them, with one shared password: with
        DEBUG off that happens only on purpose and never with the password README publishes."""
        if not allow_production:
            raise CommandError(
                "DEBUG is off: load_demo would create the demo accounts (a superuser among them) in what "
                "looks like production. Nothing was written. Run it with DEBUG=true, or give "
                "--allow-production and a DEMO_PASSWORD of your own for a demonstration server."
            )
        if settings.DEMO_PASSWORD == DEFAULT_DEMO_PASSWORD:
            raise CommandError(
                f"DEBUG is off and DEMO_PASSWORD is the published default {DEFAULT_DEMO_PASSWORD!r}: set "
                "DEMO_PASSWORD (or DEMO_PASSWORD_FILE) to a password of your own. Nothing was written."
            )
        try:
            validate_password(settings.DEMO_PASSWORD)
        except ValidationError as exc:
            raise CommandError(
                f"DEBUG is off and DEMO_PASSWORD is too weak: {' '.join(exc.messages)} Nothing was written."
            ) from exc
