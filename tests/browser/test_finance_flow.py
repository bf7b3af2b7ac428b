"""A financier finds an overdue contract in the debts list, records a payment on its statement,
watches the debt shrink there and in the list, and opens the printable receipt."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def value(page: Page, selector: str) -> Decimal:
    """The exact amount a finance page puts in an element's data-value."""
    return Decimal(page.locator(selector).first.get_attribute("data-value"))


def test_finance_records_a_payment_on_an_overdue_contract(page: Page, live_server: str):
    log_in(page, live_server, "finance")
    expect(page).to_have_url(f"{live_server}/dashboard/finance/")
    page.goto(f"{live_server}/dashboard/finance/debts")
    expect(page.get_by_test_id("buckets")).to_be_visible()
    row = page.get_by_test_id("debt-row").first
    contract_id = row.get_attribute("data-contract")
    debt_before = value(page, f'[data-contract="{contract_id}"] [data-testid="overdue"]')
    row.get_by_test_id("statement-link").click()

    expect(page).to_have_url(f"{live_server}/dashboard/finance/contracts/{contract_id}/statement")
    expect(page.locator('[data-testid="instalment-row"][data-overdue="true"]').first).to_be_visible()
    remaining_before = value(page, '[data-testid="totals"] [data-testid="remaining"]')
    instalment = value(page, '[data-testid="instalment-row"][data-overdue="true"] [data-testid="instalment-remaining"]')
    expect(page.locator("#f-paid_at")).not_to_have_value("")  # today, in the company's time zone
    page.fill("#f-amount", str(instalment))
    page.select_option("#f-method", "cash")
    page.get_by_test_id("record-payment").click()

    expect(page).to_have_url(re.compile(rf"/contracts/{contract_id}/statement\?paid=\d+$"))
    expect(page.get_by_test_id("saved")).to_be_visible()
    assert value(page, '[data-testid="totals"] [data-testid="remaining"]') == remaining_before - instalment
    assert value(page, '[data-testid="totals"] [data-testid="overdue"]') == debt_before - instalment

    page.goto(f"{live_server}/dashboard/finance/debts")
    expect(page.get_by_test_id("buckets")).to_be_visible()
    listed = page.locator(f'[data-testid="debt-row"][data-contract="{contract_id}"]')
    if debt_before > instalment:
        assert value(page, f'[data-contract="{contract_id}"] [data-testid="overdue"]') == debt_before - instalment
    else:
        expect(listed).to_have_count(0)

    page.go_back()
    page.get_by_test_id("saved-receipt").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    expect(page.get_by_test_id("receipt-remaining")).to_be_visible()
    assert re.sub(r"\D", "", page.get_by_test_id("receipt-amount").inner_text()) == re.sub(r"\D", "", str(instalment))
    expect(page.locator(".sidenav")).to_have_count(0)
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print")).to_be_hidden()
    expect(page.get_by_test_id("receipt")).to_be_visible()
