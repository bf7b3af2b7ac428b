"""A salesperson enters a lead, books a free apartment from the staff grid's card and sees the
cell turn booked; a colleague sees it booked and gets 409 booking it through the API. On the
kanban a card dragged from "new" to "in work" stays there after a reload; a refused move
(to "sold" by hand) shows the error and the card goes back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def test_salesperson_books_from_the_grid_and_a_colleague_cannot(page: Page, browser: Browser, live_server: str):
    log_in(page, live_server, "sales")
    page.goto(f"{live_server}/dashboard/sales/leads/new")
    page.fill("input[name=name]", "Браузерный Покупатель")
    page.fill("input[name=phone]", "+998 93 555 40 41")
    page.select_option("select[name=temperature]", "hot")
    page.get_by_test_id("lead-submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard/sales/leads/\d+\?note=created$"))
    lead_id = re.search(r"/leads/(\d+)", page.url).group(1)
    expect(page.get_by_test_id("lead-name")).to_have_text("Браузерный Покупатель")

    page.goto(f"{live_server}/dashboard/sales/grid")
    page.locator("section.card", has_text="Бахор").get_by_test_id("building-link").first.click()
    expect(page).to_have_url(re.compile(r"/dashboard/sales/buildings/\d+/grid$"))
    grid_url = page.url
    free = page.locator('[data-testid="apt"][data-status="free"]').first
    apartment_id = free.get_attribute("data-apartment-id")
    free.click()
    card = page.get_by_test_id("apartment-card")
    expect(card).to_be_visible()
    card.get_by_test_id("book-lead").select_option(lead_id)  # the options arrive by HTMX
    card.get_by_test_id("book-button").click()
    expect(card.get_by_test_id("booked")).to_be_visible()
    expect(card.get_by_test_id("card-status")).to_have_text("Забронирована")  # no longer "free" on the card
    cell = page.locator(f'[data-testid="apt"][data-apartment-id="{apartment_id}"]')
    expect(cell).to_have_attribute("data-status", "booked", timeout=6000)  # the open grid polls

    colleague = browser.new_context()
    other = colleague.new_page()
    log_in(other, live_server, "sales2")
    other.goto(grid_url)
    expect(other.locator(f'[data-testid="apt"][data-apartment-id="{apartment_id}"]')).to_have_attribute(
        "data-status", "booked"
    )
    csrf = other.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": csrf}
    made = other.request.post(
        f"{live_server}/api/sales/leads", headers=headers, data={"name": "Клиент коллеги", "phone": "+998 93 555 40 42"}
    )
    assert made.status == 201, made.text()
    taken = other.request.post(
        f"{live_server}/api/sales/bookings",
        headers=headers,
        data={"apartment_id": int(apartment_id), "lead_id": made.json()["id"]},
    )
    assert taken.status == 409, taken.text()
    colleague.close()

    page.goto(f"{live_server}/dashboard/sales/leads/{lead_id}")
    expect(page.get_by_test_id("booking-row")).to_have_count(1)
    expect(page.get_by_test_id("lead-status")).to_have_attribute("class", re.compile("ls-booked"))


def test_dragging_a_card_changes_the_status_and_a_refusal_puts_it_back(page: Page, live_server: str):
    log_in(page, live_server, "sales")
    page.goto(f"{live_server}/dashboard/sales/kanban")
    new_count = int(page.get_by_test_id("count-new").inner_text())
    work_count = int(page.get_by_test_id("count-in_work").inner_text())
    card = page.locator('[data-testid="column-new"] [data-testid="kanban-card"]').first
    lead_id = card.get_attribute("data-lead-id")
    card.drag_to(page.locator('[data-testid="column-in_work"] .kanban-cards'))
    moved = page.locator(f'[data-testid="column-in_work"] [data-lead-id="{lead_id}"]')
    expect(moved).to_have_attribute("data-status", "in_work")
    expect(page.get_by_test_id("count-new")).to_have_text(str(new_count - 1))
    expect(page.get_by_test_id("count-in_work")).to_have_text(str(work_count + 1))

    page.reload()
    expect(page.locator(f'[data-testid="column-in_work"] [data-lead-id="{lead_id}"]')).to_be_visible()
    expect(page.locator(f'[data-testid="column-new"] [data-lead-id="{lead_id}"]')).to_have_count(0)

    staying = page.locator(f'[data-lead-id="{lead_id}"]')
    # drop near the top of the column: a long column's middle can be off screen
    staying.drag_to(page.locator('[data-testid="column-sold"]'), target_position={"x": 40, "y": 20})
    expect(page.locator("#toasts .toast.error")).to_be_visible()
    expect(page.locator(f'[data-testid="column-in_work"] [data-lead-id="{lead_id}"]')).to_be_visible()
    expect(page.locator(f'[data-testid="column-sold"] [data-lead-id="{lead_id}"]')).to_have_count(0)

    staying.drag_to(page.locator('[data-testid="column-lost"]'), target_position={"x": 40, "y": 20})
    dialog = page.get_by_test_id("lost-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button").last.click()  # cancel: no reason given
    expect(page.locator(f'[data-testid="column-in_work"] [data-lead-id="{lead_id}"]')).to_be_visible()
    page.reload()
    expect(page.locator(f'[data-testid="column-in_work"] [data-lead-id="{lead_id}"]')).to_be_visible()
