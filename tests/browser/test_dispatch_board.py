"""The dispatcher's week board in a real browser: an order dragged from the queue lands on the
technician's day, a second one dragged onto the same slot opens the conflict dialog with its reason
and stays in the queue, and the keyboard buttons (on a narrow screen) assign it elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from app.core import clock
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser
OPENS, SPAN = 8 * 60, 12 * 60  # the board's lanes run from 08:00 for 12 hours (app/features/schedule/board.py)
EVERY_DAY = {str(d): ["08:00", "20:00"] for d in range(7)}


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    """The dispatcher's JSON API, with a bearer token."""
    token = httpx.post(
        f"{live_server}/api/auth/token", json={"username": "dispatcher", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    with httpx.Client(base_url=f"{live_server}/api/dispatcher", headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def made(answer: httpx.Response) -> dict:
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def board_setup(api: httpx.Client) -> dict:
    """A technician of our own (free all day, every day) and two urgent unassigned orders at the queue's head."""
    apartment_id = api.get("/work-orders", params={"page_size": 1}).json()["items"][0]["apartment_id"]
    technician = made(api.post("/technicians", json={"name": "Мастер для перетаскивания", "hours": EVERY_DAY}))
    order = {"apartment_id": apartment_id, "kind": "defect", "priority": 1}
    first, second = (made(api.post("/work-orders", json=order | {"title": t})) for t in ("Первая", "Вторая"))
    return {"technician": technician["id"], "first": first["id"], "second": second["id"]}


def at_minutes(lane: Locator, minutes: int) -> dict:
    """The point of a week lane (x runs over the day's hours) where `minutes` after midnight lie."""
    box = lane.bounding_box()
    assert box is not None
    return {"x": (minutes - OPENS) / SPAN * box["width"], "y": box["height"] / 2}


def test_drag_from_the_queue_then_a_conflict_then_the_keyboard(page: Page, live_server: str, api, board_setup):
    day = (clock.today() + timedelta(days=1)).isoformat()  # the company's tomorrow
    tech, first, second = board_setup["technician"], board_setup["first"], board_setup["second"]
    page.set_viewport_size({"width": 1600, "height": 1000})  # wide lanes: a pointer's half-hour is ~10 px
    log_in(page, live_server, "dispatcher")
    expect(page).to_have_url(f"{live_server}/dashboard/dispatcher/")
    page.goto(f"{live_server}/dashboard/dispatcher/schedule?view=week&date={day}")
    lane = page.locator(f'[data-testid=lane][data-technician="{tech}"][data-day="{day}"]')
    queued = page.get_by_test_id("queue").locator(f'[data-testid=queue-item][data-order="{first}"]')
    expect(lane).to_be_visible()
    lane.scroll_into_view_if_needed()

    with page.expect_response(lambda r: r.url.endswith("/schedule/drop") and r.status == 200):
        queued.drag_to(lane, target_position=at_minutes(lane, 10 * 60 + 15))
    placed = lane.locator(f'[data-testid=block][data-order="{first}"]')
    expect(placed).to_be_visible()
    expect(placed).to_have_attribute("data-time", "10:00")
    expect(queued).to_have_count(0)
    assert api.get(f"/work-orders/{first}").json()["technician_id"] == tech

    waiting = page.get_by_test_id("queue").locator(f'[data-testid=queue-item][data-order="{second}"]')
    with page.expect_response(lambda r: r.url.endswith("/schedule/drop") and r.status == 409):
        waiting.drag_to(lane, target_position=at_minutes(lane, 10 * 60 + 15))
    dialog = page.get_by_test_id("board-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("conflict")).to_contain_text("в это время у него другая заявка")
    expect(dialog.get_by_test_id("force")).to_be_visible()
    dialog.locator("button[data-dismiss]").click()
    expect(dialog).to_be_hidden()
    expect(waiting).to_be_visible()
    expect(lane.locator(f'[data-order="{second}"]')).to_have_count(0)
    left = api.get(f"/work-orders/{second}").json()
    assert (left["technician_id"], left["status"]) == (None, "new")

    page.set_viewport_size({"width": 420, "height": 900})  # narrow: the buttons instead of dragging
    waiting.get_by_test_id("assign").focus()
    page.keyboard.press("Enter")
    form = page.get_by_test_id("assign-form")
    expect(form).to_be_visible()
    form.locator("select[name=technician_id]").select_option(str(tech))
    form.locator("input[name=day]").fill(day)
    form.locator("input[name=time]").fill("14:00")
    with page.expect_response(lambda r: r.url.endswith("/schedule/drop") and r.status == 200):
        form.get_by_test_id("assign-submit").press("Enter")
    moved = lane.locator(f'[data-testid=block][data-order="{second}"]')
    expect(moved).to_have_attribute("data-time", "14:00")
    expect(waiting).to_have_count(0)
    assert api.get(f"/work-orders/{second}").json()["status"] == "scheduled"
