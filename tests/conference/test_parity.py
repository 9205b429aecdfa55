"""One rule, every face: each rule of the joint conference refused through the API is refused in the
admin too, and neither attempt saves anything or writes any history.

| rule | API | admin |
|---|---|---|
| a follow-up action due before its meeting | 400 | the form again, with the error |
| a decision moved to another meeting | 400 | the form again, with the error |
| a milestone outside the plan's year | 400 | the form again, with the error |
| a target on an indicator the project does not target | 400 | the form again, with the error |
| an item moved to another plan | 400 | the form again, with the error |
| the host out of turn | 400 | the form again, with the error |
| a review asked of an expert out of term | 400 | the form again, with the error |
| an amendment without a reason | 400 | an error message, nothing changed |
| a decision recorded for a meeting not held | 409 | the form again, with the error |
| editing an approved plan's item | 409 | 403 (the form is read-only) |
| changing a meeting whose minutes are approved | 409 | 403 (the form is read-only) |
| marking an action overdue by hand | 409 | not offered (the action's form refuses the choice) |
| a plan submitted to a meeting whose minutes are approved | 409 | not offered (the action's form refuses the meeting) |
| approving a plan whose meeting was not held | 409 | an error message, nothing changed |
| Chongqing staff drafting a Sichuan item | 403 | the form again, with the error |
| provincial staff dropping a follow-up action | 403 | an error message, nothing changed |
| the joint office writing an expert's opinion | 403 | 403 (the form is read-only) |
| a write against an outdated version | 412 | the form again, with the error |
"""

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from projects.conference import services
from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import ActionItem, Decision, ExpertReview, Meeting, PlanItem
from projects.core.models import ChangeRecord
from tests.conference import adminforms as forms
from tests.conference.factories import (
    SC,
    ActionItemFactory,
    AnnualPlanFactory,
    DecisionFactory,
    ExpertFactory,
    ExpertReviewFactory,
    MeetingFactory,
    PlanItemFactory,
    ProjectFactory,
    indicator,
    org,
    province,
)

pytestmark = pytest.mark.django_db

FORM, FORBIDDEN, MESSAGE, NOT_OFFERED = "form", "forbidden", "message", "not offered"


@dataclass
class Rule:
    name: str
    actor: str
    setup: Callable[[dict], dict]
    api: Callable[[dict, object], object]
    api_status: int
    admin: Callable[[dict, object], object]
    admin_answer: str
    says: str  # in the API's answer, and in the admin's unless it says otherwise
    admin_says: str | None = None


def _item_payload(ctx, **extra):
    return {"plan": str(ctx["plan"].pk), "project": str(ctx["project"].pk), "province": SC, **extra}


def _admin_item(ctx, **rows):
    return forms.plan_item_form(
        plan=str(ctx["plan"].pk), project=str(ctx["project"].pk), province=str(province(SC).pk), **rows
    )


def _new_item(people):
    return {"plan": AnnualPlanFactory(year=2022), "project": ProjectFactory()}


def _open_action(people):
    return {"item": ActionItemFactory(due_date=timezone.localdate() + datetime.timedelta(days=30))}


def _submitted_to_planned_meeting(people):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED)
    plan = AnnualPlanFactory(status=PlanStatus.SUBMITTED, meeting=meeting)
    PlanItemFactory(plan=plan)
    return {"plan": plan}


def _plan_and_closed_meeting(people):
    plan = AnnualPlanFactory()
    PlanItemFactory(plan=plan)
    return {"plan": plan, "meeting": MeetingFactory(status=MeetingStatus.MINUTES_APPROVED)}


def _outdated_item(people):
    item = PlanItemFactory()
    read_at = item.version
    services.plan_item_save(actor=people["joint_office"], instance=item, data={"description": "另一人先改了"})
    return {"item": item, "read_at": read_at}


