"""The admin draws an undrawn floor of the demo building on the canvas with the mouse, binds
the cells to flats, saves and finds the same layout after a reload; a bad layout is refused
with its problems listed and the faulty cell outlined."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in_as_admin(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard/admin/")


def demo_building_id(page: Page, base: str) -> int:
    """The id of "Блок A" of complex "bahor", through the JSON API (same cookies as the page)."""
    found = page.request.get(f"{base}/api/admin/complexes", params={"page_size": 100}).json()
    complex_id = next(c["id"] for c in found["items"] if c["slug"] == "bahor")
    blocks = page.request.get(f"{base}/api/admin/complexes/{complex_id}/buildings").json()
    return next(b["id"] for b in blocks if b["name"] == "Блок A")


def open_editor(page: Page, base: str, floor: int) -> list[dict]:
    """Log in, open the editor of an undrawn floor; returns the floor's flats by number."""
    log_in_as_admin(page, base)
    page.goto(f"{base}/dashboard/admin/buildings/{demo_building_id(page, base)}/floors/{floor}/grid")
    expect(page.get_by_test_id("grid-canvas")).to_be_visible()
    assert page.evaluate("window.gridEditor.version()") == 0, "the floor should be undrawn"
    flats = json.loads(page.locator("#editor-data").text_content())["apartments"]
    return sorted(flats, key=lambda a: a["number"])


def drag_squares(page: Page, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press on the centre of grid square `start`, drag to square `end`, release."""
    box = page.get_by_test_id("grid-canvas").bounding_box()
    square = page.evaluate("window.gridEditor.square()")

    def at(gx: int, gy: int) -> tuple[float, float]:
        return box["x"] + (gx + 0.5) * square, box["y"] + (gy + 0.5) * square

    page.mouse.move(*at(*start))
    page.mouse.down()
    page.mouse.move(*at(*end), steps=4)
    page.mouse.up()


def bind(page: Page, apartment_id: int) -> None:
    page.get_by_test_id("cell-apartment").select_option(str(apartment_id))


def test_draw_bind_save_and_reload_an_undrawn_floor(page: Page, live_server: str):
    flats = open_editor(page, live_server, floor=10)
    drag_squares(page, (0, 0), (2, 1))  # a 3 x 2 cell in the top-left corner
    bind(page, flats[0]["id"])
    drag_squares(page, (5, 1), (3, 0))  # dragged right to left: a 3 x 2 cell next to it
    bind(page, flats[1]["id"])
    drawn = page.evaluate("window.gridEditor.layout()")
    assert drawn["cells"] == [
        {"x": 0, "y": 0, "w": 3, "h": 2, "apartment_id": flats[0]["id"]},
        {"x": 3, "y": 0, "w": 3, "h": 2, "apartment_id": flats[1]["id"]},
    ]
    expect(page.get_by_test_id("grid-state")).to_have_class(re.compile("warn"))  # unsaved changes shown

    page.get_by_test_id("save-grid").click()
    status = page.get_by_test_id("grid-status")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    expect(status).to_contain_text(re.compile(r"\b1\b"))  # "Saved, version 1."
    expect(page.get_by_test_id("version-row")).to_have_count(1)
    expect(page.get_by_test_id("version-row")).to_have_attribute("data-version", "1")
    expect(page.get_by_test_id("grid-problems")).to_be_hidden()

    page.reload()
    expect(page.get_by_test_id("grid-canvas")).to_be_visible()
    assert page.evaluate("window.gridEditor.version()") == 1
    assert page.evaluate("window.gridEditor.layout()") == drawn
    expect(page.get_by_test_id("grid-state")).to_have_class(re.compile(r"\bok\b"))  # nothing unsaved
    expect(page.get_by_test_id("undo")).to_be_disabled()


def test_overlapping_cells_with_one_flat_twice_are_refused_and_outlined(page: Page, live_server: str):
    flats = open_editor(page, live_server, floor=12)
    drag_squares(page, (0, 0), (2, 1))
    bind(page, flats[0]["id"])
    drag_squares(page, (3, 1), (2, 0))  # starts on an empty square, reaches over cell 1's last column
    bind(page, flats[0]["id"])  # the same flat again: the select marks it as bound to cell 1
    cells = page.evaluate("window.gridEditor.layout()")["cells"]
    assert cells[1] == {"x": 2, "y": 0, "w": 2, "h": 2, "apartment_id": flats[0]["id"]}

    page.get_by_test_id("save-grid").click()
    problems = page.get_by_test_id("grid-problems")
    expect(problems).to_be_visible()
    items = page.get_by_test_id("grid-problem")
    expect(items).to_have_count(2)  # the overlap and the repeated flat, both on cell 2
    expect(items.nth(0)).to_have_attribute("data-cell", "1")
    expect(items.nth(1)).to_have_attribute("data-cell", "1")
    expect(page.get_by_test_id("grid-status")).to_have_class(re.compile("error"))
    assert page.evaluate("window.gridEditor.problems()") == [1]  # outlined in red on the canvas
    assert page.evaluate("window.gridEditor.version()") == 0

    page.get_by_test_id("undo").click()  # back to one cell bound, one cell unbound: no overlap fixed yet
    page.get_by_test_id("undo").click()
    assert len(page.evaluate("window.gridEditor.layout()")["cells"]) == 1
    assert page.evaluate("window.gridEditor.problems()") == []


def test_a_bad_column_count_is_refused_next_to_the_field_and_nothing_is_saved(page: Page, live_server: str):
    open_editor(page, live_server, floor=11)
    size_error = page.get_by_test_id("grid-size-error")
    for bad in ("0", "999"):
        page.get_by_test_id("grid-cols").fill(bad)
        page.get_by_test_id("save-grid").click()
        expect(size_error).to_be_visible()
        expect(size_error).to_contain_text("60")  # "a whole number from 1 to 60"
        expect(page.get_by_test_id("grid-cols")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_test_id("grid-status")).to_have_class(re.compile("error"))
        assert page.evaluate("window.gridEditor.version()") == 0  # nothing was saved
        expect(page.get_by_test_id("grid-cols")).to_have_value(bad)  # the typed value stays to be fixed
    expect(page.get_by_test_id("version-row")).to_have_count(0)

    page.get_by_test_id("grid-cols").fill("9")
    page.get_by_test_id("save-grid").click()
    expect(page.get_by_test_id("grid-status")).to_have_class(re.compile(r"\bok\b"))
    expect(size_error).to_be_hidden()
    assert page.evaluate("window.gridEditor.layout()")["cols"] == 9
