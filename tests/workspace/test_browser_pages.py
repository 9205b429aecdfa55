"""The figure pages in a real browser (Debian's Chromium through Playwright): each page as staff on
the demo data, a map filter that lands in the URL, the language switch; any console error or
request to another host fails the test (tests/workspace/conftest.py). Screenshots: var/screenshots/."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.conference.models import AnnualPlan
from projects.core.choices import Role
from projects.core.models import Organization
from projects.restoration.models import Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_reference", verbosity=0)
    settings.DEBUG = True  # load_demo refuses to run in production
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def _charts_drawn(page, count):
    # Locators, not wait_for_function: evaluating a string is what the Content-Security-Policy forbids.
    expect(page.locator(".chart svg").nth(count - 1)).to_be_attached()


def test_staff_see_the_figure_pages_filter_the_map_and_switch_language(demo, signed_in_page, screenshot):
    staff = UserFactory(
        username="sc_figures",
        role=Role.PROVINCIAL_STAFF,
        organization=Organization.objects.get(slug="sc-natural-resources"),
    )
    page = signed_in_page(staff)

    page.goto("/figures/")
    assert page.get_by_role("heading", level=1).inner_text() == "总览"
    _charts_drawn(page, 5)
    assert page.get_by_role("table", name="各廊道数据：项目与投资").get_by_role("link", name="嘉陵江").is_visible()
    screenshot(page, "figures-overview-zh")

    page.goto("/figures/map/")
    page.wait_for_selector("#map-projects li")
    page.get_by_label("行政区划").uncheck()  # a layer switched off and on again draws without an error
    page.get_by_label("行政区划").check()
    screenshot(page, "figures-map-zh")
    page.wait_for_load_state("networkidle")
    page.get_by_label("廊道", exact=True).select_option("jialing")
    page.wait_for_url(re.compile(r"corridor=jialing"))
    listed = page.locator("#map-projects li")
    expect(listed.filter(has_not_text="嘉陵江")).to_have_count(0)
    expect(listed.first).to_be_visible()
    page.locator("#map-projects button").first.click()
    card = page.locator("#project-card")
    card.get_by_role("link", name="打开项目页面").wait_for()
    screenshot(page, "figures-map-filtered-zh")
    page.wait_for_load_state("networkidle")  # no request cut off by the next page

    page.goto("/figures/map/?corridor=jialing&status=in_progress")
    assert page.get_by_label("廊道", exact=True).input_value() == "jialing"
    assert page.get_by_label("状态", exact=True).input_value() == "in_progress"

    page.goto("/figures/corridors/yangtze/")
    assert page.get_by_role("heading", level=1).inner_text() == "长江"
    _charts_drawn(page, 1)
    screenshot(page, "figures-corridor-zh")

    project = Project.objects.get(code="CQ-2021-0001")
    page.goto(f"/figures/projects/{project.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == project.name_zh
    _charts_drawn(page, 1)
    screenshot(page, "figures-project-zh")

    page.goto("/figures/")
    page.get_by_role("link", name="报告报送情况").click()
    page.wait_for_url("**/figures/compliance/")
    assert page.get_by_label("报告期").count() == 1
    screenshot(page, "figures-compliance")

    plan = AnnualPlan.objects.get(year=2022)
    page.goto("/figures/")
    page.get_by_role("link", name="2022年度实施计划").click()
    page.wait_for_url(f"**/figures/plans/{plan.pk}/")
    _charts_drawn(page, 2)
    assert "节点“完成年度建设任务”已过期限仍未完成" in page.locator("#behind-title + ul").inner_text()
    screenshot(page, "figures-plan-zh")
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    screenshot(page, "figures-plan-print")
    page.emulate_media(media="screen")

    page.goto("/figures/")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    _charts_drawn(page, 5)
    screenshot(page, "figures-overview-en")
    page.goto("/figures/map/?status=in_progress")
    page.wait_for_selector("#map-projects li")
    listed = page.locator("#map-projects li").all_inner_texts()
    assert listed and all("In progress" in entry for entry in listed)
    assert len(listed) == len(set(listed)), "a shape loaded for two extents is listed once"
    screenshot(page, "figures-map-en")
    page.wait_for_load_state("networkidle")
