"""The workspace's task pages through Django's test client: what each persona is offered, what
the services accept, and refusals shown beside the fields with what was typed kept."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.compensation import services as compensation
from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import ActionUpdate
from projects.restoration.choices import ReportStatus
from projects.restoration.models import Indicator, ProgressReport
from tests.compensation.factories import AgreementFactory, SectionFactory, add_sample
from tests.conference.factories import (
    ActionItemFactory,
    AnnualPlanFactory,
    MeetingFactory,
    PlanItemFactory,
    ProjectFactory,
    org,
)

pytestmark = pytest.mark.django_db
# Session and user, then one query per list on My work (see projects/workspace/waiting.py).
MY_WORK_QUERIES = 12

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def signed_in(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def shared_project():
    """A Sichuan-led project with Chongqing as partner, targeting restored area and shoreline."""
    return ProjectFactory(
        partners=[org("cq-planning-natural-resources")],
        targets={"restored-area": "100", "shoreline-restored": "10"},
        planned_start=datetime.date(2025, 1, 1),
    )


def report_form(project, **overrides):
    shoreline = Indicator.objects.get(code="shoreline-restored")
    data = {
        "project": str(project.pk),
        "period": "2026-09",
        "narrative": "完成河岸带植被恢复",
        "percent_complete": "35",
        "cumulative_investment": "",
        f"value-{shoreline.pk}": "12.5",
    }
    from projects.restoration.models import FundingSource

    central = FundingSource.objects.get(code="central")
    data[f"investment-{central.pk}"] = "300"
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_the_workspace_sign_in():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_work_lists_what_waits_for_a_sichuan_staff_member(sc_staff, cq_staff, shared_project):
    submitted_by_cq = ProgressReport.objects.create(
        project=shared_project,
        period="2025-01",
        narrative="x",
        percent_complete=Decimal("5"),
        cumulative_investment=Decimal("10"),
        status=ReportStatus.SUBMITTED,
        reported_by=cq_staff,
    )
    ActionItemFactory(title="整改岸线侵占", responsible_organization=org("sc-natural-resources"))
    ActionItemFactory(title="别人的督办", responsible_organization=org("cq-planning-natural-resources"))
    page = signed_in(sc_staff).get("/").content.decode()
    assert "整改岸线侵占" in page and "别人的督办" not in page
    assert reverse("workspace:report-review", args=[submitted_by_cq.pk]) in page
    # Overdue months of the organization's project, each one click from its report form.
    assert f"{reverse('workspace:report-new')}?project={shared_project.pk}&amp;period=2025-02" in page
    assert "期已逾期" in page
    # Chongqing reported it: Chongqing does not review its own report.
    cq_page = signed_in(cq_staff).get("/").content.decode()
    assert reverse("workspace:report-review", args=[submitted_by_cq.pk]) not in cq_page


def test_my_work_answers_at_a_fixed_number_of_queries(sc_staff, cq_staff):
    """Reports due, to review and actions: the same queries for one row of each as for four."""

    def add_rows():
        project = ProjectFactory(
            partners=[org("cq-planning-natural-resources")], planned_start=datetime.date(2025, 1, 1)
        )
        ProgressReport.objects.create(
            project=project,
            period="2025-01",
            narrative="x",
            percent_complete=Decimal("5"),
            cumulative_investment=Decimal("10"),
            status=ReportStatus.SUBMITTED,
            reported_by=cq_staff,
        )
        ActionItemFactory(responsible_organization=org("sc-natural-resources"))

    add_rows()
    client = signed_in(sc_staff)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    for _ in range(3):
        add_rows()
    with CaptureQueriesContext(connection) as four:
        page = client.get("/").content.decode()
    assert page.count("/review/") == 4
    assert len(four) == len(one) == MY_WORK_QUERIES, [query["sql"] for query in four.captured_queries]


def test_the_report_form_offers_only_projects_the_user_may_report_on(sc_staff, shared_project):
    guizhou_only = ProjectFactory(lead_organization=org("gz-natural-resources"), code="GZ-2024-0001")
    page = signed_in(sc_staff).get(reverse("workspace:report-new")).content.decode()
    assert shared_project.name_zh in page and guizhou_only.name_zh not in page
    # Picking another's project by hand is a message, not a 403 page.
    response = signed_in(sc_staff, "en").get(reverse("workspace:report-new"), {"project": guizhou_only.pk})
    assert response.status_code == 200 and "You cannot report on that project" in response.content.decode()


def test_the_report_form_shows_exactly_the_targeted_indicators(sc_staff, shared_project):
    """Restored area is derived: its four components are asked for, never the derived figure."""
    page = signed_in(sc_staff, "en").get(reverse("workspace:report-new"), {"project": shared_project.pk})
    html = page.content.decode()
    derived = Indicator.objects.get(code="restored-area")
    asked = [*derived.components.all(), Indicator.objects.get(code="shoreline-restored")]
    assert all(f'name="value-{indicator.pk}"' in html for indicator in asked)
    assert f'name="value-{derived.pk}"' not in html
    assert html.count('name="value-') == len(asked) == 5


def test_a_report_is_submitted_with_a_photo_in_one_request(sc_staff, shared_project):
    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    response = signed_in(sc_staff).post(
        reverse("workspace:report-new"), {**report_form(shared_project), "submit": "1", "files": [photo]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = ProgressReport.objects.get(project=shared_project, period="2026-09")
    assert report.status == ReportStatus.SUBMITTED
    assert report.cumulative_investment == Decimal("300")
    assert report.attachments.get().kind == "photo"
    assert report.values.get().value == Decimal("12.5")


def test_a_refused_report_keeps_what_was_typed_and_says_why_beside_the_field(sc_staff, shared_project):
    response = signed_in(sc_staff).post(
        reverse("workspace:report-new"), report_form(shared_project, period="2026-13", narrative="保留的文字")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="period-error"' in html and "保留的文字" in html and 'value="2026-13"' in html
    assert not ProgressReport.objects.exists()


def test_a_bad_number_is_refused_beside_its_field(sc_staff, shared_project):
    response = signed_in(sc_staff, "en").post(
        reverse("workspace:report-new"), report_form(shared_project, percent_complete="abc")
    )
    assert response.status_code == 400
    assert 'id="percent_complete-error"' in response.content.decode()


def test_chongqing_accepts_a_report_sichuan_submitted(sc_staff, cq_staff, shared_project):
    signed_in(sc_staff).post(reverse("workspace:report-new"), {**report_form(shared_project), "submit": "1"})
    report = ProgressReport.objects.get()
    page = signed_in(cq_staff).get(reverse("workspace:report-review", args=[report.pk]))
    assert 'value="accept"' in page.content.decode()
    assert 'id="compare-heading"' in page.content.decode()
    response = signed_in(cq_staff).post(
        reverse("workspace:report-review", args=[report.pk]), {"decision": "accept", "version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == cq_staff


def test_returning_without_a_comment_is_refused_beside_the_comment(sc_staff, cq_staff, shared_project):
    signed_in(sc_staff).post(reverse("workspace:report-new"), {**report_form(shared_project), "submit": "1"})
    report = ProgressReport.objects.get()
    response = signed_in(cq_staff).post(reverse("workspace:report-review", args=[report.pk]), {"decision": "return"})
    assert response.status_code == 400
    assert 'id="comment-error"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_reporter_is_not_offered_a_review_of_their_own_report(sc_staff, shared_project):
    signed_in(sc_staff).post(reverse("workspace:report-new"), {**report_form(shared_project), "submit": "1"})
    report = ProgressReport.objects.get()
    page = signed_in(sc_staff).get(reverse("workspace:report-review", args=[report.pk])).content.decode()
    assert 'name="decision"' not in page
    # Posting anyway is a message on the page, not a 403 page.
    response = signed_in(sc_staff).post(reverse("workspace:report-review", args=[report.pk]), {"decision": "accept"})
    assert response.status_code == 400 and "form-errors" in response.content.decode()


def test_the_joint_office_submits_a_plan_to_a_planned_meeting_only(joint_office):
    plan = AnnualPlanFactory(year=2027)
    PlanItemFactory(plan=plan)
    held = MeetingFactory(date=datetime.date(2023, 3, 1), status=MeetingStatus.HELD)
    coming = MeetingFactory(date=datetime.date(2027, 3, 1), status=MeetingStatus.PLANNED)
    too_late = MeetingFactory(date=datetime.date(2030, 3, 1), status=MeetingStatus.PLANNED)
    url = reverse("workspace:plan-submit", args=[plan.pk])
    page = signed_in(joint_office).get(url).content.decode()
    assert f'value="{coming.pk}"' in page
    assert f'value="{held.pk}"' not in page and f'value="{too_late.pk}"' not in page
    refused = signed_in(joint_office).post(url, {"meeting": str(held.pk)})
    assert refused.status_code == 400 and 'id="meeting-error"' in refused.content.decode()
    assert signed_in(joint_office).post(url, {"meeting": str(coming.pk)}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.meeting == coming


def test_a_settlement_is_confirmed_after_seeing_its_steps_payer_and_amount(sc_staff, joint_office):
    section = SectionFactory()
    agreement = AgreementFactory(sections=[section])
    add_sample(joint_office, section, datetime.date(2023, 6, 1), nh3n="0.525")
    settlement = compensation.settlement_compute(
        instance=compensation.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    url = reverse("workspace:settlement-confirm", args=[settlement.pk])
    assert url in signed_in(sc_staff).get("/").content.decode()
    html = signed_in(sc_staff).get(url).content.decode()
    assert "10,000,000.00" in html and "四川" in html and "<ol>" in html
    assert signed_in(sc_staff).post(url, {"version": settlement.version}).status_code == 302
    settlement.refresh_from_db()
    assert settlement.upstream_confirmed_by == sc_staff


def test_the_responsible_organization_adds_an_update_to_its_action(sc_staff, cq_staff):
    item = ActionItemFactory(responsible_organization=org("sc-natural-resources"))
    url = reverse("workspace:action-update", args=[item.pk])
    empty = signed_in(sc_staff).post(url, {"text": "  "})
    assert empty.status_code == 400 and 'id="text-error"' in empty.content.decode()
    assert signed_in(sc_staff).post(url, {"text": "已完成清理"}).status_code == 302
    assert ActionUpdate.objects.get(action_item=item).text == "已完成清理"
    assert 'name="text"' not in signed_in(cq_staff).get(url).content.decode()


def test_pages_show_names_never_ids_or_codes(sc_staff, shared_project):
    html = signed_in(sc_staff).get(reverse("workspace:report-new"), {"project": shared_project.pk}).content.decode()
    assert "restored-area" not in html
    assert shared_project.code not in html


def test_the_review_shows_what_fell_since_the_last_accepted_report(sc_staff, cq_staff, shared_project):
    ProgressReport.objects.create(
        project=shared_project,
        period="2026-08",
        narrative="上月",
        percent_complete=Decimal("40"),
        cumulative_investment=Decimal("500"),
        status=ReportStatus.ACCEPTED,
        reported_by=sc_staff,
    )
    form = report_form(shared_project, percent_complete="30", correction_reason="上月比例填错")
    signed_in(sc_staff).post(reverse("workspace:report-new"), {**form, "submit": "1"})
    report = ProgressReport.objects.get(period="2026-09")
    html = signed_in(cq_staff, "en").get(reverse("workspace:report-review", args=[report.pk])).content.decode()
    assert "Compared with the accepted report for 2026-08." in html
    assert html.count('class="fell"') == 2  # the share done and the investment
    assert "上月比例填错" in html


def test_another_province_opening_a_draft_reads_it_instead(sc_staff, gz_staff, shared_project):
    signed_in(sc_staff).post(reverse("workspace:report-new"), {**report_form(shared_project), "save": "1"})
    report = ProgressReport.objects.get()
    assert report.status == ReportStatus.DRAFT
    response = signed_in(gz_staff).get(reverse("workspace:report-edit", args=[report.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:report-review", args=[report.pk])


def test_a_missing_page_is_a_workspace_page_in_the_users_language(sc_staff, settings):
    settings.DEBUG = False
    response = signed_in(sc_staff, "en").get("/tasks/reports/00000000-0000-0000-0000-000000000000/review/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "Back to My work" in response.content.decode()


def test_an_english_speaking_party_confirms_the_figures_computed_in_chinese(cq_staff, joint_office):
    """The inputs' digest holds the parties' names: gathered in the reader's language, an English
    reader's copy never matched the stored one and every confirmation was refused."""
    section = SectionFactory()
    agreement = AgreementFactory(sections=[section])
    add_sample(joint_office, section, datetime.date(2023, 6, 1), nh3n="0.525")
    settlement = compensation.settlement_compute(
        instance=compensation.settlement_save(actor=joint_office, data={"agreement": agreement, "period": "2023"})
    )
    url = reverse("workspace:settlement-confirm", args=[settlement.pk])
    assert signed_in(cq_staff, "en").post(url, {"version": settlement.version}).status_code == 302
    settlement.refresh_from_db()
    assert settlement.downstream_confirmed_by == cq_staff
