"""The finance JSON twin: payments with Idempotency-Key, permissions, validation, statement,
debts, cash flow and rates."""

from __future__ import annotations

from app.auth.permissions import Role
from tests.factories import make_contract


def payment_body(contract, **extra):
    return {"contract_id": contract.id, "amount": "1500", "paid_at": "2026-01-15", "method": "transfer", **extra}


def test_post_payment_and_retry_with_the_same_key(client_as, db):
    contract = make_contract(db, price_per_m2="100", months=4)
    finance = client_as(Role.FINANCE)
    first = finance.post("/api/finance/payments", json=payment_body(contract), headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == 201
    retry = finance.post("/api/finance/payments", json=payment_body(contract), headers={"Idempotency-Key": "abc-1"})
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    other = finance.post(
        "/api/finance/payments", json=payment_body(contract, amount="10"), headers={"Idempotency-Key": "abc-1"}
    )
    assert other.status_code == 409
    statement = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert len(statement["payments"]) == 1 and statement["paid"] == "1500.00"
    assert [s["paid"] for s in statement["schedule"]][:2] == ["1500.00", "0.00"]


def test_payment_validation_names_the_field(client_as, db):
    contract = make_contract(db)
    finance = client_as(Role.FINANCE)
    for field, value in (("amount", "-5"), ("method", "barter"), ("paid_at", "yesterday"), ("amount", "abc")):
        response = finance.post("/api/finance/payments", json=payment_body(contract, **{field: value}))
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == field
    missing = finance.post("/api/finance/payments", json=payment_body(contract, contract_id=999999))
    assert missing.status_code == 404


def test_sales_cannot_post_or_cancel_payments(client_as, db):
    contract = make_contract(db)
    payment = client_as(Role.FINANCE).post("/api/finance/payments", json=payment_body(contract)).json()
    sales = client_as(Role.SALES)
    assert sales.post("/api/finance/payments", json=payment_body(contract)).status_code == 403
    assert sales.post(f"/api/finance/payments/{payment['id']}/cancel", json={"reason": "no"}).status_code == 403
    assert client_as(Role.MOP).post("/api/finance/payments", json=payment_body(contract)).status_code == 403


def test_cancel_through_json_reallocates(client_as, db):
    contract = make_contract(db, price_per_m2="100", months=4)
    finance = client_as(Role.FINANCE)
    payment = finance.post("/api/finance/payments", json=payment_body(contract)).json()
    assert finance.post(f"/api/finance/payments/{payment['id']}/cancel", json={"reason": "x"}).status_code == 422
    cancelled = finance.post(f"/api/finance/payments/{payment['id']}/cancel", json={"reason": "bounced"})
    assert cancelled.json()["status"] == "cancelled"
    statement = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert statement["paid"] == "0.00" and statement["payments"][0]["status"] == "cancelled"


def test_debts_buckets_cashflow_and_rates(client_as, db):
    make_contract(db, price_per_m2="100", months=3, start=__import__("datetime").date(2025, 1, 10))
    finance = client_as(Role.FINANCE)
    debts = finance.get("/api/finance/debts").json()
    assert debts["total"] >= 1 and debts["items"][0]["bucket"] == "90+"
    assert finance.get("/api/finance/debts", params={"bucket": "bad"}).status_code == 422
    buckets = finance.get("/api/finance/debts/buckets").json()
    assert set(buckets) == {"1-30", "31-60", "61-90", "90+"}
    assert buckets["90+"] > 0  # amounts are JSON numbers, not strings
    months = finance.get("/api/finance/cashflow", params={"date_from": "2025-01-01", "date_to": "2025-04-30"}).json()
    assert [m["month"] for m in months] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert (
        finance.get("/api/finance/cashflow", params={"date_from": "2025-05-01", "date_to": "2025-01-01"}).status_code
        == 422
    )
    assert finance.post("/api/finance/rates", json={"day": "2026-01-01", "uzs_per_usd": "12700"}).status_code == 200
    assert finance.get("/api/finance/rates").json()[0]["uzs_per_usd"] == "12700.0000"
    assert finance.post("/api/finance/rates", json={"day": "2026-01-01", "uzs_per_usd": "0"}).status_code == 422
