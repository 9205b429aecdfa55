"""Background work of restoration: thin tasks that call a service."""

from celery import shared_task
from django.utils import timezone

from projects.restoration.services.reminders import send_reporting_reminders as send


@shared_task
def send_reporting_reminders() -> int:
    """Periodic (beat): remind of reports due, on the due date, then escalate; each step once."""
    return len(send(today=timezone.localdate()))
