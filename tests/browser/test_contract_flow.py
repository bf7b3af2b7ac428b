"""A salesperson books an apartment and signs its contract in the browser, watching the
schedule preview follow the terms; the MOP approves an extension with one click."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def api_headers(page: Page) -> dict[str, str]:
    """The CSRF header for page.request calls (they share the page's cookies)."""
    return {"X-CSRF-Token": page.locator('meta[name="csrf-token"]').get_attribute("content")}


def book_in_bahor(page: Page, base: str, name: str) -> int:
    """Create a lead and book a free apartment of ЖК Бахор for it through the JSON API; the booking id."""
    headers = api_headers(page)
    phone = f"+99897{random.randint(1_000_000, 9_999_999)}"
    lead = page.request.post(f"{base}/api/sales/leads", data={"name": name, "phone": phone}, headers=headers)
    assert lead.status == 201, lead.text()
    bahor = next(c for c in page.request.get(f"{base}/api/sales/grid").json() if c["currency"] == "UZS")
    for building in bahor["buildings"]:
        grid = page.request.get(f"{base}/api/sales/buildings/{building['id']}/grid").json()
        for apartment in (a for floor in grid["floors"] for a in floor["apartments"] if a["status"] == "free"):
            booked = page.request.post(
                f"{base}/api/sales/bookings",
                headers=headers,
                data={"apartment_id": apartment["id"], "lead_id": lead.json()["id"]},
            )
            if booked.status == 201:
                return booked.json()["id"]
            assert booked.status == 409, booked.text()
    raise AssertionError("no free apartment in ЖК Бахор")


def test_sales_signs_a_contract_with_a_twelve_month_schedule(page: Page, live_server: str):
    log_in(page, live_server, "sales")
    expect(page).to_have_url(f"{live_server}/dashboard/sales/")
    booking_id = book_in_bahor(page, live_server, "Браузер Покупатель")

    page.goto(f"{live_server}/dashboard/sales/contracts/new?booking_id={booking_id}")
    expect(page.get_by_test_id("booking-summary")).to_contain_text("ЖК Бахор")
    expect(page.locator("#f-buyer_full_name")).to_have_value("Браузер Покупатель")
    page.fill("#f-buyer_full_name", "Каримов Азиз Рустамович")
    page.fill("#f-buyer_passport", "AB1234567")
    page.fill("#f-buyer_address", "Ташкент, Юнусабад 4-12")
    page.fill("#f-months", "24")
    expect(page.get_by_test_id("preview-row")).to_have_count(25)  # the preview follows the terms
    page.fill("#f-months", "12")
    expect(page.get_by_test_id("preview-row")).to_have_count(13)
    monthly = page.get_by_test_id("preview-monthly").inner_text()
    page.get_by_test_id("sign-contract").click()

    expect(page).to_have_url(re.compile(r"/dashboard/sales/contracts/\d+\?saved=created$"))
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.locator('[data-testid="instalment-row"][data-kind="monthly"]')).to_have_count(12)
    expect(page.locator('[data-testid="instalment-row"][data-kind="down_payment"]')).to_have_count(1)
    expect(page.get_by_test_id("contract-total")).to_be_visible()
    expect(page.get_by_test_id("schedule-sum")).to_have_text(page.get_by_test_id("contract-total").inner_text())
    expect(page.get_by_test_id("instalment-amount").nth(1)).to_have_text(monthly)
    expect(page.get_by_test_id("buyer")).to_contain_text("Каримов Азиз Рустамович")
    assert page.locator('link[rel="stylesheet"][href^="/static/css/print.css"]').count() == 1
    page.emulate_media(media="print")
    expect(page.locator(".sidenav")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    expect(page.get_by_test_id("schedule")).to_be_visible()


def test_mop_approves_an_extension_in_place(page: Page, live_server: str):
    log_in(page, live_server, "sales")
    booking_id = book_in_bahor(page, live_server, "Продление Тест")
    asked = page.request.post(
        f"{live_server}/api/sales/bookings/{booking_id}/extension",
        headers=api_headers(page),
        data={"hours": 48, "reason": "Покупатель ждёт кредит"},
    )
    assert asked.status == 200, asked.text()
    page.get_by_test_id("logout").click()

    log_in(page, live_server, "mop")
    page.goto(f"{live_server}/dashboard/mop/extensions")
    row = page.locator(f'[data-testid="extension-row"][data-booking="{booking_id}"]')
    expect(row).to_contain_text("Покупатель ждёт кредит")
    row.get_by_test_id("approve").click()
    expect(row.get_by_test_id("outcome")).to_be_visible()
    expect(row.get_by_test_id("approve")).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/dashboard/mop/extensions")  # no page load: the row was replaced
