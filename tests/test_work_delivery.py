"""Work is delivered once and never stuck: a broker down at request time, a worker that dies
mid-build, a database error mid-build. Figures in docs/reliability.md."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone

from projects.compensation.models import Settlement
from projects.conference import events, services
from projects.conference.choices import PackStatus
from projects.conference.models import ReviewPack
from projects.conference.tasks import recover_review_packs
from projects.core.models import ChangeRecord
from tests.compensation.factories import AgreementFactory, add_sample
from tests.conference.factories import MeetingFactory
from tracker.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker():
    """``broker.down()`` points every send at a closed port (Redis stopped); ``broker.up()`` brings
    back the test settings, where a sent task runs at once as a worker would."""
    conf = app.conf
    saved = conf.broker_write_url, conf.task_always_eager

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    class Broker:
        def down(self):
            reset_pools()
            conf.broker_write_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False

        def up(self):
            reset_pools()
            conf.broker_write_url, conf.task_always_eager = saved

    yield Broker()
    Broker().up()


def files_of(pack) -> list[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "conference" / "packs" / str(pack.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def events_of(record, event) -> int:
    return ChangeRecord.objects.filter(object_id=str(record.pk), event=event).count()


def test_a_pack_requested_while_the_broker_is_down_is_accepted_and_built_once_by_the_drain(
    client_for, joint_office, broker, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory()
    office = client_for(joint_office)
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/", format="json")
    assert response.status_code == 202
    pack = ReviewPack.objects.get(pk=response.json()["id"])
    assert (pack.status, pack.queued_at) == (PackStatus.PENDING, None)
    # Still down: the drain tries, sends nothing, and loses nothing.
    assert services.review_packs_recover() == {"abandoned": 0, "sent": 0}

    broker.up()
    assert recover_review_packs.apply().get() == {"abandoned": 0, "sent": 1}
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.queued_at is not None
    assert services.review_packs_recover() == {"abandoned": 0, "sent": 0}  # delivered once
    assert events_of(pack, events.PACK_BUILT) == 1
    assert len(files_of(pack)) == 2


def test_a_settlement_opened_while_the_broker_is_down_is_computed_once_by_the_drain(
    client_for, joint_office, broker, django_capture_on_commit_callbacks
):
    from projects.compensation.services import settlements_send_pending

    agreement = AgreementFactory()
    add_sample(joint_office, agreement.sections.get(), datetime.date(2023, 3, 15), tp="0.12")
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(joint_office).post(
            "/api/v1/settlements/", {"agreement": str(agreement.pk), "period": "2023"}, format="json"
        )
    assert response.status_code == 202, response.json()
    settlement = Settlement.objects.get(pk=response.json()["id"])
    assert (settlement.status, settlement.queued_at) == ("pending", None)
    assert settlements_send_pending() == 0

    broker.up()
    assert settlements_send_pending() == 1
    settlement.refresh_from_db()
    assert settlement.status == "computed"
    assert settlements_send_pending() == 0
    computed = ChangeRecord.objects.filter(object_id=str(settlement.pk), after__status="computed")
    assert computed.exclude(before__status="computed").count() == 1
    # A message delivered a second time (a worker lost after computing) computes nothing more.
    from projects.compensation.tasks import compute_settlement

    assert compute_settlement.apply(args=[str(settlement.pk)]).get() == "skipped"


def stuck(pack, *, minutes, attempts=1):
    """The state a pack is left in when its worker is killed mid-build."""
    ReviewPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes),
        attempts=attempts,
        queued_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )


def test_a_pack_stuck_running_past_its_deadline_is_built_again(joint_office, settings):
    settings.REVIEW_PACK_DEADLINE = 900
    pack, _created = services.review_pack_request(actor=joint_office, meeting=MeetingFactory())
    stuck(pack, minutes=10)
    assert services.review_packs_recover() == {"abandoned": 0, "sent": 0}  # still within its deadline
    stuck(pack, minutes=16)
    assert services.review_packs_recover() == {"abandoned": 1, "sent": 1}
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 2
    assert events_of(pack, events.PACK_ABANDONED) == 1
    assert len(files_of(pack)) == 2


def test_a_pack_whose_worker_keeps_dying_ends_failed_with_the_reason_and_a_new_post_rebuilds(
    client_for, joint_office, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_PACK_ATTEMPTS = 3
    meeting = MeetingFactory()
    office = client_for(joint_office)
    first = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    pack = ReviewPack.objects.get(pk=first["id"])
    stuck(pack, minutes=20, attempts=3)
    assert services.review_packs_recover() == {"abandoned": 1, "sent": 0}
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED
    assert "15" in pack.error  # the build did not finish within 15 minutes

    with django_capture_on_commit_callbacks(execute=True):
        again = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/")
    assert again.status_code == 202 and again.json()["id"] != first["id"]
    assert ReviewPack.objects.get(pk=again.json()["id"]).status == PackStatus.READY


def test_a_repeated_post_replaces_a_pack_stuck_running(client_for, joint_office, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    office = client_for(joint_office)
    first = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    stuck(ReviewPack.objects.get(pk=first["id"]), minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        second = office.post(f"/api/v1/meetings/{meeting.pk}/review-pack/").json()
    assert second["id"] != first["id"]
    assert ReviewPack.objects.get(pk=second["id"]).status == PackStatus.READY
    assert ReviewPack.objects.get(pk=first["id"]).status == PackStatus.FAILED


def test_a_disk_error_mid_build_leaves_no_file_and_the_pack_failed(joint_office, monkeypatch):
    pack, _created = services.review_pack_request(actor=joint_office, meeting=MeetingFactory())
    real_save = ReviewPack.pdf.field.attr_class.save

    def save(self, name, content, save=True):
        if name.endswith(".pdf"):
            raise OSError(28, "No space left on device")
        return real_save(self, name, content, save=save)

    monkeypatch.setattr(ReviewPack.pdf.field.attr_class, "save", save)
    with pytest.raises(OSError):
        services.review_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and "No space left" in pack.error
    assert files_of(pack) == []  # the spreadsheet written before the failure is gone


def test_a_database_error_mid_build_leaves_no_file_and_a_rebuild_keeps_only_its_own(joint_office, monkeypatch):
    pack, _created = services.review_pack_request(actor=joint_office, meeting=MeetingFactory())
    services.review_pack_build(pack_id=pack.pk)
    built = files_of(pack)
    assert len(built) == 2
    ReviewPack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED)

    from projects.conference.services import packs

    real_update = packs.update_one

    def update_one(instance, values, **kwargs):
        if values.get("status") == PackStatus.READY:
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(instance, values, **kwargs)

    monkeypatch.setattr(packs, "update_one", update_one)
    with pytest.raises(OperationalError):
        services.review_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and "OperationalError" in pack.error
    assert files_of(pack) == built  # the earlier pack's files, named by the record, are kept

    monkeypatch.setattr(packs, "update_one", real_update)
    assert services.review_pack_build(pack_id=pack.pk) == "ready"
    pack.refresh_from_db()
    assert files_of(pack) == sorted(Path(name).name for name in (pack.xlsx.name, pack.pdf.name))


def test_celery_acknowledges_late_and_redelivers_within_the_visibility_timeout():
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    if not str(conf.broker_url).startswith("tracker-fs"):
        # Longer than the longest task's hard limit (the review pack, 600 s).
        assert conf.broker_transport_options["visibility_timeout"] > 600


def test_the_admin_builds_a_stuck_pack_again(client, joint_office, django_capture_on_commit_callbacks):
    pack, _created = services.review_pack_request(actor=joint_office, meeting=MeetingFactory())
    stuck(pack, minutes=60)
    client.force_login(joint_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/conference/reviewpack/", {"action": "build_again", "_selected_action": [str(pack.pk)]}
        )
    assert response.status_code == 302
    assert ReviewPack.objects.get(pk=pack.pk).status == PackStatus.FAILED
    rebuilt = ReviewPack.objects.exclude(pk=pack.pk).get(meeting=pack.meeting)
    assert rebuilt.status == PackStatus.READY
