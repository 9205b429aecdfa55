"""Background work of the compensation app: thin tasks that take ids and call a service."""

from celery import shared_task

from projects.compensation.choices import SettlementStatus


@shared_task(bind=True, max_retries=3, default_retry_delay=30, soft_time_limit=100, time_limit=120)
def compute_settlement(self, settlement_id: str) -> str:
    """Compute one settlement. Safe to run twice: a locked settlement is left alone, and the
    same data gives the same result."""
    from projects.compensation.models import Settlement
    from projects.compensation.services import settlement_compute

    settlement = Settlement.objects.filter(pk=settlement_id).first()
    if settlement is None or settlement.status == SettlementStatus.CONFIRMED:
        return "skipped"
    settlement_compute(settlement=settlement)
    return "computed"


@shared_task(soft_time_limit=540, time_limit=600)
def schedule_due_settlements() -> int:
    """Daily: open and compute the settlements of ended periods of agreements in force."""
    from projects.compensation.services import settlements_schedule_due

    return len(settlements_schedule_due())