RULES = [
    Rule(
        "a follow-up action due before its meeting",
        "joint_office",
        lambda p: {"decision": DecisionFactory(meeting__date=datetime.date(2022, 3, 18))},
        lambda ctx, api: api.post(
            "/api/v1/action-items/",
            {
                "decision": str(ctx["decision"].pk),
                "title": "建立监测",
                "responsible_organization": "cq-ecology-environment",
                "due_date": "2022-01-01",
            },
            format="json",
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.add_url(ActionItem),
            forms.action_item_form(
                decision=str(ctx["decision"].pk),
                responsible_organization=str(org("cq-ecology-environment").pk),
                due_date="2022-01-01",
            ),
        ),
        FORM,
        "The due date cannot be before the meeting.",
    ),
    Rule(
        "a decision moved to another meeting",
        "joint_office",
        lambda p: {"decision": DecisionFactory(), "other": MeetingFactory()},
        lambda ctx, api: api.patch(
            f"/api/v1/decisions/{ctx['decision'].pk}/", {"meeting": str(ctx["other"].pk)}, format="json"
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["decision"]), forms.decision_form(ctx["decision"], meeting=str(ctx["other"].pk))
        ),
        FORM,
        "A decision stays with the meeting that made it.",
    ),
    Rule(
        "a milestone outside the plan's year",
        "sc_staff",
        _new_item,
        lambda ctx, api: api.post(
            "/api/v1/plan-items/",
            _item_payload(ctx, milestones=[{"title": "明年的事", "due_date": "2030-01-01"}]),
            format="json",
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.add_url(PlanItem),
            _admin_item(ctx, milestones=[{"title": "明年的事", "due_date": "2030-01-01", "done_on": ""}]),
        ),
        FORM,
        "Milestones fall in the plan's year",
    ),
    Rule(
        "a target on an indicator the project does not target",
        "sc_staff",
        _new_item,
        lambda ctx, api: api.post(
            "/api/v1/plan-items/",
            _item_payload(ctx, targets=[{"indicator": "shoreline-restored", "target_value": "3"}]),
            format="json",
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.add_url(PlanItem),
            _admin_item(ctx, targets=[{"indicator": indicator("shoreline-restored").pk, "target_value": "3"}]),
        ),
        FORM,
        "Not an indicator of the project's targets",
    ),
    Rule(
        "an item moved to another plan",
        "sc_staff",
        lambda p: {"item": PlanItemFactory(plan=AnnualPlanFactory(year=2022)), "other": AnnualPlanFactory(year=2023)},
        lambda ctx, api: api.patch(
            f"/api/v1/plan-items/{ctx['item'].pk}/", {"plan": str(ctx["other"].pk)}, format="json"
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["item"]), forms.plan_item_form(ctx["item"], plan=str(ctx["other"].pk))
        ),
        FORM,
        "An item stays in its plan.",
    ),
    Rule(
        "the host out of turn",
        "joint_office",
        lambda p: {"first": MeetingFactory(sequence_no=1)},  # hosted by Sichuan
        lambda ctx, api: api.post(
            "/api/v1/meetings/", {"date": "2022-09-01", "place": "成都", "host_province": SC}, format="json"
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.add_url(Meeting),
            forms.meeting_form(sequence_no="2", date="2022-09-01", place="成都", host_province=str(province(SC).pk)),
        ),
        FORM,
        "Sichuan and Chongqing host in turn",
    ),
    Rule(
        "a review asked of an expert out of term",
        "joint_office",
        lambda p: {
            "expert": ExpertFactory(term_start=datetime.date(2018, 1, 1), term_end=datetime.date(2020, 12, 31)),
            "plan": AnnualPlanFactory(),
        },
        lambda ctx, api: api.post(
            "/api/v1/expert-reviews/", {"expert": str(ctx["expert"].pk), "plan": str(ctx["plan"].pk)}, format="json"
        ),
        400,
        lambda ctx, admin: admin.post(
            forms.add_url(ExpertReview),
            {"expert": str(ctx["expert"].pk), "plan": str(ctx["plan"].pk), "question": "", "due_date": ""},
        ),
        FORM,
        "The expert's term on the committee is not current.",
    ),
    Rule(
        "an amendment without a reason",
        "joint_office",
        lambda p: {"plan": AnnualPlanFactory(status=PlanStatus.APPROVED, meeting=MeetingFactory())},
        lambda ctx, api: api.post(f"/api/v1/annual-plans/{ctx['plan'].pk}/transition/", {"to": "draft"}),
        400,
        lambda ctx, admin: admin.post(*forms.action("annualplan", "amend", [ctx["plan"]], reason=""), follow=True),
        MESSAGE,
        "Say why the approved plan needs to change.",
    ),
    Rule(
        "a decision recorded for a meeting not held",
        "joint_office",
        lambda p: {"meeting": MeetingFactory(status=MeetingStatus.PLANNED)},
        lambda ctx, api: api.post(
            "/api/v1/decisions/", {"meeting": str(ctx["meeting"].pk), "title": "决议"}, format="json"
        ),
        409,
        lambda ctx, admin: admin.post(
            forms.add_url(Decision), {"meeting": str(ctx["meeting"].pk), "number": "1", "title": "决议", "text": ""}
        ),
        FORM,
        "Decisions are recorded for a meeting that has been held",
    ),
    Rule(
        "editing an approved plan's item",
        "sc_staff",
        lambda p: {"item": PlanItemFactory(plan=AnnualPlanFactory(status=PlanStatus.APPROVED))},
        lambda ctx, api: api.patch(f"/api/v1/plan-items/{ctx['item'].pk}/", {"description": "改"}, format="json"),
        409,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["item"]), forms.plan_item_form(ctx["item"], description="改")
        ),
        FORBIDDEN,
        "The plan is not open for drafting",
    ),
    Rule(
        "changing a meeting whose minutes are approved",
        "joint_office",
        lambda p: {"meeting": MeetingFactory(status=MeetingStatus.MINUTES_APPROVED, minutes="纪要")},
        lambda ctx, api: api.patch(f"/api/v1/meetings/{ctx['meeting'].pk}/", {"minutes": "改写"}, format="json"),
        409,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["meeting"]),
            forms.meeting_form(
                sequence_no=str(ctx["meeting"].sequence_no),
                date="2022-03-18",
                place="成都",
                host_province=str(ctx["meeting"].host_province_id),
                minutes="改写",
            ),
        ),
        FORBIDDEN,
        "The minutes of this meeting are approved",
    ),
    Rule(
        "marking an action overdue by hand",
        "joint_office",
        _open_action,
        lambda ctx, api: api.post(f"/api/v1/action-items/{ctx['item'].pk}/transition/", {"to": "overdue"}),
        409,
        lambda ctx, admin: admin.post(*forms.action("actionitem", "change_status", [ctx["item"]], to="overdue")),
        NOT_OFFERED,
        "Actions become overdue by themselves",
        "Select a valid choice",
    ),
    Rule(
        "a plan submitted to a meeting whose minutes are approved",
        "joint_office",
        _plan_and_closed_meeting,
        lambda ctx, api: api.post(
            f"/api/v1/annual-plans/{ctx['plan'].pk}/transition/",
            {"to": "submitted", "meeting": str(ctx["meeting"].pk)},
        ),
        409,
        lambda ctx, admin: admin.post(
            *forms.action("annualplan", "submit", [ctx["plan"]], meeting=str(ctx["meeting"].pk))
        ),
        NOT_OFFERED,
        "The minutes of that meeting are approved already",
        "Select a valid choice",
    ),
    Rule(
        "approving a plan whose meeting was not held",
        "joint_office",
        _submitted_to_planned_meeting,
        lambda ctx, api: api.post(f"/api/v1/annual-plans/{ctx['plan'].pk}/transition/", {"to": "approved"}),
        409,
        lambda ctx, admin: admin.post(*forms.action("annualplan", "approve", [ctx["plan"]]), follow=True),
        MESSAGE,
        "has not been held yet",
    ),
    Rule(
        "Chongqing staff drafting a Sichuan item",
        "cq_staff",
        _new_item,
        lambda ctx, api: api.post("/api/v1/plan-items/", _item_payload(ctx), format="json"),
        403,
        lambda ctx, admin: admin.post(forms.add_url(PlanItem), _admin_item(ctx)),
        FORM,
        "You are not allowed to add this record.",
    ),
    Rule(
        "provincial staff dropping a follow-up action",
        "sc_staff",
        _open_action,
        lambda ctx, api: api.post(f"/api/v1/action-items/{ctx['item'].pk}/transition/", {"to": "dropped"}),
        403,
        lambda ctx, admin: admin.post(
            *forms.action("actionitem", "change_status", [ctx["item"]], to="dropped"), follow=True
        ),
        MESSAGE,
        "You are not allowed to drop this record.",
    ),
    Rule(
        "the joint office writing an expert's opinion",
        "joint_office",
        lambda p: {"review": ExpertReviewFactory(expert=ExpertFactory(user=p["expert"]))},
        lambda ctx, api: api.patch(f"/api/v1/expert-reviews/{ctx['review'].pk}/", {"opinion": "代写"}, format="json"),
        403,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["review"]), {"opinion": "代写", "recommendation": "", "score": ""}
        ),
        FORBIDDEN,
        "You do not have permission to perform this action.",
    ),
    Rule(
        "a write against an outdated version",
        "sc_staff",
        _outdated_item,
        lambda ctx, api: api.patch(
            f"/api/v1/plan-items/{ctx['item'].pk}/",
            {"description": "我的修改"},
            format="json",
            HTTP_IF_MATCH=f'"{ctx["read_at"]}"',
        ),
        412,
        lambda ctx, admin: admin.post(
            forms.change_url(ctx["item"]),
            forms.plan_item_form(ctx["item"], description="我的修改", loaded_version=str(ctx["read_at"])),
        ),
        FORM,
        "The record has changed since you read it",
    ),
]
IDS = [rule.name for rule in RULES]


