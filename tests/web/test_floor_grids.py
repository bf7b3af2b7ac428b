"""Floor grids over HTTP: the admin saves, versions, restores and copies floor layouts through the
JSON API, every bad layout is refused with each problem named by cell, and the canvas editor page
renders for the floor."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.service import session_token
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.models import Apartment, Building
from app.domain.inventory.schemas import ApartmentCreate, BuildingCreate, ComplexCreate, GenerateApartments
from tests.conftest import csrf_from
from tests.factories import make_user

FLOORS = 5
UNITS = 3


@dataclass
class House:
    """A complex with a 5-floor building of 3 flats a floor (101-103 ... 501-503) and a second building."""

    building: Building
    other: Building
    flats: dict[str, Apartment]
    other_flat: Apartment

    @property
    def api(self) -> str:
        return f"/api/admin/buildings/{self.building.id}"

    def grid(self, floor: int) -> str:
        return f"{self.api}/floors/{floor}/grid"

    def page(self, floor: int) -> str:
        return f"/dashboard/admin/buildings/{self.building.id}/floors/{floor}/grid"

    def id(self, number: str) -> int:
        return self.flats[number].id


@pytest.fixture
def house(db, user_of) -> House:
    admin = user_of(Role.ADMIN)
    complex_ = complexes.create(db, admin, ComplexCreate(name="ЖК Тест", slug="test-grid"))
    building = buildings.create(db, admin, complex_.id, BuildingCreate(name="Блок 1", floors=FLOORS))
    buildings.generate(
        db,
        admin,
        building.id,
        GenerateApartments(units_per_floor=UNITS, numbering="floor", price_per_m2=Decimal("1000")),
    )
    other = buildings.create(db, admin, complex_.id, BuildingCreate(name="Блок 2", floors=2))
    other_flat = apartments.create(db, admin, other.id, ApartmentCreate(number="1", floor=1, rooms=1, area=Decimal(40)))
    flats = {a.number: a for a in apartments.for_building(db, building.id)}
    return House(building=building, other=other, flats=flats, other_flat=other_flat)


@pytest.fixture
def admin(client_as, user_of) -> TestClient:
    """The admin's browser, reading messages in English (the admin's profile language)."""
    user_of(Role.ADMIN).language = "en"
    return client_as(Role.ADMIN)


def browser_of(app, user: User) -> TestClient:
    """A logged-in browser for a given user (a second admin, say), reading English."""
    user.language = "en"
    browser = TestClient(app, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, session_token(app.state.settings, user))
    browser.headers["X-CSRF-Token"] = csrf_from(browser, "/profile")
    return browser


def cell(x: int, y: int, w: int = 1, h: int = 1, apartment_id: int | None = None) -> dict:
    return {"x": x, "y": y, "w": w, "h": h, "apartment_id": apartment_id}


def editor_data(html: str) -> dict:
    """The JSON the editor page hands its script."""
    match = re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', html, re.S)
    assert match, "the editor page carries no editor-data"
    return json.loads(match.group(1))


def problems(response) -> list[tuple[list, str]]:
    assert response.status_code == 422, response.text
    return [(p["loc"], p["msg"]) for p in response.json()["detail"]]


# --- saving, versions, restore, copy ------------------------------------------------------------


def test_a_saved_layout_reads_back_as_drawn(admin, house, user_of):
    empty = admin.get(house.grid(1)).json()
    assert (empty["version"], empty["cols"], empty["rows"], empty["cells"]) == (0, 12, 4, [])

    drawn = [cell(0, 0, 3, 2, house.id("101")), cell(3, 0, 2, 2, house.id("102")), cell(5, 0, 1, 1)]
    saved = admin.put(house.grid(1), json={"cols": 8, "rows": 3, "cells": drawn})
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1
    assert saved.json()["created_by"] == user_of(Role.ADMIN).username

    read = admin.get(house.grid(1)).json()
    assert (read["version"], read["cols"], read["rows"], read["cells"]) == (1, 8, 3, drawn)
    assert admin.get(house.grid(2)).json()["version"] == 0  # other floors are untouched


def test_every_save_is_a_new_version_that_records_who_saved_it(app, admin, house, db, user_of):
    admin.put(house.grid(1), json={"cols": 4, "rows": 2, "cells": [cell(0, 0)]})
    second = browser_of(app, make_user(db, Role.ADMIN, username="second-admin"))
    again = second.put(house.grid(1), json={"cols": 4, "rows": 2, "cells": [cell(0, 0), cell(1, 0)]})
    assert again.json()["version"] == 2

    history = admin.get(f"{house.grid(1)}/versions").json()
    assert [(v["version"], v["created_by"], v["cells"]) for v in history] == [
        (2, "second-admin", 2),
        (1, user_of(Role.ADMIN).username, 1),
    ]
    assert admin.get(f"{house.grid(1)}/versions/1").json()["cells"] == [cell(0, 0)]
    assert admin.get(f"{house.grid(1)}/versions/9").status_code == 404

    page = admin.get(house.page(1))
    assert page.text.count('data-testid="version-row"') == 2
    assert "second-admin" in page.text and user_of(Role.ADMIN).username in page.text
    assert editor_data(page.text)["grid"]["version"] == 2


def test_restoring_an_old_version_makes_it_the_newest(admin, house):
    first = [cell(0, 0, 2, 2, house.id("101")), cell(2, 0, 2, 2, house.id("102"))]
    admin.put(house.grid(1), json={"cols": 6, "rows": 2, "cells": first})
    admin.put(house.grid(1), json={"cols": 3, "rows": 1, "cells": [cell(0, 0, 3, 1, house.id("103"))]})

    restored = admin.post(f"{house.grid(1)}/versions/1/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 3

    current = admin.get(house.grid(1)).json()
    assert (current["version"], current["cols"], current["rows"], current["cells"]) == (3, 6, 2, first)
    assert [v["version"] for v in admin.get(f"{house.grid(1)}/versions").json()] == [3, 2, 1]


def test_copying_to_a_floor_range_binds_the_flat_in_the_same_position(admin, house):
    layout = {
        "cols": 6,
        "rows": 2,
        "cells": [cell(0, 0, 2, 2, house.id("101")), cell(2, 0, 2, 2), cell(4, 0, 2, 2, house.id("103"))],
    }
    refused = admin.post(f"{house.grid(1)}/copy", json={"to_floor_from": 2, "to_floor_to": 3})
    assert refused.status_code == 422  # nothing saved yet: the editor says "save first"
    admin.put(house.grid(1), json=layout)

    copied = admin.post(f"{house.grid(1)}/copy", json={"to_floor_from": 4, "to_floor_to": 2})
    assert copied.status_code == 200, copied.text
    assert [g["floor"] for g in copied.json()] == [2, 3, 4]
    for floor in (2, 3, 4):
        grid = admin.get(house.grid(floor)).json()
        assert grid["version"] == 1 and (grid["cols"], grid["rows"]) == (6, 2)
        assert [c["apartment_id"] for c in grid["cells"]] == [house.id(f"{floor}01"), None, house.id(f"{floor}03")]
        assert [(c["x"], c["w"]) for c in grid["cells"]] == [(0, 2), (2, 2), (4, 2)]
    assert admin.get(house.grid(5)).json()["version"] == 0

    too_high = admin.post(f"{house.grid(1)}/copy", json={"to_floor_from": 2, "to_floor_to": FLOORS + 1})
    assert [loc for loc, _ in problems(too_high)] == [["body", "to_floor_to"]]


def test_the_editor_creates_a_flat_on_its_floor_and_names_bad_fields(admin, house):
    created = admin.post(f"{house.api}/apartments", json={"number": "104", "floor": 1, "rooms": 2, "area": "55.5"})
    assert created.status_code == 201, created.text
    flat = created.json()
    assert (flat["floor"], flat["number"], flat["status"]) == (1, "104", "free")
    saved = admin.put(house.grid(1), json={"cols": 4, "rows": 1, "cells": [cell(0, 0, 2, 1, flat["id"])]})
    assert saved.status_code == 200

    taken = admin.post(f"{house.api}/apartments", json={"number": "104", "floor": 1, "rooms": 2, "area": "50"})
    assert taken.status_code == 409
    assert [p["loc"] for p in taken.json()["detail"]] == [["body", "number"]]
    bad = admin.post(f"{house.api}/apartments", json={"number": "105", "floor": 1, "rooms": 2, "area": "0"})
    assert [loc for loc, _ in problems(bad)] == [["body", "area"]]


# --- refused layouts: every problem named by its cell ---------------------------------------------


def test_overlapping_cells_are_all_reported_in_one_answer(admin, house):
    layout = {"cols": 10, "rows": 4, "cells": [cell(0, 0, 3, 3), cell(2, 2, 2, 2), cell(6, 0, 2, 2), cell(7, 1, 2, 2)]}
    found = problems(admin.put(house.grid(1), json=layout))
    assert [loc for loc, _ in found] == [["body", "cells", 1], ["body", "cells", 3]]
    assert "overlaps cell 1" in found[0][1] and "overlaps cell 3" in found[1][1]
    assert admin.get(house.grid(1)).json()["version"] == 0  # nothing was saved


def test_a_cell_outside_the_grid_is_refused(admin, house):
    layout = {"cols": 4, "rows": 2, "cells": [cell(0, 0, 2, 2), cell(3, 0, 2, 1), cell(0, 1, 1, 2)]}
    found = problems(admin.put(house.grid(1), json=layout))
    assert [loc for loc, _ in found] == [["body", "cells", 1], ["body", "cells", 2]]
    assert all("outside the grid" in msg for _, msg in found)


def test_the_same_flat_in_two_cells_is_refused(admin, house):
    flat = house.id("102")
    found = problems(
        admin.put(
            house.grid(1),
            json={
                "cols": 6,
                "rows": 2,
                "cells": [cell(0, 0, 2, 2, flat), cell(2, 0, 2, 2, house.id("101")), cell(4, 0, 2, 2, flat)],
            },
        )
    )
    assert found == [(["body", "cells", 2], "Cell 3 repeats the apartment of cell 1.")]


def test_a_flat_of_another_building_is_refused(admin, house):
    found = problems(
        admin.put(
            house.grid(1),
            json={
                "cols": 4,
                "rows": 1,
                "cells": [cell(0, 0, 2, 1, house.id("101")), cell(2, 0, 2, 1, house.other_flat.id)],
            },
        )
    )
    assert found == [(["body", "cells", 1], "Cell 2 is bound to an apartment of another building.")]


def test_a_flat_of_another_floor_is_refused(admin, house):
    found = problems(
        admin.put(house.grid(1), json={"cols": 4, "rows": 1, "cells": [cell(0, 0, 2, 1, house.id("201"))]})
    )
    assert [loc for loc, _ in found] == [["body", "cells", 0]]
    assert "another floor" in found[0][1]


def test_too_many_columns_or_a_bad_cell_field_is_refused(admin, house):
    found = problems(admin.put(house.grid(1), json={"cols": 61, "rows": 4, "cells": []}))
    assert [loc for loc, _ in found] == [["body", "cols"]]
    found = problems(admin.put(house.grid(1), json={"cols": 10, "rows": 4, "cells": [cell(0, 0), cell(1, 0, 0, 1)]}))
    assert [loc for loc, _ in found] == [["body", "cells", 1, "w"]]  # the editor outlines cell 2


# --- who may, and the page --------------------------------------------------------------------------


def test_a_salesperson_cannot_save_or_open_the_editor(client_as, house):
    sales = client_as(Role.SALES)
    refused = sales.put(house.grid(1), json={"cols": 4, "rows": 1, "cells": []})
    assert refused.status_code == 403
    assert sales.get(house.page(1)).status_code == 403


def test_the_editor_page_shows_the_canvas_the_floor_and_its_flats(admin, house):
    admin.put(house.grid(2), json={"cols": 5, "rows": 2, "cells": [cell(0, 0, 2, 2, house.id("202"))]})
    page = admin.get(house.page(2))
    assert page.status_code == 200
    html = page.text
    for testid in (
        "grid-canvas",
        "save-grid",
        "undo",
        "cell-apartment",
        "grid-problems",
        "grid-status",
        "copy-from",
        "copy-to",
        "copy-grid",
        "version-row",
    ):
        assert f'data-testid="{testid}"' in html, testid
    assert html.count('data-testid="floor-link"') == FLOORS
    assert re.findall(r'data-floor="(\d+)"\s+class="current" aria-current="page"', html) == ["2"]

    data = editor_data(html)
    assert data["api_base"] == house.api and data["floor"] == 2
    assert sorted(a["number"] for a in data["apartments"]) == ["201", "202", "203"]
    assert data["grid"]["cells"] == [cell(0, 0, 2, 2, house.id("202"))]
    strings = re.search(r'<script type="application/json" id="editor-i18n">(.*?)</script>', html, re.S)
    assert "%(version)s" in json.loads(strings.group(1))["saved"]  # the script fills it in


def test_a_floor_or_building_that_does_not_exist_is_404(admin, house):
    assert admin.get(house.page(FLOORS + 1)).status_code == 404
    assert admin.get(house.page(0)).status_code == 404
    assert admin.get(f"/dashboard/admin/buildings/{house.building.id + 999}/floors/1/grid").status_code == 404
    assert admin.put(house.grid(FLOORS + 1), json={"cols": 4, "rows": 1, "cells": []}).status_code == 404


def test_an_out_of_range_size_is_refused_naming_it_and_the_old_size_stays(admin, house):
    admin.put(house.grid(1), json={"cols": 8, "rows": 3, "cells": []})
    for size, field in (
        ({"cols": 0, "rows": 3}, "cols"),
        ({"cols": 999, "rows": 3}, "cols"),
        ({"cols": 8, "rows": 0}, "rows"),
    ):
        refused = admin.put(house.grid(1), json={**size, "cells": []})
        assert refused.status_code == 422
        assert [d["loc"] for d in refused.json()["detail"]] == [["body", field]]
    kept = admin.get(house.grid(1)).json()
    assert (kept["version"], kept["cols"], kept["rows"]) == (1, 8, 3)
