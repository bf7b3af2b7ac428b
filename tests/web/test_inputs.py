"""Nothing a client sends gives a 500: huge ids, NUL characters, dates far away, money beyond
NUMERIC(16, 2); money stays exact on SQLite; bodies are bounded per route kind (413)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.contracts.models import Instalment
from app.domain.finance.models import Payment
from settings import settings as global_settings
from tests.conftest import make_settings
from tests.factories import free_apartment, make_complex, make_contract

HUGE = 9223372036854775808  # 2**63: beyond SQLite's integers
BIG = 2**31  # beyond PostgreSQL's `integer`


def lead_body(**extra):
    return {"name": "Азиз", "phone": "+998901234567", **extra}


@pytest.mark.parametrize("value", [HUGE, BIG])
def test_anonymous_lead_with_a_huge_apartment_id_is_a_422(client, value):
    response = client.post("/api/public/leads", json=lead_body(apartment_id=value))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "apartment_id"]


@pytest.mark.parametrize("value", [HUGE, BIG])
def test_huge_ids_in_paths_are_refused(client, client_as, db, value):
    make_complex(db, "bahor")
    assert client.get(f"/c/bahor/apartments/{value}").status_code in (404, 422)
    admin = client_as(Role.ADMIN)
    for path in (f"/api/admin/apartments/{value}", f"/api/admin/leads/{value}", f"/dashboard/admin/leads/{value}"):
        assert admin.get(path).status_code in (404, 422), path
    finance = client_as(Role.FINANCE)
    assert finance.get(f"/api/finance/payments/{value}").status_code in (404, 422)


def test_huge_ids_in_queries_and_bodies_are_a_422(client_as, db):
    admin = client_as(Role.ADMIN)
    assert admin.get(f"/api/admin/leads?complex_id={HUGE}").status_code == 422
    assert admin.get(f"/api/admin/apartments?page={HUGE}").status_code == 422
    response = admin.post("/api/admin/apartments/bulk", json={"ids": [1, HUGE], "status": "free"})
    assert response.status_code == 422


def test_nul_in_path_or_query_is_a_422(client, client_as, db):
    make_complex(db, "bahor")
    page = client.get("/c/ba%00hor")
    assert page.status_code == 422 and "недопустимый" in page.text
    assert client.get("/api/public/complexes/ba%00hor/apartments").status_code == 422
    admin = client_as(Role.ADMIN)
    response = admin.get("/api/admin/leads?q=a%00b")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query"]
    assert admin.get("/dashboard/admin/leads?q=a%00b").status_code == 422


def test_nul_in_json_text_is_a_422(client, client_as, db):
    response = client.post("/api/public/leads", json=lead_body(name="Аз\x00из"))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "name"]
    contract = make_contract(db)
    finance = client_as(Role.FINANCE)
    body = {"contract_id": contract.id, "amount": "10", "paid_at": "2026-01-15", "method": "cash", "note": "a\x00b"}
    assert finance.post("/api/finance/payments", json=body).status_code == 422


def test_nul_in_a_posted_form_is_a_422(client, db):
    from tests.conftest import csrf_from

    token = csrf_from(client, "/login")
    response = client.post("/login", data={"username": "ad\x00min", "password": "x", "csrf_token": token})
    assert response.status_code == 422 and "недопустимый нулевой символ" in response.text  # refused as input
    assert "ad\x00min" not in response.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_dates_far_away_in_filters_are_a_422(client_as, db, day):
    admin = client_as(Role.ADMIN)
    finance = client_as(Role.FINANCE)
    assert admin.get(f"/api/admin/leads?created_to={day}").status_code == 422
    assert admin.get(f"/api/admin/audit?date_from={day}").status_code == 422
    assert finance.get(f"/api/finance/payments?date_to={day}").status_code == 422
    assert admin.get(f"/dashboard/admin/leads?created_to={day}").status_code == 422


def test_a_moment_beyond_utc_is_a_422(client_as, db):
    from tests.factories import make_lead

    lead = make_lead(db)
    admin = client_as(Role.ADMIN)
    body = {"next_callback_at": "9999-12-31T23:59:59-12:00"}
    response = admin.post(f"/api/admin/leads/{lead.id}/edit", json=body)
    assert response.status_code == 422


def test_payments_and_rates_before_the_company_existed_are_refused(client_as, db, monkeypatch):
    from datetime import date

    monkeypatch.setattr(global_settings, "company_founded", date(2020, 1, 1))
    contract = make_contract(db)
    finance = client_as(Role.FINANCE)
    body = {"contract_id": contract.id, "amount": "10", "paid_at": "2019-12-31", "method": "cash"}
    response = finance.post("/api/finance/payments", json=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "paid_at"
    response = finance.post("/api/finance/rates", json={"day": "2019-06-01", "uzs_per_usd": "12000"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "day"
    assert finance.post("/api/finance/rates", json={"day": "2020-01-01", "uzs_per_usd": "12000"}).status_code == 200


@pytest.mark.parametrize("amount", ["1e28", "100000000000000", "12.345"])
def test_money_beyond_the_column_is_a_422(client_as, db, amount):
    contract = make_contract(db)
    finance = client_as(Role.FINANCE)
    body = {"contract_id": contract.id, "amount": amount, "paid_at": "2026-01-15", "method": "cash"}
    response = finance.post("/api/finance/payments", json=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "amount"


def test_money_is_exact_on_every_backend(db):
    apartment = free_apartment(db)
    apartment.total_price = Decimal("99999999999999.99")
    db.flush()
    db.expire_all()
    assert db.get(type(apartment), apartment.id).total_price == Decimal("99999999999999.99")
    contract = make_contract(db, price_per_m2="876.59", months=12)
    total = db.scalar(select(func.sum(Instalment.amount)).where(Instalment.contract_id == contract.id))
    assert isinstance(total, Decimal) and total == contract.total
    assert str(total) == f"{contract.total:.2f}"


def test_payment_sums_are_exact(client_as, db):
    contract = make_contract(db, price_per_m2="1000", months=12)
    finance = client_as(Role.FINANCE)
    for amount in ("0.10", "0.20", "52595.10"):
        body = {"contract_id": contract.id, "amount": amount, "paid_at": "2026-01-15", "method": "cash"}
        assert finance.post("/api/finance/payments", json=body).status_code == 201
    total = db.scalar(select(func.sum(Payment.amount)).where(Payment.contract_id == contract.id))
    assert total == Decimal("52595.40") and str(total) == "52595.40"
    statement = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert statement["paid"] == "52595.40"


# Bounded bodies


def test_a_large_anonymous_json_body_is_a_413_before_it_is_read(client):
    big = lead_body(message="x" * (200 * 1024))
    response = client.post("/api/public/leads", json=big)
    assert response.status_code == 413
    assert "слишком большой" in response.json()["detail"]


def test_a_streamed_body_without_length_is_counted(client):
    def chunks():
        for _ in range(100):
            yield b'{"name": "' + b"x" * 4096

    response = client.post("/api/public/leads", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_large_multipart_login_is_a_413_before_the_csrf_check(client):
    files = {"file": ("big.bin", b"0" * (2 * 1024 * 1024), "application/octet-stream")}
    response = client.post("/login", data={"username": "a", "password": "b"}, files=files)
    assert response.status_code == 413
    assert "слишком большой" in response.text and "<html" in response.text.lower()


def test_uploads_take_max_upload_mb_and_no_more(database_url, tmp_path, db, user_of):
    from fastapi.testclient import TestClient

    from app.auth.deps import SESSION_COOKIE, get_db, get_read_session
    from app.auth.service import session_token
    from app.main import create_app
    from tests.conftest import csrf_from

    application = create_app(make_settings(database_url, tmp_path, max_upload_mb=1), check_schema=False)
    application.dependency_overrides[get_db] = lambda: db
    application.dependency_overrides[get_read_session] = lambda: db
    admin = TestClient(application, follow_redirects=False)
    admin.cookies.set(SESSION_COOKIE, session_token(application.state.settings, user_of(Role.ADMIN)))
    admin.headers["X-CSRF-Token"] = csrf_from(admin, "/profile")
    complex_ = make_complex(db, "upload-test")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * (700 * 1024)
    fits = admin.post(f"/api/admin/complexes/{complex_.id}/images", files={"image": ("a.png", png, "image/png")})
    assert fits.status_code in (201, 422)  # accepted or refused as a broken picture, but read
    too_big = png + b"0" * (1024 * 1024)
    response = admin.post(
        f"/api/admin/complexes/{complex_.id}/images", files={"image": ("a.png", too_big, "image/png")}
    )
    assert response.status_code == 413 and "1 МБ" in response.json()["detail"]
    small_json = admin.put(f"/api/admin/complexes/{complex_.id}", json={"name": "x" * (100 * 1024)})
    assert small_json.status_code == 413
