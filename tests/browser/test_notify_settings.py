"""The profile page pulls in the notification switches; unticking one and saving sticks (HTMX, CSP)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def test_a_switch_turned_off_on_the_profile_stays_off(page: Page, live_server: str):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "sales2")
    expect(page).to_have_url(f"{live_server}/dashboard/sales/")
    page.goto(f"{live_server}/profile")
    switch = page.get_by_test_id("notify-booking_expiring")
    expect(switch).to_be_checked()  # the form arrived by HTMX with everything on
    switch.uncheck()
    page.get_by_test_id("notify-save").click()
    expect(page.get_by_test_id("notify-saved")).to_have_text("Настройки уведомлений сохранены.")
    page.reload()
    expect(page.get_by_test_id("notify-booking_expiring")).not_to_be_checked()
    expect(page.get_by_test_id("notify-new_lead")).to_be_checked()
    assert not [e for e in errors if "Content Security Policy" in e]
