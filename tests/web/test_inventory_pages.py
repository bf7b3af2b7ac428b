"""Admin inventory pages and JSON twins; the staff grid for every role that sells or accounts;
the leads lists; uploads checked for type and size."""

from __future__ import annotations

import io

import pytest

from app.auth.permissions import Role
from app.domain.inventory.crud import apartments
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadRequest
from tests.factories import make_building, make_complex, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_create_complex_through_the_form_then_json_twin_sees_it(client_as):
    admin = client_as(Role.ADMIN)
    bad = admin.post("/dashboard/admin/complexes", data={"name": "", "slug": "Bad Slug", "csrf_token": admin.csrf})
    assert bad.status_code == 422
    assert 'data-testid="error-name"' in bad.text and 'data-testid="error-slug"' in bad.text
    ok = admin.post(
        "/dashboard/admin/complexes",
        data={
            "name": "ЖК Новый",
            "slug": "novyi",
            "city": "Ташкент",
            "currency": "USD",
            "csrf_token": admin.csrf,
        },
    )
    assert ok.status_code == 303
    found = admin.get("/api/admin/complexes", params={"q": "нов"}).json()["items"]
    assert [(c["slug"], c["currency"], c["is_public"]) for c in found] == [("novyi", "USD", False)]


def test_building_and_generation_through_pages(client_as, db):
    complex_ = make_complex(db)
    admin = client_as(Role.ADMIN)
    made = admin.post(
        f"/dashboard/admin/complexes/{complex_.id}/buildings",
        data={"name": "Блок 1", "floors": "4", "sections": "1", "csrf_token": admin.csrf},
    )
    assert made.status_code == 303
    building_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    bad = admin.post(
        f"/dashboard/admin/buildings/{building_id}/generate",
        data={"units_per_floor": "0", "price_per_m2": "x", "csrf_token": admin.csrf},
    )
    assert bad.status_code == 422 and 'data-testid="error-units_per_floor"' in bad.text
    ok = admin.post(
        f"/dashboard/admin/buildings/{building_id}/generate",
        data={
            "units_per_floor": "3",
            "first_floor": "1",
            "numbering": "floor",
            "rooms": "2",
            "area": "55.5",
            "price_per_m2": "1200",
            "csrf_token": admin.csrf,
        },
    )
    assert ok.status_code == 303 and "generated-12-0" in ok.headers["location"]
    page = admin.get(f"/dashboard/admin/buildings/{building_id}")
    assert page.text.count('data-testid="floor-editor-link"') == 4


def test_apartment_list_filters_and_bulk_through_the_form(client_as, db):
    building = make_building(db, make_complex(db).id, floors=2, units=2)
    flats = apartments.for_building(db, building.id)
    admin = client_as(Role.ADMIN)
    page = admin.get("/dashboard/admin/apartments", params={"building_id": building.id, "floor": 2})
    assert page.text.count('data-testid="apartment-row"') == 2
    done = admin.post(
        "/dashboard/admin/apartments/bulk",
        data={
            "ids": [str(flats[0].id), str(flats[1].id)],
            "action": "mark_not_for_sale",
            "csrf_token": admin.csrf,
            "back": f"?building_id={building.id}",
        },
    )
    assert done.status_code == 303 and "done=2-0" in done.headers["location"]
    api = admin.get("/api/admin/apartments", params={"building_id": building.id, "status": "not_for_sale"}).json()
    assert api["total"] == 2