def _state() -> dict:
    """Every conference record with its version (or the number of log rows), and the history's size."""
    state = {"history": ChangeRecord.objects.count()}
    for model in apps.get_app_config("conference").get_models():
        rows = model.objects.all()
        if any(field.name == "version" for field in model._meta.fields):
            state[model.__name__] = sorted((str(pk), version) for pk, version in rows.values_list("pk", "version"))
        else:
            state[model.__name__] = rows.count()
    return state


def _check_admin_answer(response, rule: Rule) -> None:
    content = html.unescape(response.content.decode())
    says = rule.admin_says or rule.says
    if rule.admin_answer == FORBIDDEN:
        assert response.status_code == 403
    elif rule.admin_answer in (FORM, NOT_OFFERED):
        assert response.status_code == 200, response.status_code
        assert "errorlist" in content and says in content, content[:3000]
    elif rule.admin_answer == MESSAGE:
        messages = [(message.level_tag, str(message)) for message in response.context["messages"]]
        assert response.status_code == 200
        assert any(level == "error" and says in text for level, text in messages), messages


@pytest.fixture
def in_english(client):
    # The refusals are compared by their English text (the API honours Accept-Language, the admin the cookie).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_api_refuses(personas, client_for, in_english, rule):
    ctx = rule.setup(personas)
    api = client_for(personas[rule.actor])
    api.credentials(**in_english)
    before = _state()
    response = rule.api(ctx, api)
    assert response.status_code == rule.api_status, response.content.decode()[:1000]
    assert rule.says in response.content.decode(), response.content.decode()[:1000]
    assert _state() == before  # nothing saved, no history


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_admin_refuses(personas, client, in_english, rule):
    ctx = rule.setup(personas)
    client.force_login(personas[rule.actor])
    before = _state()
    response = rule.admin(ctx, client)
    _check_admin_answer(response, rule)
    assert _state() == before  # nothing saved, no history
