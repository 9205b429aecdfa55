"""The admin applies the same rules through the same services."""

import pytest
from django.urls import reverse

from projects.conference import services
from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import Meeting, ReviewPack
from projects.core.models import ChangeRecord, Province
from tests.conference import adminforms as forms
from tests.conference.factories import (
    CQ,
    ActionItemFactory,
    AnnualPlanFactory,
    ExpertFactory,
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


# --- every form and action through the services ----------------------------------------------


def test_every_conference_admin_declares_its_services_and_its_inlines_their_rows():
    from django.contrib import admin as django_admin

    from projects.core.admin_base import LogInline, TrackedAdmin, TrackedInline

    admins = {m: a for m, a in django_admin.site._registry.items() if m._meta.app_label == "conference"}
    assert admins
    for model, model_admin in admins.items():
        assert isinstance(model_admin, TrackedAdmin), model
        declared = type(model_admin).__dict__
        assert "save_service" in declared and "delete_service" in declared, model
        assert model_admin.delete_service is not None, model
        for inline in model_admin.inlines:
            assert issubclass(inline, (TrackedInline, LogInline)), inline
            if issubclass(inline, TrackedInline):
                assert inline.service_field, inline


@pytest.mark.parametrize("model", ["meeting", "actionitem", "annualplan", "expertreview", "reviewpack"])
def test_status_fields_are_read_only_in_the_forms(client, joint_office, model):
    record = {
        "meeting": MeetingFactory,
        "actionitem": ActionItemFactory,
        "annualplan": AnnualPlanFactory,
        "expertreview": ExpertReviewFactory,
        "reviewpack": lambda: ReviewPack.objects.create(meeting=MeetingFactory(), as_of="2022-12-31"),
    }[model]()
    client.force_login(joint_office)
    for url in (
        reverse(f"admin:conference_{model}_change", args=[record.pk]),
        reverse(f"admin:conference_{model}_add"),
    ):
        page = client.get(url)
        if page.status_code == 200:
            assert 'name="status"' not in page.content.decode()


def test_meeting_attendees_are_edited_as_rows_and_saved_through_the_service(client, joint_office):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, attendees=["张三"])
    client.force_login(joint_office)
    url = reverse("admin:conference_meeting_change", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert page.count('name="attendees"') >= 2  # the stored row and empty ones to add more
    assert 'value="张三"' in page and '<textarea name="attendees"' not in page

    form = forms.meeting_form(
        sequence_no=str(meeting.sequence_no),
        date="2022-03-18",
        place="成都",
        host_province=str(meeting.host_province_id),
        attendees=["张三", "李四", ""],
        loaded_version=str(meeting.version),
    )
    assert client.post(url, form).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.attendees, meeting.version) == (["张三", "李四"], 2)
    record = ChangeRecord.objects.get(object_id=str(meeting.pk))
    assert record.actor == joint_office and record.changed_fields == ["attendees"]


def test_the_submit_action_lets_the_user_choose_among_the_planned_meetings(client, joint_office):
    old = MeetingFactory(sequence_no=3, date="2023-02-24", status=MeetingStatus.HELD)
    closed = MeetingFactory(sequence_no=2, status=MeetingStatus.MINUTES_APPROVED)
    coming = MeetingFactory(sequence_no=8, date="2027-03-20", status=MeetingStatus.PLANNED)
    plan = AnnualPlanFactory(year=2027)
    PlanItemFactory(plan=plan)
    client.force_login(joint_office)
    url, data = forms.action("annualplan", "submit", [plan])
    page = client.post(url, {key: value for key, value in data.items() if key != "apply"}).content.decode()
    assert f'value="{coming.pk}"' in page
    assert f'value="{old.pk}"' not in page and f'value="{closed.pk}"' not in page

    client.post(url, {**data, "meeting": str(coming.pk), "comment": "提请审议"})
    plan.refresh_from_db()
    assert (plan.status, plan.meeting) == (PlanStatus.SUBMITTED, coming)
    assert plan.transitions.get().comment == "提请审议"


