from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load (or refresh) the reference data from fixtures/. Safe to run again."

    def handle(self, *args, **options):
        # Each domain app may ship ``reference.load()``; the foundation goes first.
        for config in apps.get_app_configs():
            if not config.name.startswith("projects."):
                continue
            try:
                module = import_module(f"{config.name}.reference")
            except ModuleNotFoundError:
                continue
            loader = getattr(module, "load", None)
            if loader:
                counts = loader()
                summary = ", ".join(f"{key} {value}" for key, value in counts.items())
                self.stdout.write(f"{config.label}: {summary}")
