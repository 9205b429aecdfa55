"""Background work of the compensation app: thin tasks that take ids and call a service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from projects.core.errors import StaleRecord


@shared_task(
    bind=True,
    # A database that is restarting or failing over, or a record changed under the computation:
    # try again within 30, 60, then 120 s (full jitter). Bad data is not retried.
    autoretry_for=(OperationalError, InterfaceError, StaleRecord),
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=300,
    retry_jitter=True,
    soft_time_limit=100,
    time_limit=120,
)
def compute_settlement(self, settlement_id: str) -> str:
    """Compute one settlement as the system. Safe to run twice: a confirmed settlement is left
    alone, and the same data gives the same result, so a retry after a database error is safe too.
    Domain refusals are not retried."""
    from projects.compensation.choices import SettlementStatus
    from projects.compensation.models import Settlement
    from projects.compensation.services import settlement_compute

    settlement = Settlement.objects.filter(pk=settlement_id).first()
    # Only a settlement waiting for its computation: a message delivered twice (a worker lost,
    # the outbox drain sending again) computes once. People recompute through the transition.
    if settlement is None or settlement.status != SettlementStatus.PENDING:
        return "skipped"
    settlement_compute(instance=settlement)
    return "computed"


@shared_task(soft_time_limit=540, time_limit=600)
def schedule_due_settlements() -> int:
    """Daily: open and compute the settlements of ended periods of agreements in force."""
    from projects.compensation.services import settlements_schedule_due

    return len(settlements_schedule_due())


@shared_task(soft_time_limit=100, time_limit=120)
def send_pending_settlements() -> int:
    """Periodic (beat): send the computations of pending settlements the broker never got."""
    from projects.compensation.services import settlements_send_pending

    return settlements_send_pending()
