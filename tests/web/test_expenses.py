"""Expenses through the app: the form with its receipt, errors next to the fields, the JSON twin,
receipts only for those who see expenses, totals and export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Expense
from app.domain.marketing.schemas import CategoryName, ExpenseWrite

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/dashboard/rop/expenses"


@pytest.fixture
def ads(db, user_of):
    return categories.create(db, user_of(Role.ROP), CategoryName(name="Таргет"))


def count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Expense))


def form(client, category_id, **fields):
    return {
        "csrf_token": client.csrf,
        "day": "2026-11-05",
        "amount": "1 500 000",
        "currency": "UZS",
        "category_id": str(category_id),
        **fields,
    }


def test_the_form_saves_an_expense_with_its_receipt_and_serves_it_to_the_rop(client_as, db, ads, settings):
    rop = client_as(Role.ROP)
    assert rop.get(f"{BASE}/new").status_code == 200
    sent = rop.post(BASE, data=form(rop, ads.id, note="Реклама"), files={"receipt": ("чек.png", PNG, "image/png")})
    assert sent.status_code == 303
    row = db.scalar(select(Expense))
    assert row.amount == Decimal("1500000") and row.note == "Реклама" and row.receipt_path
    assert (settings.data_dir / "receipts" / row.receipt_path).read_bytes() == PNG
    listing = rop.get(BASE)
    assert "Таргет" in listing.text and "1\u00a0500\u00a0000\u00a0сум" in listing.text
    picture = rop.get(f"{BASE}/{row.id}/receipt")
    assert picture.status_code == 200 and picture.content == PNG and picture.headers["content-type"] == "image/png"
    assert client_as(Role.ADMIN).get(f"{BASE}/{row.id}/receipt").content == PNG
    for role in (Role.SALES, Role.MOP, Role.FINANCE):
        assert client_as(role).get(f"/api/rop/expenses/{row.id}/receipt").status_code == 403
    assert "/media/" not in listing.text


@pytest.mark.parametrize(
    ("fields", "files", "field"),
    [
        ({"amount": "-10"}, None, "amount"),
        ({"amount": "abc"}, None, "amount"),
        ({"amount": "100000000000000000"}, None, "amount"),
        ({"day": "2026-13-45"}, None, "day"),
        ({"day": "2100-01-01"}, None, "day"),
        ({}, {"receipt": ("virus.png", b"MZ\x90\x00binary", "image/png")}, "receipt"),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_saves_nothing(client_as, db, ads, fields, files, field):
    rop = client_as(Role.ROP)
    page = rop.post(BASE, data=form(rop, ads.id, **fields), files=files)
    assert page.status_code == 422
    assert f'data-testid="error-{field}"' in page.text
    assert count(db) == 0


def test_a_receipt_over_the_limit_is_refused(client_as, db, ads, settings):
    rop = client_as(Role.ROP)
    big = PNG + b"0" * settings.max_upload_bytes
    page = rop.post(BASE, data=form(rop, ads.id), files={"receipt": ("big.png", big, "image/png")})
    assert page.status_code == 422 and 'data-testid="error-receipt"' in page.text
    assert count(db) == 0
    too_large = rop.post(
        BASE, data=form(rop, ads.id), files={"receipt": ("huge.png", big + b"0" * 200_000, "image/png")}
    )
    assert too_large.status_code == 413 and count(db) == 0


def test_json_twin_validates_naming_the_field_and_answers_like_the_page(client_as, db, ads):
    rop = client_as(Role.ROP)
    bad = rop.post("/api/rop/expenses", json={"day": "2026-11-05", "amount": "0", "category_id": ads.id})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "amount"
    unknown = rop.post("/api/rop/expenses", json={"day": "2026-11-05", "amount": "10", "category_id": 999999})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "category_id"
    assert count(db) == 0
    made = rop.post("/api/rop/expenses", json={"day": "2026-11-05", "amount": "250000.50", "category_id": ads.id})
    assert made.status_code == 201 and made.json()["amount"] == "250000.50" and made.json()["category"] == "Таргет"
    upload = rop.post(
        f"/api/rop/expenses/{made.json()['id']}/receipt", files={"receipt": ("a.txt", b"hello", "text/plain")}
    )
    assert upload.status_code == 422 and upload.json()["detail"][0]["loc"][-1] == "receipt"
    ok = rop.post(f"/api/rop/expenses/{made.json()['id']}/receipt", files={"receipt": ("a.png", PNG, "image/png")})
    assert ok.status_code == 200 and ok.json()["has_receipt"] is True
    listing = rop.get("/api/rop/expenses").json()
    assert set(listing) == {"items", "total", "page", "page_size"} and listing["total"] == 1
    page = rop.get(BASE).text
    assert [str(i["id"]) for i in listing["items"]] == [s.split('"')[0] for s in page.split('data-expense="')[1:]]
    totals = rop.get("/api/rop/expenses/totals").json()
    assert totals["total"] == "250000.50" and totals["by_category"][0]["name"] == "Таргет"
    assert 'data-value="250000.50"' in page


def test_filters_totals_and_export(client_as, db, ads, user_of):
    rop = user_of(Role.ROP)
    other = categories.create(db, rop, CategoryName(name="Наружная реклама"))
    expenses.create(db, rop, ExpenseWrite(day=date(2026, 10, 3), amount=Decimal("100"), category_id=ads.id))
    expenses.create(db, rop, ExpenseWrite(day=date(2026, 11, 3), amount=Decimal("200"), category_id=other.id))
    browser = client_as(Role.ROP)
    october = browser.get(
        BASE, params={"date_from": "2026-10-01", "date_to": "2026-10-31"}, headers={"HX-Request": "true"}
    )
    assert october.status_code == 200 and "<html" not in october.text
    assert 'data-testid="total" data-value="100.00"' in october.text and "Наружная" not in october.text
    csv = browser.get(f"{BASE}/export", params={"category_id": other.id, "format": "csv"})
    assert csv.status_code == 200 and "Наружная реклама" in csv.text and "Таргет" not in csv.text
    xlsx = browser.get("/api/rop/expenses/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    wrong = browser.get("/api/rop/expenses", params={"date_from": "2026-11-01", "date_to": "2026-10-01"})
    assert wrong.status_code == 422


def test_categories_page_keeps_a_used_category(client_as, db, ads, user_of):
    expenses.create(db, user_of(Role.ROP), ExpenseWrite(day=date(2026, 11, 3), amount=Decimal("1"), category_id=ads.id))
    rop = client_as(Role.ROP)
    refused = rop.post(f"{BASE}/categories/{ads.id}/delete", data={"csrf_token": rop.csrf})
    assert refused.status_code == 409 and 'data-testid="category-error"' in refused.text
    off = rop.post(f"{BASE}/categories/{ads.id}", data={"csrf_token": rop.csrf, "is_active": "false"})
    assert off.status_code == 303
    assert "Таргет" not in rop.get(f"{BASE}/new").text.split('id="f-category_id"')[1].split("</select>")[0]
    duplicate = rop.post(f"{BASE}/categories", data={"csrf_token": rop.csrf, "name": "таргет"})
    assert duplicate.status_code == 422 and 'data-testid="error-name"' in duplicate.text
    assert rop.delete(f"/api/rop/expenses/categories/{ads.id}").status_code == 409
    blank = rop.post(f"{BASE}/categories/{ads.id}", data={"csrf_token": rop.csrf, "name": " "})
    assert blank.status_code == 422 and 'data-testid="category-error"' in blank.text
    renamed = rop.put(f"/api/rop/expenses/categories/{ads.id}", json={"name": "Таргет Instagram"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Таргет Instagram"


def test_cached_totals_follow_a_new_and_a_deleted_expense_at_once(client_as, db, ads):
    rop = client_as(Role.ROP)
    first = rop.post("/api/rop/expenses", json={"day": "2026-11-05", "amount": "100", "category_id": ads.id})
    assert rop.get("/api/rop/expenses/totals").json()["total"] == "100.00"  # now cached
    rop.post("/api/rop/expenses", json={"day": "2026-11-06", "amount": "50", "category_id": ads.id})
    assert rop.get("/api/rop/expenses/totals").json()["total"] == "150.00"
    assert rop.delete(f"/api/rop/expenses/{first.json()['id']}").status_code == 204
    assert rop.get("/api/rop/expenses/totals").json()["total"] == "50.00"
    assert 'data-testid="total" data-value="50.00"' in rop.get(BASE).text
