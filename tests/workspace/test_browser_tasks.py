"""The everyday tasks in a real browser (headless Debian Chromium, Playwright): a Sichuan staff
member signs in and submits a report with a photo, Chongqing's staff accept it, the joint office
submits the annual plan to a planned meeting, and the language is switched. Any console error or
request to another host fails the test (see conftest.py); screenshots go to var/screenshots/."""

import base64
import datetime

import pytest

from projects.conference.choices import MeetingStatus, PlanStatus
from projects.conference.models import AnnualPlan
from projects.core.choices import Role
from projects.restoration.choices import ReportStatus
from projects.restoration.models import Indicator, ProgressReport
from tests.conference.factories import AnnualPlanFactory, MeetingFactory, PlanItemFactory, ProjectFactory, org
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-browser-test-password"
# A 2×2 PNG: a photo as a phone would send it, only smaller.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNkaGBgYGBgYGBgYGBgAAAD7gBBo0vMFQAAAABJRU5ErkJggg=="
)
# The report task from My work to submitted: every click and every field filled (see below).
REPORT_TASK_STEPS = 8


class Steps:
    """Counts what a person does: each click and each field filled or file chosen."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        locator.click()
        self.count += 1

    def fill(self, locator, value):
        locator.fill(value)
        self.count += 1

    def choose_files(self, locator, files):
        locator.set_input_files(files)
        self.count += 1


def staff(username, organization, role=Role.PROVINCIAL_STAFF):
    user = UserFactory(username=username, role=role, organization=org(organization))
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def scene():
    """A Sichuan-led project with Chongqing as partner, under way since January 2025 and
    targeting shoreline restored; a 2027 plan with one item; a planned and a held meeting."""
    project = ProjectFactory(
        name_zh="嘉陵江岸线生态修复工程",
        name_en="Jialing shoreline restoration",
        partners=[org("cq-planning-natural-resources")],
        targets={"shoreline-restored": "10"},
        planned_start=datetime.date(2025, 1, 1),
    )
    plan = AnnualPlanFactory(year=2027, status=PlanStatus.DRAFT)
    PlanItemFactory(plan=plan, project=project)
    MeetingFactory(sequence_no=7, date=datetime.date(2023, 3, 18), status=MeetingStatus.HELD)
    coming = MeetingFactory(sequence_no=9, date=datetime.date(2027, 3, 20), status=MeetingStatus.PLANNED)
    return {
        "project": project,
        "plan": plan,
        "coming": coming,
        "sc": staff("sc_reporter", "sc-natural-resources"),
        "cq": staff("cq_reviewer", "cq-planning-natural-resources"),
        "office": staff("office", "joint-office", role=Role.JOINT_OFFICE),
    }


def sign_in(page, username):
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_report_review_and_plan_in_a_real_browser(scene, new_page, signed_in_page, screenshot, tmp_path):
    project = scene["project"]
    photo = tmp_path / "岸线现场.png"
    photo.write_bytes(PNG)

    # Sichuan's staff member signs in; My work lists the overdue months of the project.
    page = new_page()
    screenshot(page.goto("/") and page, "01-sign-in")
    sign_in(page, "sc_reporter")
    assert page.get_by_role("heading", level=1).inner_text() == "我的工作"
    screenshot(page, "02-my-work-sichuan")

    # The report task, counted from My work.
    steps = Steps(page)
    steps.click(page.get_by_role("link", name="填报“嘉陵江岸线生态修复工程”2025-01 的进展"))
    page.wait_for_selector("#id_narrative")
    assert page.locator("#id_period").input_value() == "2025-01"
    shoreline = Indicator.objects.get(code="shoreline-restored")
    steps.fill(page.get_by_label("工程完成比例"), "15")
    steps.fill(page.get_by_label("本期完成的工作"), "完成嘉陵江左岸 1.2 公里岸线清理与植被恢复。")
    steps.fill(page.locator(f"#id_value-{shoreline.pk}"), "1.2")
    steps.fill(page.get_by_label("中央财政资金"), "120")
    steps.fill(page.get_by_label("省级财政资金"), "30")
    steps.choose_files(page.get_by_label("添加照片或文件"), str(photo))
    assert page.locator("[data-thumbs] img").count() == 1  # the thumbnail before sending
    screenshot(page, "03-report-form")
    steps.click(page.get_by_role("button", name="提交审核"))
    page.wait_for_url("**/")
    assert "已提交审核" in page.locator(".messages").inner_text()
    print(f"report task: {steps.count} steps (clicks and fields filled)")
    assert steps.count == REPORT_TASK_STEPS

    report = ProgressReport.objects.get(project=project, period="2025-01")
    assert report.status == ReportStatus.SUBMITTED
    assert str(report.cumulative_investment) == "150.00"
    assert report.attachments.get().kind == "photo"

    # Chongqing's staff member reviews it beside the photo and accepts it.
    reviewer = signed_in_page(scene["cq"])
    reviewer.goto("/")
    reviewer.get_by_role("link", name="审核“嘉陵江岸线生态修复工程”2025-01 的报告").click()
    reviewer.wait_for_selector("#id_comment")
    assert reviewer.locator(".thumbs img").evaluate("img => img.naturalWidth") == 2
    screenshot(reviewer, "04-review")
    reviewer.get_by_role("button", name="通过").click()
    reviewer.wait_for_url("**/")
    assert "报告已通过" in reviewer.locator(".messages").inner_text()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == scene["cq"]

    # The joint office submits the 2027 plan to the coming meeting, the only one offered.
    office = signed_in_page(scene["office"])
    office.goto("/")
    office.get_by_role("link", name="将“2027年度实施计划”提交会议审议").click()
    options = office.locator("#id_meeting option").all_inner_texts()
    assert len(options) == 2 and "2027-03-20" in options[1]
    office.get_by_label("会议", exact=True).select_option(str(scene["coming"].pk))
    screenshot(office, "05-plan-submit")
    office.get_by_role("button", name="提交计划").click()
    office.wait_for_url("**/")
    plan = AnnualPlan.objects.get(pk=scene["plan"].pk)
    assert plan.status == PlanStatus.SUBMITTED and plan.meeting == scene["coming"]

    # The language switch: English, then back to Chinese.
    office.get_by_label("语言").select_option("en")
    office.wait_for_function("document.documentElement.lang === 'en'")
    assert office.get_by_role("heading", level=1).inner_text() == "My work"
    screenshot(office, "06-my-work-english")
    office.get_by_label("Language").select_option("zh-hans")
    office.wait_for_function("document.documentElement.lang === 'zh-Hans'")


def test_the_report_form_works_on_a_phone(scene, signed_in_page, screenshot):
    phone = signed_in_page(scene["sc"], mobile=True)
    phone.goto(f"/tasks/reports/new/?project={scene['project'].pk}&period=2025-02")
    phone.wait_for_selector("#id_narrative")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # A refusal comes back beside its field with what was typed kept.
    phone.get_by_label("本期完成的工作").fill("保留我写的内容")
    phone.get_by_label("工程完成比例").fill("百分之十")
    phone.get_by_role("button", name="提交审核").click()
    phone.wait_for_selector("#percent_complete-error")
    assert phone.get_by_label("本期完成的工作").input_value() == "保留我写的内容"
    screenshot(phone, "07-report-form-phone-refused")
