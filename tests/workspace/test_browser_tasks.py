"""The everyday tasks in a real browser (headless Debian Chromium, Playwright): a Sichuan staff
member signs in and submits a report with a photo, Chongqing's staff accept it, the joint office
submits the annual plan to a planned meeting, and the language is switched. Any console error or
request to another host fails the test (see conftest.py); screenshots go to var/screenshots/."""

import base64
import datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

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


def on_my_work(url) -> bool:
    """For wait_for_url: the page is My work (a glob such as "**/" matches every page)."""
    return urlsplit(url).path == "/"


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
    page.wait_for_url(on_my_work)


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
    page.wait_for_url(on_my_work)
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
    # The photo, served only to those who may see the report, has loaded.
    expect(reviewer.locator(".thumbs img")).to_have_js_property("complete", True)
    assert reviewer.locator(".thumbs img").evaluate("img => img.naturalWidth") == 2
    screenshot(reviewer, "04-review")
    reviewer.get_by_role("button", name="通过").click()
    reviewer.wait_for_url(on_my_work)
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
    office.wait_for_url(on_my_work)
    plan = AnnualPlan.objects.get(pk=scene["plan"].pk)
    assert plan.status == PlanStatus.SUBMITTED and plan.meeting == scene["coming"]

    # The language switch: English, then back to Chinese.
    office.get_by_label("语言").select_option("en")
    # Under the tracker's CSP (no eval) a wait is a locator, not a string of script.
    office.locator("html[lang='en']").wait_for(state="attached")
    assert office.get_by_role("heading", level=1).inner_text() == "My work"
    screenshot(office, "06-my-work-english")
    office.get_by_label("Language").select_option("zh-hans")
    office.locator("html[lang='zh-Hans']").wait_for(state="attached")


def test_the_report_form_works_on_a_phone(scene, signed_in_page, screenshot):
    phone = signed_in_page(scene["sc"], mobile=True)
    phone.goto(f"/tasks/reports/new/?project={scene['project'].pk}&period=2025-02")
    phone.wait_for_selector("#id_narrative")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # A file dropped on the drop zone joins the chosen files, with a thumbnail.
    phone.evaluate(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["%PDF-1.4"], "验收报告.pdf", {type: "application/pdf"}));
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }"""
    )
    assert phone.locator("#id_files").evaluate("input => input.files.length") == 1
    assert "验收报告.pdf" in phone.locator("[data-thumbs]").inner_text()
    # A refusal comes back beside its field with what was typed kept.
    phone.get_by_label("本期完成的工作").fill("保留我写的内容")
    phone.get_by_label("工程完成比例").fill("百分之十")
    phone.get_by_role("button", name="提交审核").click()
    phone.wait_for_selector("#percent_complete-error")
    assert phone.get_by_label("本期完成的工作").input_value() == "保留我写的内容"
    screenshot(phone, "07-report-form-phone-refused")


def test_a_settlement_confirmed_and_an_action_updated_in_a_real_browser(signed_in_page, screenshot):
    from projects.compensation import services as compensation
    from tests.compensation.factories import AgreementFactory, SectionFactory, add_sample
    from tests.conference.factories import ActionItemFactory

    office = staff("office_settle", "joint-office", role=Role.JOINT_OFFICE)
    sichuan = staff("sc_settle", "sc-natural-resources")
    section = SectionFactory(name_zh="琼江跨界断面")
    agreement = AgreementFactory(sections=[section], name_zh="琼江流域横向生态保护补偿协议")
    add_sample(office, section, datetime.date(2023, 6, 1), nh3n="0.525")
    compensation.settlement_compute(
        instance=compensation.settlement_save(actor=office, data={"agreement": agreement, "period": "2023"})
    )
    ActionItemFactory(title="完成琼江岸线违建清理", responsible_organization=org("sc-natural-resources"))

    page = signed_in_page(sichuan)
    page.goto("/")
    page.get_by_role("link", name="确认“琼江流域横向生态保护补偿协议”2023 结算").click()
    assert "10,000,000.00" in page.locator(".amount").inner_text()
    assert page.locator("ol li").count() >= 2  # the steps in words
    screenshot(page, "08-settlement-confirm")
    page.get_by_role("button", name="确认结算结果").click()
    page.wait_for_load_state()
    assert not page.locator(".form-errors").count(), page.locator(".form-errors").inner_text()
    page.wait_for_url(on_my_work)
    assert "已代表" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="完成琼江岸线违建清理").click()
    page.get_by_label("已完成的工作").fill("已拆除违建 3 处，恢复岸线 0.4 公里。")
    page.get_by_role("button", name="提交进展").click()
    page.wait_for_selector(".messages")
    assert "已拆除违建 3 处" in page.locator(".task-list").inner_text()
    screenshot(page, "09-action-update")
