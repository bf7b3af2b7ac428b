"""The MOP turns automatic distribution on, two salespeople check in from the top bar, three
requests from the landing page land with them in turn, and the ROP sees them in the campaign table."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser

CAMPAIGN_KEY = "insta-bahor"  # a demo campaign (app/demo_marketing.py)


def staff_page(browser: Browser, base: str, username: str) -> Page:
    """A new browser of its own, logged in as `username`."""
    page = browser.new_context().new_page()
    log_in(page, base, username)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    return page


def campaign_leads(rop: Page, base: str) -> int:
    """The lead count the ROP's campaign table shows for the demo Instagram campaign."""
    rop.goto(f"{base}/dashboard/rop/campaigns")
    row = rop.get_by_test_id("campaign-row").filter(has_text="Instagram")
    return int(row.get_by_test_id("leads").inner_text())


def request_a_call(visitor: Page, base: str, name: str, phone: str) -> None:
    """A visitor from the campaign opens a free apartment's card and asks for a call."""
    visitor.goto(f"{base}/c/bahor?utm_source=instagram&utm_campaign={CAMPAIGN_KEY}")
    visitor.locator('[data-testid="apt"]:not(.dim)[data-status="free"]').first.click()
    card = visitor.get_by_test_id("apartment-card")
    expect(card).to_be_visible()
    card.locator("input[name=name]").fill(name)
    card.locator("input[name=phone]").fill(phone)
    card.get_by_test_id("lead-submit").click()
    expect(visitor.get_by_test_id("lead-thanks")).to_be_visible()


def test_requests_reach_salespeople_on_shift_in_turn(page: Page, live_server: str, browser: Browser):
    rop = staff_page(browser, live_server, "rop")
    before = campaign_leads(rop, live_server)

    mop = staff_page(browser, live_server, "mop")
    mop.goto(f"{live_server}/dashboard/mop/distribution")
    mop.get_by_test_id("mode-manual").check()
    mop.get_by_test_id("save-distribution").click()
    expect(mop.get_by_test_id("saved")).to_be_visible()
    mop.get_by_test_id("mode-auto").check()
    mop.get_by_test_id("save-distribution").click()
    expect(mop.get_by_test_id("saved")).to_be_visible()
    expect(mop.get_by_test_id("mode-auto")).to_be_checked()

    sellers = {}
    for username in ("sales", "sales2"):
        seller = staff_page(browser, live_server, username)
        seller.get_by_test_id("check-in").click()
        expect(seller.get_by_test_id("on-shift")).to_be_visible()
        sellers[username] = seller
    mop.goto(f"{live_server}/dashboard/mop/distribution")
    for username in sellers:
        expect(mop.locator(f'[data-testid="seller-row"][data-user="{username}"]')).to_contain_text("На смене")

    phones = [f"+99893{random.randint(1_000_000, 9_999_999)}" for _ in range(3)]
    for n, phone in enumerate(phones, start=1):
        request_a_call(page, live_server, f"Покупатель Кампании {n}", phone)

    owners = []
    for phone in phones:
        found = mop.request.get(f"{live_server}/api/mop/leads", params={"q": phone[-7:]}).json()["items"]
        assert len(found) == 1, found
        owners.append(found[0]["assigned"]["username"])
    assert owners[0] != owners[1] and owners[1] != owners[2], owners  # strictly in turn
    assert set(owners) == {"sales", "sales2"}

    for username, seller in sellers.items():  # each salesperson finds their own new leads
        seller.goto(f"{live_server}/dashboard/sales/leads")
        for n, owner in enumerate(owners, start=1):
            row = seller.get_by_test_id("lead-row").filter(has_text=f"Покупатель Кампании {n}")
            expect(row).to_have_count(1 if owner == username else 0)
        seller.get_by_test_id("check-out").click()
        expect(seller.get_by_test_id("check-in")).to_be_visible()

    assert campaign_leads(rop, live_server) == before + 3
    for opened in (rop, mop, *sellers.values()):
        opened.context.close()
