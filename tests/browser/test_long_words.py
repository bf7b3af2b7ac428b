"""Long words people type (a pasted link, a name without spaces) wrap inside their box: pages
showing them are never wider than the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def assert_fits(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".slice(0, 6).map(e => e.outerHTML.slice(0, 120))"
    )
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide in a {width[1]} px window ({wide})"


def test_a_two_thousand_character_word_wraps_on_the_lead_page_and_the_lists(page: Page, live_server: str):
    log_in(page, live_server, "sales")
    expect(page).to_have_url(f"{live_server}/dashboard/sales/")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": csrf}
    long_name = "Длинноеимя" * 20  # 200 characters, no space
    made = page.request.post(
        f"{live_server}/api/sales/leads",
        headers=headers,
        data={"name": long_name, "phone": "+998 93 555 77 01", "utm_campaign": "x" * 100},
    )
    assert made.status == 201, made.text()
    lead_id = made.json()["id"]
    said = page.request.post(
        f"{live_server}/api/sales/leads/{lead_id}/comments", headers=headers, data={"text": "ж" * 2000}
    )
    assert said.status == 201, said.text()

    page.goto(f"{live_server}/dashboard/sales/leads/{lead_id}")
    expect(page.get_by_test_id("lead-name")).to_be_visible()
    assert_fits(page)
    for listing in ("leads", "kanban", "callbacks"):
        page.goto(f"{live_server}/dashboard/sales/{listing}")
        assert_fits(page)
    page.context.clear_cookies()
    log_in(page, live_server, "mop")
    for listing in ("assign?unassigned=false", "bookings"):
        page.goto(f"{live_server}/dashboard/mop/{listing}")
        assert_fits(page)
