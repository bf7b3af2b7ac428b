"""The MOP distributes new leads: ticking leads, choosing the salesperson and filtering work in
any order, and the ticked leads end up with the chosen salesperson."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def test_tick_then_choose_then_tick_then_assign(page: Page, live_server: str, client_address: str):
    for n in (1, 2, 3):
        made = httpx.post(
            f"{live_server}/api/public/leads",
            json={"name": f"Распределяемый {n}", "phone": f"+998 95 400 10 0{n}"},
            headers={"X-Forwarded-For": client_address},
        )
        assert made.status_code == 201, made.text
    log_in(page, live_server, "mop")
    page.goto(f"{live_server}/dashboard/mop/assign")
    page.get_by_role("searchbox").fill("Распределяемый")  # filter first
    expect(page).to_have_url(re.compile(r"[?&]q="))  # the filtered rows have landed (the address follows them)
    rows = page.get_by_test_id("lead-row")
    expect(rows).to_have_count(3)
    rows.nth(0).get_by_test_id("lead-check").check()  # tick, then choose the salesperson
    page.get_by_test_id("salesperson").select_option(label="Дилноза Юсупова")
    page.wait_for_timeout(500)  # a reload of the rows, if one were triggered, would have landed
    expect(rows.nth(0).get_by_test_id("lead-check")).to_be_checked()
    rows.nth(2).get_by_test_id("lead-check").check()  # and tick another after choosing
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assigned")).to_be_visible()
    expect(page.get_by_test_id("form-error")).to_have_count(0)

    found = page.request.get(f"{live_server}/api/mop/leads", params={"q": "Распределяемый", "page_size": 10}).json()
    owners = {lead["name"]: (lead["assigned"] or {}).get("id") for lead in found["items"]}
    assert owners["Распределяемый 2"] is None
    assert owners["Распределяемый 1"] is not None
    assert owners["Распределяемый 1"] == owners["Распределяемый 3"]


def test_select_all_ticks_every_row(page: Page, live_server: str):
    log_in(page, live_server, "mop")
    page.goto(f"{live_server}/dashboard/mop/assign?unassigned=false")
    expect(page.get_by_test_id("lead-row").first).to_be_visible()
    page.get_by_test_id("select-all").check()
    checks = page.get_by_test_id("lead-check")
    assert checks.count() > 1
    assert all(checks.nth(i).is_checked() for i in range(checks.count()))