def test_a_returned_plan_goes_back_to_the_meeting_that_returned_it_with_comments_per_item(client, joint_office):
    meeting = MeetingFactory(status=MeetingStatus.HELD)
    plan = AnnualPlanFactory(status=PlanStatus.SUBMITTED, meeting=meeting)
    item = PlanItemFactory(plan=plan)
    client.force_login(joint_office)
    url, data = forms.action("annualplan", "return_for_rework", [plan])
    client.post(url, {**data, "item_comments": f"{item.project.code}：补充资金来源"})
    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED and item.review_comment == "补充资金来源"

    url, data = forms.action("annualplan", "submit", [plan])
    page = client.post(url, {key: value for key, value in data.items() if key != "apply"}).content.decode()
    assert f'value="{meeting.pk}"' in page  # the held meeting that returned it


def test_logs_show_to_every_role_the_rule_lets_read_them(client, sc_staff, joint_office):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED)
    plan = AnnualPlanFactory()
    PlanItemFactory(plan=plan)
    services.plan_transition(
        actor=joint_office, instance=plan, to=PlanStatus.SUBMITTED, meeting=meeting, comment="提请审议"
    )
    item = ActionItemFactory()
    services.action_item_report(actor=sc_staff, instance=item, text="已完成初稿")
    client.force_login(sc_staff)
    assert "提请审议" in client.get(reverse("admin:conference_annualplan_change", args=[plan.pk])).content.decode()
    assert "已完成初稿" in client.get(reverse("admin:conference_actionitem_change", args=[item.pk])).content.decode()


