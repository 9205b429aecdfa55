"""Review packs: requested by the joint office, built by a Celery task, each state recorded."""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.conference import events
from projects.conference.choices import PackStatus
from projects.conference.models import AnnualPlan, Meeting, ReviewPack
from projects.conference.services.common import update_one
from projects.core import outbox
from projects.core.services import lock, tracked_delete, tracked_save, tracked_update
from projects.permissions import ADD, require


def _deadline() -> datetime.timedelta:
    """A pack "running" longer than this was abandoned by a worker that died (the task's hard
    time limit is 600 s)."""
    return datetime.timedelta(seconds=settings.REVIEW_PACK_DEADLINE)


def _pack_plan(meeting: Meeting) -> AnnualPlan | None:
    submitted = AnnualPlan.objects.filter(meeting=meeting).order_by("-year").first()
    return submitted or AnnualPlan.objects.filter(year__lte=meeting.date.year).order_by("-year").first()


def review_pack_request(*, actor, meeting: Meeting, as_of: datetime.date | None = None) -> tuple[ReviewPack, bool]:
    """Ask for a meeting's review pack; returns (pack, created). A pack in the works is reused; one
    left running past its deadline is marked failed and a new one requested."""
    require(actor, ADD, ReviewPack)
    from projects.conference.tasks import build_review_pack

    with transaction.atomic():
        meeting = lock(meeting)  # one request at a time per meeting
        _fail_abandoned(meeting.review_packs.all(), retry=False)
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
        outbox.send_on_commit(build_review_pack, pack)
        return pack, True


def _fail_abandoned(queryset, *, retry: bool) -> list[ReviewPack]:
    """Packs running past their deadline: back to pending (sent again by the drain) while attempts
    remain and ``retry``, else failed; either way with the reason."""
    abandoned = queryset.filter(status=PackStatus.RUNNING, started_at__lt=timezone.now() - _deadline())
    changed = []
    for pack in abandoned.select_for_update():
        reason = _("The build did not finish within %(minutes)d minutes (its worker stopped).") % {
            "minutes": settings.REVIEW_PACK_DEADLINE // 60
        }
        again = retry and pack.attempts < settings.REVIEW_PACK_ATTEMPTS
        values = {"status": PackStatus.PENDING, "queued_at": None} if again else {"status": PackStatus.FAILED}
        update_one(pack, {**values, "error": reason, "finished_at": timezone.now()}, event=events.PACK_ABANDONED)
        changed.append(pack)
    return changed


def review_packs_recover() -> dict:
    """The drain (beat): packs whose worker died are retried or failed; pending packs whose build
    was never sent (broker down) or lost are sent."""
    from projects.conference.tasks import build_review_pack

    with transaction.atomic():
        abandoned = _fail_abandoned(ReviewPack.objects.all(), retry=True)
    sent = outbox.drain(build_review_pack, ReviewPack.objects.filter(status=PackStatus.PENDING))
    return {"abandoned": len(abandoned), "sent": sent}


def _remove_files_except(pack: ReviewPack, keep: set[str]) -> None:
    """Remove the files of earlier or failed attempts from the pack's folder."""
    storage = pack.xlsx.storage
    folder = f"conference/packs/{pack.pk}"
    try:
        _dirs, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        if f"{folder}/{name}" not in keep:
            storage.delete(f"{folder}/{name}")


def review_pack_build(*, pack_id, attempt: str = "") -> str:
    """Build the spreadsheet and the PDF of one pack. Safe to run twice: a ready pack, or one
    another worker is building, is left alone; a rebuild replaces the earlier attempt's files.

    The task claims the pack (running), then marks it ready or failed; each state is a change
    record of its own (``conference.reviewpack.running`` / ``built`` / ``failed``). A failure
    leaves no file behind.
    """
    from projects.conference.review_pack import build_pdf, build_xlsx, pack_contents

    now = timezone.now()
    claimable = models.Q(status__in=[PackStatus.PENDING, PackStatus.FAILED]) | models.Q(
        status=PackStatus.RUNNING, started_at__lt=now - _deadline()
    )
    if attempt:
        # This very message claimed it before and is delivered again: the worker running it died.
        claimable |= models.Q(status=PackStatus.RUNNING, attempt_id=attempt)
    claimed = tracked_update(
        actor=None,
        queryset=ReviewPack.objects.filter(pk=pack_id).filter(claimable),
        values={
            "status": PackStatus.RUNNING,
            "started_at": now,
            "finished_at": None,
            "error": "",
            "attempt_id": attempt,
        },
        event=events.PACK_RUNNING,
    )
    if not claimed:
        pack = ReviewPack.objects.filter(pk=pack_id).first()
        return pack.status if pack else "missing"
    ReviewPack.objects.filter(pk=pack_id).update(attempts=models.F("attempts") + 1)
    pack = ReviewPack.objects.select_related("meeting__host_province", "plan").get(pk=pack_id)
    kept = {pack.xlsx.name, pack.pdf.name} - {""}
    try:
        contents = pack_contents(pack)
        name = f"review-pack-{pack.meeting.sequence_no}-{pack.as_of:%Y%m%d}"
        xlsx, pdf = build_xlsx(contents), build_pdf(contents)
        # The files are stored first; the record then names them, with its new state.
        pack.xlsx.save(f"{name}.xlsx", xlsx, save=False)
        pack.pdf.save(f"{name}.pdf", pdf, save=False)
        files = {"xlsx": pack.xlsx.name, "pdf": pack.pdf.name}
        update_one(pack, {"status": PackStatus.READY, "finished_at": timezone.now(), **files}, event=events.PACK_BUILT)
        kept = set(files.values())
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        _remove_files_except(pack, kept)
        update_one(
            pack, {"status": PackStatus.FAILED, "error": error, "finished_at": timezone.now()}, event=events.PACK_FAILED
        )
        raise
    _remove_files_except(pack, kept)
    return PackStatus.READY.value


def review_pack_delete(*, actor, instance: ReviewPack, expected_version=None) -> None:
    """The joint office removes a pack; its files go when the transaction commits."""

    def check(pack: ReviewPack) -> None:
        stored = [(field.storage, field.name) for field in (pack.xlsx, pack.pdf) if field]
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])

    tracked_delete(actor=actor, instance=instance, expected_version=expected_version, check=check)
