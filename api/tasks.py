"""Background work of the HTTP face."""

from celery import shared_task


@shared_task
def prune_idempotency_keys() -> int:
    """Periodic (beat): forget idempotency keys older than they are kept."""
    from api.idempotency import prune

    return prune()
