"""Background work of the HTTP face."""

from celery import shared_task


@shared_task
def prune_idempotency_keys() -> int:
    """Periodic (beat): forget idempotency keys older than they are kept."""
    from api.idempotency import prune

    return prune()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def dispatch_webhooks() -> int:
    """Periodic (beat): turn the changes committed since the last run into webhook deliveries."""
    from api.webhooks import dispatch

    return dispatch()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def send_due_webhooks() -> int:
    """Periodic (beat) and after each dispatch: send the deliveries that are due."""
    from api.webhooks import send_due

    return send_due()
