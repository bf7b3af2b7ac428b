"""The MOP's callback board (late callbacks of every salesperson, how late, nudge, reassign), the
late count on the team table, and the homes: the MOP's floor and the salesperson's day."""

from __future__ import annotations

from datetime import timedelta

from app.auth.permissions import Role
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.domain.staff.attendance import attendance
from tests.factories import free_apartment, make_lead, make_user

HTMX = {"HX-Request": "true"}


def late_lead(db, owner, hours: float = 3, name: str = "Опоздание"):
    """An open lead of `owner` whose callback was due `hours` ago."""
    return make_lead(db, owner, name=name, next_callback_at=clock.now() - timedelta(hours=hours))


def test_board_lists_every_salespersons_late_callbacks_and_how_late(client_as, user_of, db):
    first, second = user_of(Role.SALES), make_user(db, Role.SALES, full_name="Второй Продажник")
    old = late_lead(db, first, hours=27, name="Давний")
    fresh = late_lead(db, second, hours=0.5, name="Свежий")
    make_lead(db, first, name="Завтра", next_callback_at=clock.now() + timedelta(days=1))
    mop = client_as(Role.MOP)
    data = mop.get("/api/mop/callback-board").json()
    assert [row["lead"]["id"] for row in data] == [old.id, fresh.id]
    assert data[0]["late_minutes"] // 60 == 27 and data[1]["late_minutes"] == 30
    page = mop.get("/dashboard/mop/callback-board").text
    assert "Давний" in page and "Свежий" in page and "Завтра" not in page
    assert "1 дн 3 ч" in page and "30 мин" in page
    only = mop.get("/api/mop/callback-board", params={"salesperson_id": second.id}).json()
    assert [row["lead"]["id"] for row in only] == [fresh.id]
    assert client_as(Role.SALES).get("/api/mop/callback-board").status_code == 403


def test_a_nudge_shows_on_the_salespersons_home_until_the_callback_is_dealt_with(client_as, user_of, db):
    seller = user_of(Role.SALES)
    lead = late_lead(db, seller, name="Напомнить Клиенту")
    mop = client_as(Role.MOP)
    toast = mop.post(f"/dashboard/mop/callback-board/{lead.id}/nudge", headers=HTMX)
    assert toast.status_code == 201 and "Продажнику отправлено напоминание" in toast.text
    assert mop.post(f"/api/mop/callback-board/{lead.id}/nudge").status_code == 201
    sales = client_as(Role.SALES)
    home = sales.get("/dashboard/sales/").text
    assert "Напоминания от МОПа" in home and "Напомнить Клиенту" in home
    assert len(sales.get("/api/sales/").json()["nudges"]) == 1  # one per lead, the latest
    later = (clock.now() + timedelta(days=1)).isoformat()
    sales.post(f"/api/sales/leads/{lead.id}/edit", json={"next_callback_at": later})
    assert sales.get("/api/sales/").json()["nudges"] == []
    refused = mop.post(f"/api/mop/callback-board/{lead.id}/nudge")
    assert refused.status_code == 409 and refused.json()["detail"] == "Этот звонок уже не просрочен."


def test_reassigning_a_late_lead_in_one_click(client_as, user_of, db):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES, full_name="Свободный Продажник")
    lead = late_lead(db, seller)
    mop = client_as(Role.MOP)
    done = mop.post(
        f"/dashboard/mop/callback-board/{lead.id}/reassign",
        data={"salesperson_id": str(other.id), "csrf_token": mop.csrf},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=reassigned")
    assert mop.get(f"/api/mop/leads/{lead.id}").json()["assigned"]["id"] == other.id
    empty = mop.post(f"/dashboard/mop/callback-board/{lead.id}/reassign", data={"csrf_token": mop.csrf}, headers=HTMX)
    assert empty.status_code == 422 and "Выберите продажника" in empty.text
    twin = mop.post(f"/api/mop/callback-board/{lead.id}/reassign", json={"salesperson_id": seller.id})
    assert twin.status_code == 200 and twin.json()["assigned"]["id"] == seller.id


def test_the_mops_home_shows_the_floor_with_links(client, client_as, user_of, db):
    seller = user_of(Role.SALES)
    late_lead(db, seller)
    late_lead(db, seller)
    make_lead(db, None, name="Ничей")
    attendance.check_in(db, seller)
    mop = client_as(Role.MOP)
    data = mop.get("/api/mop/").json()
    assert data["counters"]["callbacks_late"] == 2 and data["counters"]["on_shift_sales"] == 1
    assert data["counters"]["leads_unassigned"] == 0  # the check-in handed the waiting lead out
    assert [p["user_id"] for p in data["on_shift"]] == [seller.id]
    member = next(m for m in data["team"] if m["id"] == seller.id)
    assert member["on_shift"] is True and member["late_callbacks"] == 2
    page = mop.get("/dashboard/mop/").text
    for href in (
        "/dashboard/mop/assign?unassigned=true",
        "/dashboard/mop/attendance",
        "/dashboard/mop/callback-board",
        "/dashboard/mop/extensions",
        f"/dashboard/mop/callback-board?salesperson_id={seller.id}",
    ):
        assert f'href="{href}"' in page, href
    assert "Просроченные звонки" in page and "На смене сейчас" in page


def test_the_salespersons_home_lists_todays_callbacks_and_bookings_running_out(client_as, user_of, db):
    seller = user_of(Role.SALES)
    due = make_lead(db, seller, name="Позвонить Сегодня", next_callback_at=clock.now() + timedelta(minutes=30))
    buyer = make_lead(db, seller, name="Бронь Истекает")
    bookings.create(db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=buyer.id, hours=5), 72)
    later = make_lead(db, seller, name="Бронь Надолго")
    bookings.create(db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=later.id), 72)
    sales = client_as(Role.SALES)
    data = sales.get("/api/sales/").json()
    assert [lead["id"] for lead in data["callbacks_today"]] == [due.id]
    assert [b["lead_id"] for b in data["bookings_expiring"]] == [buyer.id]
    assert not any(key.startswith("active_") for key in data["counters"])  # no other roles' counters
    page = sales.get("/dashboard/sales/").text
    assert f'href="/dashboard/sales/leads/{due.id}"' in page and f'href="/dashboard/sales/leads/{buyer.id}"' in page
    assert f'href="/dashboard/sales/leads/{later.id}" data-testid="booking-expiring"' not in page
    assert "Звонки на сегодня" in page and "Брони, истекающие в ближайшие 24 ч" in page