def test_an_admin_edit_of_a_plan_item_goes_through_the_service(client, sc_staff):
    item = PlanItemFactory()
    central = item.funding.get()
    client.force_login(sc_staff)
    form = forms.plan_item_form(item, description="年度任务")
    form.update(
        forms.inline(
            "funding", [{"id": central.pk, "item": item.pk, "source": central.source_id, "amount": "150"}], initial=1
        )
    )
    response = client.post(reverse("admin:conference_planitem_change", args=[item.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert (item.description, str(item.planned_investment), item.version) == ("年度任务", "150.00", 2)
    record = ChangeRecord.objects.get(object_id=str(item.pk))
    assert record.actor == sc_staff and {"description", "funding", "planned_investment"} <= set(record.changed_fields)


def test_delete_selected_goes_through_the_services_all_or_nothing(client, joint_office):
    planned, held = MeetingFactory(status=MeetingStatus.PLANNED), MeetingFactory(status=MeetingStatus.HELD)
    client.force_login(joint_office)
    url = reverse("admin:conference_meeting_changelist")
    data = {"action": "delete_selected", "_selected_action": [str(planned.pk), str(held.pk)], "post": "yes"}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert Meeting.objects.filter(pk__in=[planned.pk, held.pk]).count() == 2
    assert any(message.level_tag == "error" for message in response.context["messages"])

    member = ExpertFactory()
    ExpertReviewFactory(expert=member)
    data = {"action": "delete_selected", "_selected_action": [str(member.pk)], "post": "yes"}
    response = client.post(reverse("admin:conference_expert_changelist"), data, follow=True)
    assert response.status_code == 200  # still referenced by a review: refused with a message, not a 500
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_expert_writes_and_submits_an_opinion_in_the_admin(client, expert):
    review = ExpertReviewFactory(expert=ExpertFactory(user=expert))
    client.force_login(expert)
    url = reverse("admin:conference_expertreview_change", args=[review.pk])
    form = {"opinion": "同意", "recommendation": "approve", "score": "88", "loaded_version": str(review.version)}
    assert client.post(url, form).status_code == 302
    url, data = forms.action("expertreview", "submit", [review])
    client.post(url, data)
    review.refresh_from_db()
    assert (review.opinion, review.status) == ("同意", "submitted")


def test_a_meeting_added_in_the_admin_takes_the_next_number_and_host_like_through_the_api(client, joint_office):
    first = MeetingFactory(sequence_no=1)  # hosted by Sichuan
    client.force_login(joint_office)
    form = forms.meeting_form(date="2022-09-01", place="重庆", attendees=["张三"], host_province="")
    response = client.post(reverse("admin:conference_meeting_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Meeting.objects.exclude(pk=first.pk).get()
    assert (added.sequence_no, added.host_province.code, added.attendees) == (2, CQ, ["张三"])
    assert ChangeRecord.objects.get(object_id=str(added.pk)).action == "create"


def test_a_plan_is_submitted_from_its_page_to_a_meeting_chosen_among_the_planned(client, joint_office):
    held = MeetingFactory(sequence_no=3, date="2023-02-24", status=MeetingStatus.HELD)
    coming = MeetingFactory(sequence_no=8, date="2027-03-20", status=MeetingStatus.PLANNED)
    plan = AnnualPlanFactory(year=2027)
    PlanItemFactory(plan=plan)
    client.force_login(joint_office)
    page = client.get(reverse("admin:conference_annualplan_change", args=[plan.pk])).content.decode()
    status_form = page.split('id="status-change"', 1)[1].split("</section>", 1)[0]
    assert 'value="submitted"' in status_form and f'value="{coming.pk}"' in status_form
    assert f'value="{held.pk}"' not in status_form

    url = reverse("admin:conference_annualplan_transition", args=[plan.pk])
    refused = client.post(url, {"to": "submitted", "comment": "提请审议", "loaded_version": plan.version})
    assert refused.status_code == 200 and "提请审议" in refused.content.decode()  # no meeting chosen: kept
    client.post(url, {"to": "submitted", "comment": "提请审议", "meeting": coming.pk, "loaded_version": plan.version})
    plan.refresh_from_db()
    assert (plan.status, plan.meeting) == (PlanStatus.SUBMITTED, coming)


@pytest.mark.parametrize("face", ["api", "admin"])
def test_a_plan_goes_only_to_a_coming_meeting_of_its_year_in_the_api_and_the_admin(
    client, client_for, joint_office, face
):
    held = MeetingFactory(sequence_no=3, date="2023-02-24", status=MeetingStatus.HELD)
    other_year = MeetingFactory(sequence_no=4, date="2023-09-20", status=MeetingStatus.PLANNED)
    coming = MeetingFactory(sequence_no=5, date="2027-03-20", status=MeetingStatus.PLANNED)
    plan = AnnualPlanFactory(year=2027)
    PlanItemFactory(plan=plan)
    client.force_login(joint_office)
    if face == "admin":
        url, data = forms.action("annualplan", "submit", [plan])
        page = client.post(url, {key: value for key, value in data.items() if key != "apply"}).content.decode()
        assert f'value="{coming.pk}"' in page
        assert f'value="{held.pk}"' not in page and f'value="{other_year.pk}"' not in page

    for meeting in (held, other_year):
        if face == "api":
            response = client_for(joint_office).post(
                f"/api/v1/annual-plans/{plan.pk}/transition/", {"to": "submitted", "meeting": str(meeting.pk)}
            )
            assert response.status_code in (400, 409)
        else:
            client.post(url, {**data, "meeting": str(meeting.pk), "comment": ""})
        plan.refresh_from_db()
        assert (plan.status, plan.meeting) == (PlanStatus.DRAFT, None)


def test_a_plan_items_targets_offer_only_the_indicators_its_project_targets(client, sc_staff):
    import re

    from projects.restoration.models import Indicator, IndicatorTarget

    item = PlanItemFactory()
    restored = Indicator.objects.get(code="restored-area")
    IndicatorTarget.objects.get_or_create(project=item.project, indicator=restored, defaults={"target_value": 100})
    client.force_login(sc_staff)
    page = client.get(reverse("admin:conference_planitem_change", args=[item.pk])).content.decode()
    select = re.search(r'<select name="targets-__prefix__-indicator".*?</select>', page, re.S).group(0)
    assert set(re.findall(r'<option value="([^"]+)"', select)) == {str(restored.pk)}
