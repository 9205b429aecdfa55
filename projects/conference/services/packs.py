"""Review packs: requested by the joint office, built by a Celery task, each state recorded."""

import datetime

from django.db import models, transaction
from django.utils import timezone

from projects.conference import events
from projects.conference.choices import PackStatus
from projects.conference.models import AnnualPlan, Meeting, ReviewPack
from projects.conference.services.common import update_one
from projects.core.services import lock, tracked_delete, tracked_save, tracked_update
from projects.permissions import ADD, require

# A pack left "running" this long was abandoned by a worker that died: it may be built again.
STALE_RUNNING = datetime.timedelta(minutes=15)


def _pack_plan(meeting: Meeting) -> AnnualPlan | None:
    submitted = AnnualPlan.objects.filter(meeting=meeting).order_by("-year").first()
    return submitted or AnnualPlan.objects.filter(year__lte=meeting.date.year).order_by("-year").first()


def review_pack_request(*, actor, meeting: Meeting, as_of: datetime.date | None = None) -> tuple[ReviewPack, bool]:
    """Ask for a meeting's review pack; returns (pack, created). A pack already in the works is reused."""
    require(actor, ADD, ReviewPack)
    from projects.conference.tasks import build_review_pack

    with transaction.atomic():
        meeting = lock(meeting)  # one request at a time per meeting
        waiting = meeting.review_packs.filter(status__in=[PackStatus.PENDING, PackStatus.RUNNING]).first()
        if waiting is not None:
            return waiting, False

        def write(_current) -> ReviewPack:
            pack = ReviewPack(
                meeting=meeting, plan=_pack_plan(meeting), requested_by=actor, as_of=as_of or timezone.localdate()
            )
            pack.full_clean()
            pack.save()
            return pack

        pack = tracked_save(actor=actor, instance=None, write=write)
        transaction.on_commit(lambda: build_review_pack.delay(str(pack.pk)))
        return pack, True


def review_pack_build(*, pack_id) -> str:
    """Build the spreadsheet and the PDF of one pack. Safe to run twice: a ready pack is left alone.

    The task claims the pack (running), then marks it ready or failed; each state is a change
    record of its own (``conference.reviewpack.running`` / ``built`` / ``failed``).
    """
    from projects.conference.review_pack import build_pdf, build_xlsx, pack_contents

    now = timezone.now()
    claimable = models.Q(status__in=[PackStatus.PENDING, PackStatus.FAILED]) | models.Q(
        status=PackStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    claimed = tracked_update(
        actor=None,
        queryset=ReviewPack.objects.filter(pk=pack_id).filter(claimable),
        values={"status": PackStatus.RUNNING, "started_at": now, "finished_at": None, "error": ""},
        event=events.PACK_RUNNING,
    )
    if not claimed:
        pack = ReviewPack.objects.filter(pk=pack_id).first()
        return pack.status if pack else "missing"
    pack = ReviewPack.objects.select_related("meeting__host_province", "plan").get(pk=pack_id)
    try:
        contents = pack_contents(pack)
        name = f"review-pack-{pack.meeting.sequence_no}-{pack.as_of:%Y%m%d}"
        xlsx, pdf = build_xlsx(contents), build_pdf(contents)
        # The files are stored first; the record then names them, with its new state.
        pack.xlsx.save(f"{name}.xlsx", xlsx, save=False)
        pack.pdf.save(f"{name}.pdf", pdf, save=False)
        files = {"xlsx": pack.xlsx.name, "pdf": pack.pdf.name}
        update_one(pack, {"status": PackStatus.READY, "finished_at": timezone.now(), **files}, event=events.PACK_BUILT)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        update_one(
            pack, {"status": PackStatus.FAILED, "error": error, "finished_at": timezone.now()}, event=events.PACK_FAILED
        )
        raise
    return PackStatus.READY.value


def review_pack_delete(*, actor, instance: ReviewPack, expected_version=None) -> None:
    """The joint office removes a pack; its files go when the transaction commits."""

    def check(pack: ReviewPack) -> None:
        stored = [(field.storage, field.name) for field in (pack.xlsx, pack.pdf) if field]
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)
