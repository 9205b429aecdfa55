"""The workspace's frame in a real browser: sign-in, My work, the language switch."""

import pytest

from projects.core.choices import Role
from projects.core.models import Organization
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_provincial_staff_member_signs_in_and_lands_on_my_work(page, screenshot):
    user = UserFactory(
        username="sc_browser",
        role=Role.PROVINCIAL_STAFF,
        organization=Organization.objects.get(slug="sc-natural-resources"),
    )
    user.set_password("a-long-test-password")
    user.save()
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("sc_browser")
    page.get_by_label("密码").fill("a-long-test-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的工作"
    screenshot(page, "workspace-my-work-zh")
    page.get_by_label("语言").select_option("en")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    screenshot(page, "workspace-my-work-en")
