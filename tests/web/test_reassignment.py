"""A lead given to another salesperson takes its bookings and contracts along: the old one loses
the buyer's name and phone, the booking, its extension and the contract form (HTML and JSON);
the new one continues the deal; the audit log records the move. Merging keeps the same rule."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.permissions import Role
from app.domain.audit.models import AuditEntry
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from tests.factories import free_apartment, make_contract, make_lead, make_user
from tests.web.test_contract_pages import browser_for, terms

BUYER = "Фарход Юсупов"
PHONE = "+998901112233"


def booked_lead(db, seller):
    """A lead of `seller` holding an active booking."""
    lead = make_lead(db, seller, name=BUYER, phone=PHONE)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=lead.id), 72)
    return lead, booking


def reassign(client_as, lead_id: int, seller_id: int) -> None:
    """The MOP gives the lead to another salesperson through the JSON route."""
    answer = client_as(Role.MOP).post(
        "/api/mop/leads/assign", json={"lead_ids": [lead_id], "salesperson_id": seller_id}
    )
    assert answer.json() == {"changed": 1}


def audit_of(db, entity: str, entity_id: int) -> list[AuditEntry]:
    """The audit entries of one row, oldest first."""
    q = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
    return list(db.scalars(q.order_by(AuditEntry.id)))


def test_old_salesperson_loses_the_booking_after_reassignment(app, client_as, user_of, db):
    old_seller, new_seller = user_of(Role.SALES), make_user(db, Role.SALES, full_name="Новый Продажник")
    lead, booking = booked_lead(db, old_seller)
    old, new = client_as(Role.SALES), browser_for(app, new_seller)
    reassign(client_as, lead.id, new_seller.id)

    assert all(b["id"] != booking.id for b in old.get("/api/sales/bookings").json()["items"])
    listed = old.get("/dashboard/sales/bookings")
    assert listed.status_code == 200 and BUYER not in listed.text and PHONE not in listed.text
    extension = {"hours": 24, "reason": "Ждёт деньги"}
    assert old.post(f"/api/sales/bookings/{booking.id}/extension", json=extension).status_code == 404
    assert (
        old.post(
            f"/dashboard/sales/bookings/{booking.id}/extension", data={**extension, "csrf_token": old.csrf}
        ).status_code
        == 404
    )
    assert old.post(f"/api/sales/bookings/{booking.id}/cancel", json={"reason": "x"}).status_code == 404
    assert old.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id}).status_code == 404
    body = {k: v for k, v in terms(booking, "").items() if k != "csrf_token"}
    body["buyer_phone"], body["down_payment"] = PHONE, "18000"
    assert old.post("/api/sales/contracts", json=body).status_code == 404
    assert old.post("/dashboard/sales/contracts", data=terms(booking, old.csrf)).status_code == 404

    assert any(b["id"] == booking.id for b in new.get("/api/sales/bookings").json()["items"])
    assert BUYER in new.get("/dashboard/sales/bookings").text
    form = new.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id})
    assert form.status_code == 200 and PHONE in form.text
    made = new.post("/api/sales/contracts", json=body)
    assert made.status_code == 201 and made.json()["salesperson_id"] == new_seller.id
    assert new.get(f"/dashboard/sales/contracts/{made.json()['id']}").status_code == 200
    assert old.get(f"/api/sales/contracts/{made.json()['id']}").status_code == 404

    moved = [e for e in audit_of(db, "booking", booking.id) if e.action == "assign"]
    assert len(moved) == 1
    assert moved[0].before["salesperson_id"] == old_seller.id and moved[0].after["salesperson_id"] == new_seller.id
    assert moved[0].actor_id == user_of(Role.MOP).id


def test_the_new_owner_converts_through_the_html_form(app, client_as, user_of, db):
    old_seller, new_seller = user_of(Role.SALES), make_user(db, Role.SALES)
    lead, booking = booked_lead(db, old_seller)
    reassign(client_as, lead.id, new_seller.id)
    new = browser_for(app, new_seller)
    made = new.post("/dashboard/sales/contracts", data=terms(booking, new.csrf))
    assert made.status_code == 303 and "saved=created" in made.headers["location"]
    assert new.get(f"/dashboard/sales/leads/{lead.id}").text.count(BUYER) >= 1


def test_a_signed_contract_follows_the_lead(app, client_as, user_of, db):
    contract = make_contract(db)
    old_seller = db.get(type(user_of(Role.SALES)), contract.salesperson_id)
    new_seller = make_user(db, Role.SALES)
    old, new = browser_for(app, old_seller), browser_for(app, new_seller)
    assert old.get(f"/api/sales/contracts/{contract.id}").status_code == 200
    reassign(client_as, contract.lead_id, new_seller.id)

    assert old.get(f"/api/sales/contracts/{contract.id}").status_code == 404
    assert old.get(f"/dashboard/sales/contracts/{contract.id}").status_code == 404
    assert old.get("/api/sales/contracts").json()["total"] == 0
    assert new.get(f"/api/sales/contracts/{contract.id}").status_code == 200
    assert new.get(f"/dashboard/sales/contracts/{contract.id}").status_code == 200
    moved = [e for e in audit_of(db, "contract", contract.id) if e.action == "assign"]
    assert [(e.before["salesperson_id"], e.after["salesperson_id"]) for e in moved] == [(old_seller.id, new_seller.id)]
    converted = [e for e in audit_of(db, "booking", contract.booking_id) if e.action == "assign"]
    assert len(converted) == 1  # the converted booking moved too


def test_audit_page_shows_the_move_in_words(client_as, user_of, db):
    old_seller = make_user(db, Role.SALES, full_name="Старый Продажник")
    new_seller = make_user(db, Role.SALES, full_name="Новый Продажник")
    _, booking = booked_lead(db, old_seller)
    reassign(client_as, booking.lead_id, new_seller.id)
    page = client_as(Role.ADMIN).get("/dashboard/admin/audit", params={"entity": "booking"})
    assert page.status_code == 200
    assert "Старый Продажник" in page.text and "Новый Продажник" in page.text


def test_merge_moves_the_duplicates_booking_to_the_survivors_salesperson(app, client_as, user_of, db):
    old_seller, keeper = user_of(Role.SALES), make_user(db, Role.SALES)
    duplicate, booking = booked_lead(db, old_seller)
    survivor = make_lead(db, keeper, name="Фарход")
    merged = client_as(Role.MOP).post("/api/mop/leads/merge", json={"keep_id": survivor.id, "merge_id": duplicate.id})
    assert merged.status_code == 200 and merged.json()["assigned"]["id"] == keeper.id

    old, new = client_as(Role.SALES), browser_for(app, keeper)
    extension = {"hours": 24, "reason": "Ждёт деньги"}
    assert old.post(f"/api/sales/bookings/{booking.id}/extension", json=extension).status_code == 404
    assert old.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id}).status_code == 404
    assert new.post(f"/api/sales/bookings/{booking.id}/extension", json=extension).status_code == 200
    assert new.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id}).status_code == 200
    moved = [e for e in audit_of(db, "booking", booking.id) if e.action == "assign"]
    assert [(e.before["salesperson_id"], e.after["salesperson_id"]) for e in moved] == [(old_seller.id, keeper.id)]
