"""A dispatcher opens a new handover order, is told the keys are too many, then records the readings,
the keys, one defect and the buyer's acceptance with remarks; the card shows the record and links to
the new defect order, whose card links back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def test_dispatcher_records_a_handover_with_a_defect(page: Page, live_server: str):
    log_in(page, live_server, "dispatcher")
    expect(page).to_have_url(f"{live_server}/dashboard/dispatcher/")
    page.goto(f"{live_server}/dashboard/dispatcher/work-orders?kind=handover&status=new")
    row = page.get_by_test_id("work-order-row").first
    order_id = row.get_attribute("data-order")
    row.locator(f'a[href$="/work-orders/{order_id}"]').first.click()
    expect(page).to_have_url(f"{live_server}/dashboard/dispatcher/work-orders/{order_id}")
    form = page.get_by_test_id("handover-form")
    expect(form).to_be_visible()

    page.fill("#f-electricity", "1520,4")
    page.fill("#f-keys_count", "25")
    page.get_by_test_id("save-handover").click()
    expect(page.get_by_test_id("error-keys_count")).to_be_visible()
    expect(page.locator("#f-electricity")).to_have_value("1520,4")  # what was typed stays

    page.fill("#f-keys_count", "2")
    page.fill("#f-defects-0-title", "Скрипит входная дверь")
    page.select_option("#f-defects-0-required_skill", "general")
    page.select_option("#f-acceptance", "with_remarks")
    page.fill("#f-buyer_name", "Каримов Азиз")
    page.fill("#f-remarks", "Скрипит дверь")
    page.check("input[name=complete]")
    page.get_by_test_id("save-handover").click()

    expect(page).to_have_url(re.compile(rf"/work-orders/{order_id}\?saved=1$"))
    expect(page.get_by_test_id("handover-record")).to_be_visible()
    expect(page.get_by_test_id("keys")).to_have_text("2")
    expect(page.get_by_test_id("handover-form")).to_have_count(0)  # done: nothing more to record
    page.get_by_test_id("handover-defects").get_by_role("link", name=re.compile("Скрипит входная дверь")).click()
    expect(page.get_by_test_id("parent-link")).to_have_attribute(
        "href", f"/dashboard/dispatcher/work-orders/{order_id}"
    )
