"""Background work of the joint conference: thin tasks that take ids and call a service."""

from celery import shared_task

from projects.conference import services


@shared_task(bind=True, acks_late=True, time_limit=600, soft_time_limit=540)
def build_review_pack(self, pack_id: str) -> str:
    """Build a review pack's XLSX and PDF; a pack already built, or being built by another message,
    is left as it is. The same message delivered again after its worker died takes the build over."""
    return services.review_pack_build(pack_id=pack_id, attempt=self.request.id or "")


@shared_task(soft_time_limit=100, time_limit=120)
def recover_review_packs() -> dict:
    """Periodic (beat): retry or fail packs whose worker died; send the builds the broker missed."""
    return services.review_packs_recover()


@shared_task
def mark_overdue_action_items() -> int:
    """Periodic (beat): mark open follow-up actions past their due date overdue and notify."""
    return len(services.mark_overdue_actions())


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def notify_overdue_action(item_id: str) -> int:
    """Email the responsible organization's users about one overdue action (once)."""
    return services.notify_overdue_action(item_id=item_id)