def test_apartment_edit_errors_and_conflicts(client_as, db):
    building = make_building(db, make_complex(db).id, floors=2, units=2)
    flat, other = apartments.for_building(db, building.id)[:2]
    admin = client_as(Role.ADMIN)
    body = {
        "number": other.number,
        "floor": "1",
        "section": "1",
        "rooms": "2",
        "area": "40",
        "price_per_m2": "10",
        "status": "free",
        "csrf_token": admin.csrf,
    }
    taken = admin.post(f"/dashboard/admin/apartments/{flat.id}", data=body)
    assert taken.status_code == 422 and 'data-testid="error-number"' in taken.text
    api = admin.put(f"/api/admin/apartments/{flat.id}", json={**body, "number": "A-1", "area": "-1"})
    assert api.status_code == 422 and any(d["loc"][-1] == "area" for d in api.json()["detail"])
    ok = admin.put(f"/api/admin/apartments/{flat.id}", json={**body, "number": "A-1"})
    assert ok.status_code == 200 and ok.json()["total_price"] == "400.00"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"GIF89a not allowed", "JPEG, PNG or WebP"),
        (b"<?php echo 1; ?>", "JPEG, PNG or WebP"),
        (PNG + b"\x00" * (1024 * 1024 + 10), "larger than 1 MB"),
    ],
)
def test_uploads_are_checked_for_type_and_size(app, client_as, user_of, db, payload, message, tmp_path):
    app.state.settings.max_upload_mb = 1
    complex_ = make_complex(db)
    user_of(Role.ADMIN).language = "en"  # the messages below are the English ones
    admin = client_as(Role.ADMIN)
    files = {"image": ("picture.png", io.BytesIO(payload), "image/png")}
    page = admin.post(f"/dashboard/admin/complexes/{complex_.id}/images", files=files, data={"csrf_token": admin.csrf})
    assert page.status_code == 422 and message in page.text
    api = admin.post(
        f"/api/admin/complexes/{complex_.id}/images", files={"image": ("p.png", io.BytesIO(payload), "image/png")}
    )
    assert api.status_code == 422
    media = app.state.settings.media_dir
    assert not any(media.rglob("*.*"))  # nothing left behind


def test_good_upload_is_served_under_media(client_as, db, app):
    complex_ = make_complex(db)
    admin = client_as(Role.ADMIN)
    response = admin.post(
        f"/api/admin/complexes/{complex_.id}/images", files={"image": ("p.png", io.BytesIO(PNG), "image/png")}
    )
    assert response.status_code == 201
    served = admin.get(f"/media/{response.json()['path']}")
    assert served.status_code == 200 and served.content == PNG


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SALES, Role.MOP, Role.ROP, Role.FINANCE])
def test_staff_grid_for_selling_and_accounting_roles(client_as, db, role):
    complex_ = make_complex(db)
    building = make_building(db, complex_.id, floors=3, units=2)
    browser = client_as(role)
    base = f"/dashboard/{role.value}"
    index = browser.get(f"{base}/grid")
    assert f"{base}/buildings/{building.id}/grid" in index.text
    page = browser.get(f"{base}/buildings/{building.id}/grid")
    assert page.text.count('data-testid="apt"') == 6
    floors = [line for line in page.text.split('data-floor="')[1:]]
    assert [f.split('"')[0] for f in floors] == ["3", "2", "1"]  # top floor first
    flat = apartments.for_building(db, building.id)[0]
    card = browser.get(f"{base}/apartment-cards/{flat.id}", headers={"HX-Request": "true"})
    assert 'data-testid="apartment-card"' in card.text and "<html" not in card.text
    data = browser.get(f"/api/{role.value}/buildings/{building.id}/grid").json()
    assert [f["floor"] for f in data["floors"]] == [3, 2, 1]


def test_dispatcher_has_no_grid(client_as, db):
    building = make_building(db, make_complex(db).id, floors=1, units=1)
    dispatcher = client_as(Role.DISPATCHER)
    assert dispatcher.get(f"/dashboard/dispatcher/buildings/{building.id}/grid").status_code == 404
    assert dispatcher.get(f"/dashboard/sales/buildings/{building.id}/grid").status_code == 403


def test_staff_grid_polling_answers_204_until_something_changes(client_as, db):
    building = make_building(db, make_complex(db).id, floors=1, units=2)
    sales = client_as(Role.SALES)
    url = f"/dashboard/sales/buildings/{building.id}/grid"
    version = int(sales.get(url).text.split('data-version="')[1].split('"')[0])
    assert sales.get(url, params={"since": version}, headers={"HX-Request": "true"}).status_code == 204
    flat = apartments.for_building(db, building.id)[0]
    admin = client_as(Role.ADMIN)
    body = {
        "number": flat.number,
        "floor": 1,
        "section": 1,
        "rooms": 1,
        "area": "30",
        "price_per_m2": "1",
        "status": "sold",
    }
    assert admin.put(f"/api/admin/apartments/{flat.id}", json=body).status_code == 200
    fresh = sales.get(url, params={"since": version}, headers={"HX-Request": "true"})
    assert fresh.status_code == 200 and f'data-apartment-id="{flat.id}" data-status="sold"' in fresh.text
    assert fresh.text.lstrip().startswith('<div id="grid-live"')


