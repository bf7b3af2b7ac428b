"""An admin copies a contract's buyer link, the buyer reports a problem with a picture through it,
then the admin makes a new link and revokes it: the old addresses stop working each time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def first_active_contract(page: Page, base: str) -> int:
    """The id of an active demo contract, asked through the logged-in admin's JSON twin."""
    answer = page.request.get(f"{base}/api/admin/contracts", params={"status": "active", "page_size": 1})
    assert answer.ok, answer.text()
    return answer.json()["items"][0]["id"]


def test_buyer_link_copy_report_rotate_and_revoke(page: Page, live_server: str, browser: Browser):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    log_in(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/dashboard/admin/")
    contract_id = first_active_contract(page, live_server)
    page.goto(f"{live_server}/dashboard/admin/contracts/{contract_id}")
    box = page.get_by_test_id("service-link")
    address = box.get_by_test_id("service-link-url")
    expect(address).to_have_value(re.compile(r"/service/\d+\.[\w-]{16}\.[\w-]{22}$"))
    first_url = address.input_value()
    box.get_by_test_id("service-link-copy").click()
    expect(box.get_by_test_id("service-link-copy")).to_have_text("Скопировано")

    buyer = browser.new_context().new_page()
    buyer.goto(first_url)
    expect(buyer.get_by_test_id("service-page")).to_contain_text("Здравствуйте")
    form = buyer.get_by_test_id("service-form")
    form.locator("input[name=title]").fill("Протекает потолок в ванной")
    form.locator("textarea[name=text]").fill("После дождя на потолке пятно")
    form.locator("input[name=preferred_time]").fill("в субботу")
    form.locator("input[name=pictures]").set_input_files(
        [{"name": "ceiling.png", "mimeType": "image/png", "buffer": PNG}]
    )
    buyer.get_by_test_id("service-submit").click()
    expect(buyer.get_by_test_id("service-thanks")).to_be_visible()
    row = buyer.get_by_test_id("service-request-row").filter(has_text="Протекает потолок в ванной")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Новая")

    box.get_by_test_id("service-link-new").click()  # HTMX swaps the box in place
    expect(address).not_to_have_value(first_url)
    second_url = address.input_value()
    buyer.goto(first_url)
    expect(buyer.get_by_test_id("error-page")).to_contain_text("Ссылка не работает")

    page.once("dialog", lambda dialog: dialog.accept())
    box.get_by_test_id("service-link-revoke").click()
    expect(box.get_by_test_id("service-link-none")).to_be_visible()
    buyer.goto(second_url)
    expect(buyer.get_by_test_id("error-page")).to_contain_text("Ссылка не работает")
    buyer.context.close()

    page.goto(f"{live_server}/dashboard/dispatcher/work-orders?status=new&source=buyer_request")
    expect(page.get_by_test_id("work-order-row").filter(has_text="Протекает потолок в ванной")).to_have_count(1)
