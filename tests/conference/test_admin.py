"""The admin applies the same rules through the same services."""

import pytest
from django.urls import reverse

from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import Meeting
from projects.core.models import Province
from tests.conference.factories import (
    CQ,
    ActionItemFactory,
    AnnualPlanFactory,
    ExpertReviewFactory,
    MeetingFactory,
    PlanItemFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "meeting",
    "decision",
    "actionitem",
    "annualplan",
    "planitem",
    "expert",
    "expertreview",
    "reviewpack",
    "corridorplan",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_conference_page_opens_for_the_joint_office(client, joint_office, model):
    ActionItemFactory()
    PlanItemFactory()
    ExpertReviewFactory()
    client.force_login(joint_office)
    assert client.get(reverse(f"admin:conference_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:conference_{model}_add")).status_code in (200, 403)


def test_an_approved_plans_items_are_read_only_in_the_admin(client, sc_staff):
    item = PlanItemFactory(plan=AnnualPlanFactory(status=PlanStatus.APPROVED))
    client.force_login(sc_staff)
    page = client.get(reverse("admin:conference_planitem_change", args=[item.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_the_admin_moves_a_meeting_through_the_service_and_refuses_what_the_rules_refuse(client, joint_office):
    planned = MeetingFactory(status=MeetingStatus.PLANNED, date="2022-01-10")
    url = reverse("admin:conference_meeting_changelist")
    client.force_login(joint_office)
    form = {"action": "change_status", "_selected_action": [str(planned.pk)], "apply": "1", "comment": ""}
    refused = client.post(url, {**form, "to": "minutes_approved"}, follow=True)
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.PLANNED
    assert any(str(MeetingStatus.HELD.label) in str(message) for message in refused.context["messages"])
    client.post(url, {**form, "to": "held"}, follow=True)
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.HELD


def test_the_admin_refuses_a_host_out_of_turn(client, joint_office):
    first = MeetingFactory(sequence_no=1)
    client.force_login(joint_office)
    form = {
        "sequence_no": 2,
        "date": "2022-09-01",
        "host_province": str(first.host_province.pk),
        "place": "成都",
        "attendees": "[]",
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:conference_meeting_add"), form)
    assert response.status_code == 200  # the form again, with the error
    assert "轮流" in response.content.decode()
    assert Meeting.objects.count() == 1
    chongqing = Province.objects.get(code=CQ)
    accepted = client.post(reverse("admin:conference_meeting_add"), {**form, "host_province": str(chongqing.pk)})
    assert accepted.status_code == 302
    assert Meeting.objects.count() == 2
