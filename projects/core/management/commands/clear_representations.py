"""Forget every cached API representation (api/representations.py): after data was changed
outside the services (SQL by hand), which does not move the records' versions."""

from django.core.cache import caches
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Forget every cached API representation (after a change made outside the services)."

    def handle(self, *args, **options):
        caches["representations"].clear()
        self.stdout.write("Cached representations cleared.")
