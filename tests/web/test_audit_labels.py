"""The audit log and the recent actions read as sentences in Russian: kinds, actions and fields
translated, rows named rather than numbered, values as people read them; names are loaded one
query per kind. Lead history and contract pages use words, not codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

from app.auth.permissions import Role
from app.domain.audit.crud import audit
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate, ExtensionRequest
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCreate
from app.domain.inventory.crud import apartments
from tests.factories import make_building, make_complex, make_lead, make_user

ROW = re.compile(r'<tr data-testid="audit-row">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


def bahor_apartment(db, slug: str = "bahor"):
    """The first apartment of a one-flat building in «ЖК Бахор»."""
    complex_ = make_complex(db, slug, name="ЖК Бахор")
    building = make_building(db, complex_.id, name="Корпус 1", floors=1, units=1)
    return apartments.for_building(db, building.id)[0]


def booked(db, seller, slug: str = "bahor"):
    """An apartment of ЖК Бахор booked by `seller` for a new lead, with an extension requested."""
    apartment = bahor_apartment(db, slug)
    lead = make_lead(db, seller, name="Рустам Хакимов")
    booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
    bookings.request_extension(db, seller, booking.id, ExtensionRequest(hours=24, reason="Ждёт перевод"))
    return apartment, lead, booking


def rows_text(html: str) -> list[str]:
    """The audit rows' text, tags stripped and spaces squeezed."""
    return [" ".join(unescape(TAG.sub(" ", row)).split()).replace(" :", ":") for row in ROW.findall(html)]


def test_recent_actions_name_the_booking_and_say_what_was_done(client_as, user_of, db):
    seller = user_of(Role.SALES)
    apartment, _, _ = booked(db, seller)
    page = client_as(Role.SALES).get("/dashboard/sales/").text
    assert f"Бронь кв. {apartment.number}, ЖК Бахор: запрошено продление" in page
    assert f"Бронь кв. {apartment.number}, ЖК Бахор: создана" in page
    assert "request_extension" not in page and "booking #" not in page


def test_audit_rows_read_in_russian(client_as, user_of, db):
    seller = user_of(Role.SALES)
    apartment, lead, booking = booked(db, seller)
    contract = contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name="Хакимов Рустам",
            buyer_passport="AB1234567",
            buyer_phone="+998901234567",
            down_payment=Decimal("12000"),
            months=4,
            start_date=date(2026, 1, 10),
        ),
        5,
    )
    target = make_user(db, Role.FINANCE, full_name="Бахтиёр Ташкентов")
    entry = audit.record(db, None, "user", target.id, "update", {"is_active": True}, {"is_active": False})
    entry.at = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    db.flush()
    admin = client_as(Role.ADMIN)
    text = "\n".join(rows_text(admin.get("/dashboard/admin/audit", params={"page_size": 100}).text))
    assert f"Бронь кв. {apartment.number}, ЖК Бахор запрошено продление" in text
    assert "Продление: — → Запрошено продление" in text and "Продление: — → —" not in text
    assert f"Лид: — → {lead.name}" in text and f"Продажник: — → {seller.display_name}" in text
    assert f"Договор № {contract.number} заключён" in text
    assert "Статус: — → Действует" in text
    assert "Первоначальный взнос: — → 12 000 сум" in text
    assert "Дата начала: — → 10.01.2026" in text
    assert "Пользователь Бахтиёр Ташкентов изменён Активен: Да → Нет" in text
    assert "ЖК Бахор создан" in text and "ЖК ЖК" not in text and "Корпус Корпус" not in text
    assert "02.03.2026, 01:30:00" in text  # the company's time zone, UTC+5
    for raw in ("None", "True", "False", "_id", "request_extension", "booking #", "+00:00"):
        assert raw not in text, raw


def test_a_deleted_row_is_named_by_its_number(client_as, db):
    audit.record(db, None, "lead", 987654, "comment", None, {"text": "позвонить"})
    text = "\n".join(rows_text(client_as(Role.ADMIN).get("/dashboard/admin/audit", params={"entity": "lead"}).text))
    assert "Лид № 987654 добавлен комментарий" in text


def test_audit_names_take_one_query_per_kind_however_many_rows(client_as, user_of, db, count_queries):
    seller = user_of(Role.SALES)
    admin = client_as(Role.ADMIN)

    def queries() -> int:
        with count_queries() as statements:
            assert admin.get("/dashboard/admin/audit").status_code == 200
        return len(statements)

    booked(db, seller, "one")
    few = queries()
    for n in range(6):
        booked(db, user_of(Role.SALES) if n % 2 else make_user(db, Role.SALES), f"more-{n}")
    assert queries() == few


def test_lead_history_says_why_the_status_changed_in_words(client_as, user_of, db):
    seller = user_of(Role.SALES)
    _, lead, booking = booked(db, seller)
    bookings.cancel(db, seller, booking.id, "передумал")
    page = client_as(Role.SALES).get(f"/dashboard/sales/leads/{lead.id}").text
    assert "(квартира забронирована)" in page and "(бронь отменена)" in page
    assert f"(booking {booking.id}" not in page
    assert "Asia/Tashkent" not in page  # the company's time zone is said in words, not as its id


def test_contract_pages_use_one_word_for_the_status_and_russian_units(client_as, user_of, db):
    seller = user_of(Role.SALES)
    _, _, booking = booked(db, seller)
    contract = contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name="Хакимов Рустам",
            buyer_passport="AB1234567",
            buyer_phone="+998901234567",
            down_payment=Decimal("0"),
            months=4,
            start_date=date(2026, 1, 10),
        ),
        5,
    )
    browser = client_as(Role.ADMIN)
    detail = browser.get(f"/dashboard/admin/contracts/{contract.id}").text
    listing = browser.get("/dashboard/admin/contracts").text
    balances = browser.get("/dashboard/finance/balances").text
    for page in (detail, listing, balances):
        assert "Действует" in page and "Активен" not in page
    assert "м²" in detail and "m²" not in detail
