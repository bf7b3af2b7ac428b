"""Each demo user logs in, lands on their dashboard, is refused another role's, logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DEMO = [
    ("admin", "admin", "sales"),  # admin may open every dashboard: checked separately
    ("sales", "sales", "finance"),
    ("sales2", "sales", "mop"),
    ("mop", "mop", "rop"),
    ("rop", "rop", "dispatcher"),
    ("finance", "finance", "admin"),
    ("dispatcher", "dispatcher", "sales"),
]


def log_in(page: Page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.parametrize(("username", "role", "other_role"), DEMO, ids=[d[0] for d in DEMO])
def test_demo_user_journey(page: Page, live_server: str, username: str, role: str, other_role: str):
    log_in(page, live_server, username)
    expect(page).to_have_url(f"{live_server}/dashboard/{role}/")
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    response = page.goto(f"{live_server}/dashboard/{other_role}/")
    if role == "admin":
        assert response.status == 200
    else:
        assert response.status == 403
        expect(page.get_by_test_id("error-page")).to_contain_text("403")
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/dashboard/{role}/")
    expect(page).to_have_url(f"{live_server}/login?next=/dashboard/{role}/")


def test_wrong_password_shows_error_in_the_form(page: Page, live_server: str):
    log_in(page, live_server, "sales", "not-the-password")
    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/login")


def test_admin_filters_users_without_reload(page: Page, live_server: str):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/dashboard/admin/users")
    expect(page.get_by_test_id("user-row")).to_have_count(7)
    page.select_option("select[name=role]", "sales")
    expect(page.get_by_test_id("user-row")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/dashboard/admin/users\?.*role=sales"))  # the filter is in the URL
    page.fill("input[name=q]", "sales2")
    expect(page.get_by_test_id("user-row")).to_have_count(1)