def test_drawn_floor_is_laid_out_by_its_cells(client_as, db):
    building = make_building(db, make_complex(db).id, floors=2, units=2)
    first, second = [a for a in apartments.for_building(db, building.id) if a.floor == 1]
    admin = client_as(Role.ADMIN)
    layout = {
        "cols": 6,
        "rows": 2,
        "cells": [
            {"x": 0, "y": 0, "w": 4, "h": 2, "apartment_id": first.id},
            {"x": 4, "y": 0, "w": 2, "h": 1, "apartment_id": second.id},
        ],
    }
    assert admin.put(f"/api/admin/buildings/{building.id}/floors/1/grid", json=layout).status_code == 200
    page = admin.get(f"/dashboard/admin/buildings/{building.id}/grid").text
    assert 'data-grid-size="6 2"' in page  # x y w h, applied by static/js/app.js (no inline styles)
    assert f'data-grid-area="1 1 4 2" data-testid="apt" data-apartment-id="{first.id}"' in page
    data = admin.get(f"/api/mop/buildings/{building.id}/grid").json()
    drawn = next(f for f in data["floors"] if f["floor"] == 1)
    assert (drawn["cols"], len(drawn["cells"]), drawn["cells"][0]["apartment"]["id"]) == (6, 2, first.id)


def test_leads_lists_respect_row_scope(client_as, db, user_of):
    seller = user_of(Role.SALES)
    mine, _ = leads.submit_request(db, LeadRequest(name="Mine", phone="+998901111111"), "a")
    leads.submit_request(db, LeadRequest(name="Someone Else", phone="+998902222222"), "b")
    mine.assigned_id = seller.id
    db.flush()
    sales = client_as(Role.SALES)
    assert [x["name"] for x in sales.get("/api/sales/leads").json()["items"]] == ["Mine"]
    assert "Someone Else" not in sales.get("/dashboard/sales/leads").text
    assert "Someone Else" not in sales.get("/dashboard/sales/leads/export").text
    mop = client_as(Role.MOP)
    found = mop.get("/api/mop/leads", params={"q": "2222"}).json()
    assert set(found) == {"items", "total", "page", "page_size"} and found["items"][0]["name"] == "Someone Else"
    page = mop.get("/dashboard/mop/leads", params={"q": "someone"})
    assert page.text.count('data-testid="lead-row"') == 1
    assert client_as(Role.FINANCE).get("/api/finance/leads").status_code == 404


def test_lead_list_runs_a_fixed_number_of_queries(client_as, db, count_queries):
    mop = client_as(Role.MOP)
    complex_ = make_complex(db)
    make_building(db, complex_.id, floors=1, units=1)  # public once it has apartments
    leads.submit_request(db, LeadRequest(name="One", phone="+998901000001", complex_slug=complex_.slug), "a")

    def queries() -> int:
        with count_queries() as statements:
            assert mop.get("/dashboard/mop/leads").status_code == 200
        return len(statements)

    few = queries()
    for n in range(2, 12):
        lead, _ = leads.submit_request(
            db, LeadRequest(name=f"L{n}", phone=f"+9989010000{n:02d}", complex_slug=complex_.slug), f"addr{n}"
        )
        lead.assigned_id = make_user(db, Role.SALES).id
    db.flush()
    assert queries() == few


def test_staff_grid_marks_sold_apartments_with_overdue_payments(client_as, db):
    from datetime import date

    from app.domain.inventory.models import Apartment
    from tests.factories import make_contract

    contract = make_contract(db, price_per_m2="100", months=3, start=date(2025, 1, 10))
    apartment = db.get(Apartment, contract.apartment_id)
    page = client_as(Role.FINANCE).get(f"/dashboard/finance/buildings/{apartment.building_id}/grid").text
    marked = page.split(f'data-apartment-id="{contract.apartment_id}"')[1].split("</button>")[0]
    assert 'data-testid="overdue"' in marked and "!" in marked
