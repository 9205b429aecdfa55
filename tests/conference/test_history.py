"""Every write of the conference keeps its history and moves the version: the paths that used to
write in bulk (returned items, approval, amendments, overdue actions, review pack states) included."""

import datetime

import pytest
from django.utils import timezone, translation

from projects.conference import services
from projects.conference.choices import ActionStatus, MeetingStatus, PackStatus, PlanStatus
from projects.conference.models import PlanAmendment, PlanItem, ReviewPack
from projects.core.models import ChangeRecord
from tests.conference.factories import (
    ActionItemFactory,
    AnnualPlanFactory,
    MeetingFactory,
    PlanItemFactory,
    cq_project,
)

pytestmark = pytest.mark.django_db


def _events(instance) -> list[str]:
    return list(ChangeRecord.objects.filter(object_id=str(instance.pk)).order_by("id").values_list("event", flat=True))


def test_returned_items_and_the_approval_that_clears_their_comments_are_recorded(joint_office):
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(status=PlanStatus.SUBMITTED, meeting=meeting)
    commented, other = PlanItemFactory(plan=plan), PlanItemFactory(plan=plan, project=cq_project())

    services.plan_transition(
        actor=joint_office, instance=plan, to=PlanStatus.RETURNED, item_comments={commented.project.code: "补充资金"}
    )
    commented.refresh_from_db()
    assert (commented.review_comment, commented.version) == ("补充资金", 2)
    assert _events(commented) == ["conference.planitem.returned"]
    assert _events(other) == []  # not named, not touched

    services.plan_transition(actor=joint_office, instance=plan, to=PlanStatus.SUBMITTED, meeting=meeting)
    services.plan_transition(actor=joint_office, instance=plan, to=PlanStatus.APPROVED)
    commented.refresh_from_db()
    assert (commented.review_comment, commented.version) == ("", 3)
    assert _events(commented) == ["conference.planitem.returned", "conference.planitem.comments_cleared"]
    record = ChangeRecord.objects.filter(object_id=str(commented.pk)).first()
    assert record.actor == joint_office and record.changed_fields == ["review_comment"]
    assert _events(plan) == [
        "conference.annualplan.returned",
        "conference.annualplan.submitted",
        "conference.annualplan.approved",
    ]


def test_an_amendment_is_recorded_when_opened_and_when_approved(joint_office):
    meeting = MeetingFactory()
    plan = AnnualPlanFactory(status=PlanStatus.APPROVED, meeting=meeting)
    PlanItemFactory(plan=plan)
    services.plan_transition(actor=joint_office, instance=plan, to=PlanStatus.DRAFT, reason="追加中央资金")
    amendment = PlanAmendment.objects.get(plan=plan)
    assert amendment.version == 1
    # The amended plan goes to a coming meeting, which approves it once held.
    coming = MeetingFactory(status=MeetingStatus.PLANNED)
    services.plan_transition(actor=joint_office, instance=plan, to=PlanStatus.SUBMITTED, meeting=coming)
    services.meeting_transition(actor=joint_office, instance=coming, to=MeetingStatus.HELD)
    services.plan_transition(actor=joint_office, instance=plan, to=PlanStatus.APPROVED)
    amendment.refresh_from_db()
    assert amendment.approved_meeting == coming and amendment.version == 2
    assert _events(amendment) == ["conference.planamendment.opened", "conference.planamendment.approved"]
    assert ChangeRecord.objects.filter(scope_id=str(plan.pk), event="conference.planamendment.approved").exists()


def test_marking_actions_overdue_records_each_and_moves_its_version(django_capture_on_commit_callbacks):
    late = ActionItemFactory(due_date=timezone.localdate() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False):
        marked = services.mark_overdue_actions()
    assert marked == [late.pk]
    late.refresh_from_db()
    assert (late.status, late.version) == (ActionStatus.OVERDUE, 2)
    record = ChangeRecord.objects.get(object_id=str(late.pk))
    assert record.event == "conference.actionitem.overdue" and record.actor is None
    assert record.before["status"] == "open" and record.after["status"] == "overdue"


def test_the_overdue_notice_is_recorded(django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    item = ActionItemFactory(status=ActionStatus.OVERDUE)
    UserFactory(organization=item.responsible_organization, email="officer@example.org")
    assert services.notify_overdue_action(item_id=item.pk) == 1
    item.refresh_from_db()
    assert item.version == 2
    assert _events(item) == ["conference.actionitem.notified"]


def test_the_review_packs_running_built_and_failed_states_are_each_recorded(joint_office, settings):
    meeting = MeetingFactory()
    AnnualPlanFactory(status=PlanStatus.SUBMITTED, meeting=meeting)
    pack, _created = services.review_pack_request(actor=joint_office, meeting=meeting)
    assert services.review_pack_build(pack_id=pack.pk) == "ready"
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.version == 3
    assert _events(pack) == [
        "conference.reviewpack.created",
        "conference.reviewpack.running",
        "conference.reviewpack.built",
    ]
    assert not any(record.message for record in ChangeRecord.objects.filter(object_id=str(pack.pk)))

    failing = ReviewPack.objects.create(meeting=meeting, as_of="2022-12-31")
    # The font setting's name on this branch and on main (PDF_FONT_PATH): either way it is missing.
    settings.CONFERENCE_PDF_FONT = settings.PDF_FONT_PATH = "/nonexistent/font.ttc"
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics._fonts.pop("WenQuanYiZenHei", None)
    try:
        with pytest.raises(Exception, match="font"):
            services.review_pack_build(pack_id=failing.pk)
    finally:
        if registered is not None:
            pdfmetrics._fonts["WenQuanYiZenHei"] = registered
    failing.refresh_from_db()
    assert failing.status == PackStatus.FAILED and failing.version == 3
    assert _events(failing) == ["conference.reviewpack.running", "conference.reviewpack.failed"]


def test_event_labels_read_in_the_readers_language(client_for, joint_office):
    meeting = MeetingFactory()
    pack, _created = services.review_pack_request(actor=joint_office, meeting=meeting)
    services.review_pack_build(pack_id=pack.pk)
    record = ChangeRecord.objects.get(object_id=str(pack.pk), event="conference.reviewpack.built")
    with translation.override("en"):
        assert record.summary == "Review pack built"
    body = client_for(joint_office).get(f"/api/v1/meetings/{meeting.pk}/history/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "Review pack built" in [row["summary"] for row in body["results"]]


def test_a_write_that_changes_nothing_keeps_the_version_and_writes_no_history(joint_office):
    item = PlanItemFactory()
    before = ChangeRecord.objects.count()
    saved = services.plan_item_save(
        actor=joint_office,
        instance=item,
        data={
            "description": item.description,
            "funding": [{"source": f.source, "amount": f.amount} for f in item.funding.all()],
        },
    )
    assert saved.version == 1
    assert ChangeRecord.objects.count() == before
    assert PlanItem.objects.get(pk=item.pk).version == 1
