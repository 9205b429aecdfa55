from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the demo accounts and demo data. Records that exist already are kept as they are, "
        "so running it again loses nothing entered since."
    )

    def handle(self, *args, **options):
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
