"""Expenses: validation, categories kept by the ROP, totals in UZS, who may see them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid
from app.domain.finance.rates import rates
from app.domain.finance.schemas import RateSet
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Expense
from app.domain.marketing.receipts import ReceiptUpload, receipts_dir
from app.domain.marketing.schemas import CategoryName, CategoryUpdate, ExpenseFilter, ExpenseWrite
from tests.factories import make_complex, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture
def rop(db):
    return make_user(db, Role.ROP)


@pytest.fixture
def ads(db, rop):
    return categories.create(db, rop, CategoryName(name="Таргет"))


def expense(**fields) -> ExpenseWrite:
    return ExpenseWrite(**{"day": date(2026, 11, 5), "amount": Decimal("1500000"), "category_id": 0, **fields})


def upload(content: bytes, name: str = "check.png") -> ReceiptUpload:
    return ReceiptUpload(io.BytesIO(content), name)


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Expense))


@pytest.mark.parametrize("amount", ["0", "-5", "1e20", "12.345", "abc"])
def test_bad_amounts_are_refused_naming_the_field(amount):
    with pytest.raises(ValidationError) as error:
        ExpenseWrite(day=date(2026, 11, 5), amount=amount, category_id=1)
    assert error.value.errors()[0]["loc"] == ("amount",)


def test_future_or_prehistoric_days_are_refused_and_nothing_is_saved(db, rop, ads):
    for day in (clock.today() + timedelta(days=1), date(1999, 12, 31)):
        with pytest.raises((Invalid, ValidationError)) as error:
            expenses.create(db, rop, expense(day=day, category_id=ads.id))
        field = error.value.field if isinstance(error.value, Invalid) else error.value.errors()[0]["loc"][0]
        assert field == "day"
    assert count(db) == 0


def test_a_receipt_must_be_a_picture_or_pdf_and_not_too_big(db, rop, ads, tmp_path):
    with pytest.raises(Invalid) as error:
        expenses.create(
            db, rop, expense(category_id=ads.id), upload(b"MZ\x90\x00 not a picture", "x.png"), tmp_path, 1024
        )
    assert error.value.field == "receipt"
    with pytest.raises(Invalid) as error:
        expenses.create(db, rop, expense(category_id=ads.id), upload(PNG + b"0" * 2048), tmp_path, 1024)
    assert error.value.field == "receipt" and "MB" in error.value.message
    assert count(db) == 0
    assert not receipts_dir(tmp_path).exists() or not any(receipts_dir(tmp_path).iterdir())
    saved = expenses.create(db, rop, expense(category_id=ads.id), upload(PDF, "Счёт.pdf"), tmp_path, 1024)
    receipt = expenses.receipt(db, rop, saved.id, tmp_path)
    assert receipt.media_type == "application/pdf" and receipt.filename == "Счёт.pdf"
    assert receipt.path.read_bytes() == PDF


def test_usd_needs_a_rate_of_its_day(db, rop, ads):
    with pytest.raises(Invalid) as error:
        expenses.create(db, rop, expense(category_id=ads.id, currency="USD", amount=Decimal("100")))
    assert error.value.field == "currency"
    rates.set(db, make_user(db, Role.ADMIN), RateSet(day=date(2026, 11, 1), uzs_per_usd=Decimal("12800")))
    saved = expenses.create(db, rop, expense(category_id=ads.id, currency="USD", amount=Decimal("100.50")))
    assert saved.amount == Decimal("100.50")


def test_categories_are_renamed_deactivated_and_deleted_only_when_unused(db, rop, ads):
    with pytest.raises(Conflict):
        categories.create(db, rop, CategoryName(name="  таргет "))
    categories.update(db, rop, ads.id, CategoryUpdate(name="Таргет Instagram"))
    expenses.create(db, rop, expense(category_id=ads.id))
    with pytest.raises(Conflict):
        categories.delete(db, rop, ads.id)
    categories.update(db, rop, ads.id, CategoryUpdate(is_active=False))
    with pytest.raises(Invalid) as error:
        expenses.create(db, rop, expense(category_id=ads.id))
    assert error.value.field == "category_id"
    assert [c.name for c in categories.all(db, rop, active_only=True)] == []
    spare = categories.create(db, rop, CategoryName(name="Печать"))
    categories.delete(db, rop, spare.id)
    assert [c.name for c in categories.all(db, rop)] == ["Таргет Instagram"]


def test_totals_by_category_complex_and_month_in_uzs_exactly(db, rop, ads):
    admin = make_user(db, Role.ADMIN)
    rates.set(db, admin, RateSet(day=date(2026, 10, 1), uzs_per_usd=Decimal("12500")))
    rates.set(db, admin, RateSet(day=date(2026, 11, 1), uzs_per_usd=Decimal("12800.5")))
    flyers = categories.create(db, rop, CategoryName(name="Листовки"))
    bahor = make_complex(db, "bahor-exp", name="ЖК Бахор")
    expenses.create(db, rop, expense(day=date(2026, 10, 20), amount=Decimal("0.10"), category_id=ads.id))
    expenses.create(db, rop, expense(day=date(2026, 10, 21), amount=Decimal("0.20"), category_id=ads.id))
    expenses.create(
        db,
        rop,
        expense(
            day=date(2026, 11, 2), amount=Decimal("10.01"), currency="USD", category_id=flyers.id, complex_id=bahor.id
        ),
    )
    totals = expenses.totals(db, rop, ExpenseFilter())
    usd = (Decimal("10.01") * Decimal("12800.5")).quantize(Decimal("1"))  # 128 133 at the day's rate
    assert totals.total == Decimal("0.30") + usd and totals.count == 3
    assert [(t.name, t.amount) for t in totals.by_category] == [("Листовки", usd), ("Таргет", Decimal("0.30"))]
    assert [(t.key, t.amount) for t in totals.by_month] == [("2026-10", Decimal("0.30")), ("2026-11", usd)]
    assert {(t.name, t.amount) for t in totals.by_complex} == {("ЖК Бахор", usd), ("", Decimal("0.30"))}
    october = expenses.totals(db, rop, ExpenseFilter(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31)))
    assert october.total == Decimal("0.30") and october.count == 2
    assert expenses.page(db, rop, ExpenseFilter(category_id=flyers.id)).total == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.MOP, Role.FINANCE, Role.DISPATCHER])
def test_only_rop_and_admin_see_expenses(db, role):
    with pytest.raises(Forbidden):
        expenses.page(db, make_user(db, role), ExpenseFilter())
    assert expenses.page(db, make_user(db, Role.ADMIN), ExpenseFilter()).total == 0
