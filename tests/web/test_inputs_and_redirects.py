"""Ids and page numbers typed into queries and forms never give a 500, and no user-supplied address
sends the browser off the site (or splits the response with a newline)."""

from __future__ import annotations

import pytest

from app.auth.permissions import Role
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.web.forms import optional_int
from app.web.redirects import safe_path
from tests.conftest import csrf_from
from tests.factories import PASSWORD, free_apartment, make_lead, make_user

BAD_NUMBERS = ["²", "٣", "99999999999999999999", "-1", "", "0", "1e3", " 7"]
OFFSITE = ["//evil.com", "/\\evil.com", "https://evil.com", "/dashboard/sales/x\r\nSet-Cookie: a=b"]


def test_optional_int_takes_only_ascii_digits_within_bounds():
    assert optional_int("42") == 42 and optional_int(7) == 7
    for text in BAD_NUMBERS:
        assert optional_int(text) is None, text
    assert optional_int(None) is None and optional_int(True) is None
    assert optional_int("0", lo=0) == 0 and optional_int("11", hi=10) is None
    assert optional_int(str(2**31 - 1)) == 2**31 - 1 and optional_int(str(2**31)) is None


def test_safe_path_keeps_only_same_site_paths_under_within():
    for target in [*OFFSITE, "", None, "javascript:alert(1)", "dashboard", "/\t/evil.com", "/%2F%2Fevil.com"]:
        assert safe_path(target, fallback="/home") == "/home", target
    assert safe_path("/dashboard/sales/leads/1?note=x", fallback="/") == "/dashboard/sales/leads/1?note=x"
    base = "/dashboard/sales"
    assert safe_path("/dashboard/sales/bookings?status=active", within=base, fallback="/f") == (
        "/dashboard/sales/bookings?status=active"
    )
    assert safe_path("/dashboard/sales", within=base, fallback="/f") == "/dashboard/sales"
    for target in [
        "/dashboard/salesx",
        "/dashboard/admin/",
        "/dashboard/sales/../admin/",
        "/dashboard/sales/%2e%2e/admin",
    ]:
        assert safe_path(target, within=base, fallback="/f") == "/f", target


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_odd_ids_in_queries_give_no_500(client_as, user_of, db, text):
    sales = client_as(Role.SALES)
    picker = sales.get("/dashboard/sales/contracts/new", params={"booking_id": text})
    assert picker.status_code == 200 and "<html" in picker.text  # the booking picker
    kanban = sales.get("/dashboard/sales/kanban", params={"page_new": text})
    assert kanban.status_code == 200
    selects = sales.get("/dashboard/sales/bookings/picker", params={"complex_id": text, "building_id": text})
    assert selects.status_code == 200
    options = sales.get("/dashboard/sales/leads/options", params={"apartment_id": text, "selected": text})
    assert options.status_code == 200


@pytest.mark.parametrize("text", ["²", "99999999999999999999", "-1", ""])
def test_odd_ids_in_forms_are_refused_not_crashed(client_as, user_of, db, text):
    sales = client_as(Role.SALES)
    contract = sales.post("/dashboard/sales/contracts", data={"booking_id": text, "csrf_token": sales.csrf})
    assert contract.status_code == 422 and "<html" in contract.text  # the booking picker, with the error
    if text != "99999999999999999999":  # a valid-looking id past the database's range: the schema's to bound
        booking = sales.post(
            "/dashboard/sales/bookings", data={"lead_id": text, "apartment_id": "1", "csrf_token": sales.csrf}
        )
        assert booking.status_code == 422
    finance = client_as(Role.FINANCE)
    payment = finance.post("/dashboard/finance/payments", data={"contract_id": text, "csrf_token": finance.csrf})
    assert payment.status_code == 422


@pytest.mark.parametrize("target", OFFSITE)
def test_login_never_follows_next_off_the_site(client, db, target):
    make_user(db, Role.SALES, username="seller")
    token = csrf_from(client)
    form = {"username": "seller", "password": PASSWORD, "csrf_token": token, "next": target}
    response = client.post("/login", data=form)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/sales/"
    assert "a=b" not in response.headers.get("set-cookie", "")
    again = client.get("/login", params={"next": target})
    assert again.status_code == 303 and again.headers["location"] == "/dashboard/sales/"


@pytest.mark.parametrize("target", [*OFFSITE, "/dashboard/sales/../admin/", "/dashboard/mop/leads"])
def test_booking_next_stays_on_the_dashboard(client_as, user_of, db, target):
    seller = user_of(Role.SALES)
    flat = free_apartment(db)
    lead = make_lead(db, seller)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=lead.id), 72)
    sales = client_as(Role.SALES)
    done = sales.post(f"/dashboard/sales/bookings/{booking.id}/cancel", data={"next": target, "csrf_token": sales.csrf})
    assert done.status_code == 303
    assert done.headers["location"] == f"/dashboard/sales/leads/{lead.id}?note=cancelled"


def test_booking_next_on_the_dashboard_is_followed(client_as, user_of, db):
    seller = user_of(Role.SALES)
    flat = free_apartment(db)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=make_lead(db, seller).id), 72)
    sales = client_as(Role.SALES)
    back = "/dashboard/sales/bookings?status=active"
    done = sales.post(f"/dashboard/sales/bookings/{booking.id}/cancel", data={"next": back, "csrf_token": sales.csrf})
    assert done.status_code == 303 and done.headers["location"] == back


@pytest.mark.parametrize("back", [*OFFSITE, "?q=x\r\nSet-Cookie: a=b", "/../../admin"])
def test_assignment_back_returns_only_to_the_list(client_as, user_of, db, back):
    seller = user_of(Role.SALES)
    lead = make_lead(db, None, name="Новый")
    mop = client_as(Role.MOP)
    form = {"lead_ids": [str(lead.id)], "salesperson_id": str(seller.id), "back": back, "csrf_token": mop.csrf}
    done = mop.post("/dashboard/mop/leads/assign", data=form)
    assert done.status_code == 303
    assert done.headers["location"] == "/dashboard/mop/assign?unassigned=true&done=1"
