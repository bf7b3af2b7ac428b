"""MOP pages: lead distribution (unassigned by default, ticked leads to a salesperson, clear
errors) and the booking extension queue (approve moves the expiry, reject leaves it)."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.auth.permissions import Role
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate, ExtensionRequest
from tests.factories import free_apartment, make_lead, make_user

HTMX = {"HX-Request": "true"}


def pending_extension(db, seller, hours=24):
    """An active booking of `seller` with an extension request waiting for the MOP."""
    apartment = free_apartment(db)
    lead = make_lead(db, seller, name="Лола Юсупова")
    booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
    bookings.request_extension(db, seller, booking.id, ExtensionRequest(hours=hours, reason="Ждёт перевод денег"))
    return booking


def expires_at(client, role: str, booking_id: int) -> datetime:
    """A booking's expiry as its JSON twin reports it."""
    items = client.get(f"/api/{role}/bookings", params={"page_size": 200}).json()["items"]
    return datetime.fromisoformat(next(b["expires_at"] for b in items if b["id"] == booking_id))


def test_assignment_page_lists_unassigned_leads_by_default(client_as, user_of, db):
    free_lead = make_lead(db, None, name="Ничей Лид")
    owned = make_lead(db, user_of(Role.SALES), name="Чужой Лид")
    mop = client_as(Role.MOP)
    page = mop.get("/dashboard/mop/assign")
    assert page.status_code == 200
    assert free_lead.name in page.text and owned.name not in page.text
    assert user_of(Role.SALES).display_name in page.text  # offered in the salesperson select
    everyone = mop.get("/dashboard/mop/assign", params={"unassigned": "false", "q": "Лид"}, headers=HTMX)
    assert free_lead.name in everyone.text and owned.name in everyone.text and "<html" not in everyone.text
    filtered = mop.get("/dashboard/mop/assign", params={"status": "lost"})
    assert free_lead.name not in filtered.text


def test_assigning_two_leads_through_the_form(client_as, user_of, db):
    seller = user_of(Role.SALES)
    first, second = make_lead(db, None, name="Первый"), make_lead(db, None, name="Второй")
    untouched = make_lead(db, None, name="Третий")
    mop = client_as(Role.MOP)
    done = mop.post(
        "/dashboard/mop/leads/assign",
        data={
            "lead_ids": [str(first.id), str(second.id)],
            "salesperson_id": str(seller.id),
            "back": "?unassigned=true&q=",
            "csrf_token": mop.csrf,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/dashboard/mop/assign?") and "done=2" in done.headers["location"]
    page = mop.get(done.headers["location"])
    assert 'data-testid="assigned"' in page.text and "2" in page.text.split('data-testid="assigned">')[1][:40]
    assert untouched.name in page.text and first.name not in page.text
    mine = {lead["id"]: lead for lead in client_as(Role.SALES).get("/api/sales/leads").json()["items"]}
    assert {first.id, second.id} <= set(mine) and untouched.id not in mine
    assert mine[first.id]["status"] == "in_work" and mine[first.id]["assigned"]["id"] == seller.id


def test_assignment_errors_are_shown_clearly(client_as, user_of, db):
    lead = make_lead(db, None, name="Без продавца")
    gone = make_user(db, Role.SALES, is_active=False)
    mop = client_as(Role.MOP)
    nothing = mop.post(
        "/dashboard/mop/leads/assign", data={"salesperson_id": str(user_of(Role.SALES).id), "csrf_token": mop.csrf}
    )
    assert nothing.status_code == 422 and 'data-testid="error-lead_ids"' in nothing.text
    inactive = mop.post(
        "/dashboard/mop/leads/assign",
        data={"lead_ids": [str(lead.id)], "salesperson_id": str(gone.id), "csrf_token": mop.csrf},
    )
    assert inactive.status_code == 422 and 'data-testid="error-salesperson_id"' in inactive.text
    assert f'value="{lead.id}" checked' in inactive.text  # the ticks survive the error
    nobody = mop.post("/dashboard/mop/leads/assign", data={"lead_ids": [str(lead.id)], "csrf_token": mop.csrf})
    assert nobody.status_code == 422 and 'data-testid="error-salesperson_id"' in nobody.text
    assert client_as(Role.ADMIN).get("/api/admin/leads", params={"unassigned": True}).json()["total"] >= 1


def test_sales_cannot_reach_the_mop_pages(client_as):
    sales = client_as(Role.SALES)
    assert sales.get("/dashboard/mop/assign").status_code == 403
    assert sales.get("/dashboard/mop/extensions").status_code == 403
    assert sales.post("/dashboard/mop/leads/assign", data={"csrf_token": sales.csrf}).status_code == 403
    assert sales.get("/dashboard/sales/assign").status_code == 404
    assert sales.get("/dashboard/sales/extensions").status_code == 404


def test_extension_queue_shows_the_request_and_approving_moves_the_expiry(client_as, user_of, db):
    booking = pending_extension(db, user_of(Role.SALES), hours=24)
    mop = client_as(Role.MOP)
    queue = mop.get("/dashboard/mop/extensions")
    assert queue.status_code == 200
    assert f'data-booking="{booking.id}"' in queue.text and "Ждёт перевод денег" in queue.text
    assert "Лола Юсупова" in queue.text and user_of(Role.SALES).display_name in queue.text
    before = expires_at(mop, "mop", booking.id)
    row = mop.post(
        f"/dashboard/mop/bookings/{booking.id}/extension/decision",
        data={"approve": "true", "csrf_token": mop.csrf},
        headers=HTMX,
    )
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr") and 'data-testid="outcome"' in row.text
    after = expires_at(mop, "mop", booking.id)
    assert (after - before).total_seconds() == pytest.approx(24 * 3600, abs=5)
    assert mop.get("/api/mop/extensions").json() == []
    assert 'data-testid="no-extensions"' in mop.get("/dashboard/mop/extensions").text
    twice = mop.post(
        f"/dashboard/mop/bookings/{booking.id}/extension/decision",
        data={"approve": "true", "csrf_token": mop.csrf},
        headers=HTMX,
    )
    assert twice.status_code == 409 and 'class="outcome error"' in twice.text


def test_rejecting_leaves_the_expiry(client_as, user_of, db):
    booking = pending_extension(db, user_of(Role.SALES))
    mop = client_as(Role.MOP)
    before = expires_at(mop, "mop", booking.id)
    done = mop.post(
        f"/dashboard/mop/bookings/{booking.id}/extension/decision", data={"approve": "false", "csrf_token": mop.csrf}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("/extensions?done=rejected")
    assert expires_at(mop, "mop", booking.id) == before
    status = next(b for b in mop.get("/api/mop/bookings").json()["items"] if b["id"] == booking.id)
    assert status["extension_status"] == "rejected"
    assert 'data-testid="decided"' in mop.get(done.headers["location"]).text


def test_admin_uses_the_same_pages(client_as, user_of, db):
    booking = pending_extension(db, user_of(Role.SALES))
    lead = make_lead(db, None, name="Для админа")
    admin = client_as(Role.ADMIN)
    assert lead.name in admin.get("/dashboard/admin/assign").text
    assert f'data-booking="{booking.id}"' in admin.get("/dashboard/admin/extensions").text
    assert f'data-booking="{booking.id}"' in admin.get("/dashboard/mop/extensions").text
