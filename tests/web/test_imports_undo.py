"""Undoing an applied import: what it created goes (payments are cancelled), what it changed gets its
values back, audited; refused with the changed rows (409) after a later edit, leaving everything as it was."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.audit.models import AuditEntry
from app.domain.finance.models import Payment, PaymentStatus
from app.domain.inventory.models import Apartment
from app.domain.leads.models import Lead
from app.domain.staff.attendance import attendance
from tests.factories import make_contract

API = "/api/admin/imports"
PAGE = "/dashboard/admin/imports"
APARTMENTS = (
    "ЖК;Блок;Номер;Этаж;Комнаты;Площадь;Цена за м²\nSunrise;A;601;5;2;62,5;1000\nSunrise;A;101;1;2;60;1200\n"
).encode()


def applied(client, content: bytes, kind: str, name: str = "file.csv") -> int:
    """Upload, preview and apply a file; the import's id."""
    created = client.post(API, data={"kind": kind}, files={"file": (name, content, "text/csv")})
    assert created.status_code == 201, created.text
    import_id = created.json()["id"]
    assert client.post(f"{API}/{import_id}/apply").json()["status"] == "done"
    return import_id


def price_of(db, number: str) -> Decimal | None:
    """The price per m² of apartment `number` (None when there is none)."""
    db.expire_all()
    return db.scalar(select(Apartment.price_per_m2).where(Apartment.number == number))


def test_undo_removes_what_was_created_and_restores_what_was_changed(client_as, db, sunrise):
    admin = client_as(Role.ADMIN)
    import_id = applied(admin, APARTMENTS, "apartments")
    assert price_of(db, "601") == Decimal("1000.00") and price_of(db, "101") == Decimal("1200.00")
    assert 'data-testid="undo-import"' in admin.get(f"{PAGE}/{import_id}").text
    undone = admin.post(f"{API}/{import_id}/undo")
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "undone"
    assert price_of(db, "601") is None and price_of(db, "101") == Decimal("1000.00")
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "apartment")).all()
    assert actions.count("undo") == 2
    assert admin.post(f"{API}/{import_id}/undo").status_code == 409  # once only
    assert "Отменён" in admin.get(f"{PAGE}/{import_id}").text
    assert admin.post(f"{API}/{import_id}/cancel").status_code == 409
    again = applied(admin, APARTMENTS, "apartments")  # the same file imports anew
    assert admin.get(f"{API}/{again}").json()["counts"] == {"create": 1, "update": 1, "unchanged": 0, "reject": 0}


def test_undo_is_refused_after_a_later_edit_and_changes_nothing(client_as, db, sunrise):
    admin = client_as(Role.ADMIN)
    import_id = applied(admin, APARTMENTS, "apartments")
    apartment_id = db.scalar(select(Apartment.id).where(Apartment.number == "601"))
    edit = {"number": "601", "floor": 5, "section": 1, "rooms": 3, "area": "62.50", "price_per_m2": "1000"}
    assert admin.put(f"/api/admin/apartments/{apartment_id}", json={**edit, "status": "free"}).status_code == 200
    refused = admin.post(f"{API}/{import_id}/undo")
    assert refused.status_code == 409
    assert refused.json()["changed"] == [{"entity": "apartment", "id": apartment_id, "key": "601", "reason": "changed"}]
    assert "601" in refused.json()["detail"] and "Импорт нельзя отменить" in refused.json()["detail"]
    assert price_of(db, "601") == Decimal("1000.00") and price_of(db, "101") == Decimal("1200.00")  # nothing partial
    assert admin.get(f"{API}/{import_id}").json()["status"] == "done"
    page = admin.post(f"{PAGE}/{import_id}/undo", data={"csrf_token": admin.csrf})
    assert page.status_code == 409
    assert 'data-testid="undo-error"' in page.text and "601 — изменено после импорта" in page.text


def test_undo_of_payments_cancels_them_and_the_balance_returns(client_as, db):
    contract = make_contract(db, price_per_m2="100", months=4)
    db.commit()
    admin, finance = client_as(Role.ADMIN), client_as(Role.FINANCE)
    content = f"Номер договора;Дата;Сумма;Способ оплаты\n{contract.number};15.01.2026;1500;наличные\n".encode()
    import_id = applied(admin, content, "payments")
    statement = f"/api/finance/contracts/{contract.id}/statement"
    assert finance.get(statement).json()["paid"] == "1500.00"
    assert admin.post(f"{API}/{import_id}/undo").json()["status"] == "undone"
    assert finance.get(statement).json()["paid"] == "0.00"
    assert db.scalars(select(Payment.status)).all() == [PaymentStatus.CANCELLED]
    applied(admin, content, "payments")  # imported again after the undo: recorded anew
    assert finance.get(statement).json()["paid"] == "1500.00"


def test_undo_of_leads_deletes_new_ones_unless_someone_worked_on_them(client_as, db):
    admin = client_as(Role.ADMIN)
    content = "Телефон;Имя\n+998901112233;Азиз\n+998901112234;Нодира\n".encode()
    first = applied(admin, content, "leads")
    assert admin.post(f"{API}/{first}/undo").json()["status"] == "undone"
    assert db.scalar(select(func.count()).select_from(Lead)) == 0
    second = applied(admin, content, "leads")
    lead_id = db.scalar(select(Lead.id).where(Lead.phone == "+998901112234"))
    assert admin.post(f"/api/admin/leads/{lead_id}/comments", json={"text": "Перезвонить"}).status_code == 201
    refused = admin.post(f"{API}/{second}/undo")
    assert refused.status_code == 409
    assert [(c["key"], c["reason"]) for c in refused.json()["changed"]] == [("+998901112234", "activity")]
    assert db.scalar(select(func.count()).select_from(Lead)) == 2


def test_new_leads_given_out_automatically_can_still_be_undone(client_as, db, user_of):
    seller = user_of(Role.SALES)
    attendance.check_in(db, seller)
    db.commit()
    admin = client_as(Role.ADMIN)
    import_id = applied(admin, "Телефон;Имя\n+998901112233;Азиз\n".encode(), "leads")
    db.expire_all()
    assert db.scalar(select(Lead.assigned_id)) == seller.id  # distribution gave it out
    assert admin.post(f"{API}/{import_id}/undo").json()["status"] == "undone"
    assert db.scalar(select(func.count()).select_from(Lead)) == 0
