"""The demo loader: what the issue asks to show, and nothing duplicated or overwritten on a rerun."""

import datetime

import pytest

from projects.conference import demo
from projects.conference.choices import ActionStatus, MeetingStatus, PlanStatus, ReviewStatus
from projects.conference.execution import plan_execution
from projects.conference.models import ActionItem, AnnualPlan, ExpertReview, Meeting
from projects.core.demo import load_users
from projects.restoration import demo as restoration_demo

pytestmark = pytest.mark.django_db


def test_demo_shows_meetings_plans_and_reviews_and_reruns_without_changes(django_capture_on_commit_callbacks):
    today = datetime.date(2026, 11, 29)
    load_users()
    restoration_demo.load(today=today)
    demo.load(today=today)

    held = Meeting.objects.exclude(status=MeetingStatus.PLANNED)
    assert held.count() == 3
    assert all(meeting.decisions.exists() for meeting in held)
    assert ActionItem.objects.filter(status=ActionStatus.OVERDUE).count() >= 1
    plan_2022 = AnnualPlan.objects.get(year=2022)
    assert plan_2022.status == PlanStatus.APPROVED
    execution = plan_execution(plan=plan_2022, as_of=datetime.date(2022, 12, 31))
    assert execution["items"] and execution["totals"]["actual_investment"] != "0.00"
    assert 0 < len(execution["behind"]) < len(execution["items"])
    assert AnnualPlan.objects.get(year=2023).status == PlanStatus.SUBMITTED
    assert ExpertReview.objects.filter(status=ReviewStatus.SUBMITTED).exists()
    waiting = ExpertReview.objects.get(expert__user__username="expert")
    assert waiting.status == ReviewStatus.REQUESTED  # for the demo expert to answer

    # Entered data is kept: an edited meeting place survives a rerun, and nothing is duplicated.
    Meeting.objects.filter(sequence_no=4).update(place="已修改")
    counts = (Meeting.objects.count(), ActionItem.objects.count(), ExpertReview.objects.count())
    demo.load(today=today)
    assert (Meeting.objects.count(), ActionItem.objects.count(), ExpertReview.objects.count()) == counts
    assert Meeting.objects.get(sequence_no=4).place == "已修改"
