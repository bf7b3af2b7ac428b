"""Payments: allocation (partial, exact, over, cancel and re-allocate), idempotency, currency,
ageing buckets on moved dates, cash flow, and nothing left by a failure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.core.errors import Conflict, Forbidden, Invalid
from app.domain.contracts.schemas import ContractFilter
from app.domain.finance.crud import payments
from app.domain.finance.models import Allocation, Payment, PaymentStatus
from app.domain.finance.rates import RateTable, convert, rates
from app.domain.finance.reports import bucket_of, bucket_totals, cashflow, contract_balances, debts
from app.domain.finance.schemas import DebtFilter, PaymentCreate, RateSet
from app.domain.inventory.models import Currency
from tests.factories import make_contract, make_user

D = Decimal


def pay(db, actor, contract, amount, day=date(2026, 1, 10), key=None, **extra):
    data = PaymentCreate(contract_id=contract.id, amount=D(amount), paid_at=day, method="cash", **extra)
    return payments.record(db, actor, data, key)[0]


def paid(contract):
    return [i.paid for i in sorted(contract.schedule, key=lambda i: i.seq)]


@pytest.fixture
def cashier(db):
    return make_user(db, Role.FINANCE)


def test_partial_exact_and_over_payments(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=4)  # 60 m² x 100 = 6000 -> 4 x 1500
    assert [i.amount for i in contract.schedule] == [D(1500)] * 4
    pay(db, cashier, contract, "1000")
    assert paid(contract) == [D(1000), 0, 0, 0]
    pay(db, cashier, contract, "2000")
    assert paid(contract) == [D(1500), D(1500), 0, 0]
    pay(db, cashier, contract, "3500")
    assert paid(contract) == [D(1500)] * 4
    received, _ = payments.statement_parts(db, contract.id)
    assert received - sum(paid(contract)) == D(500)  # the over-payment stays as credit
    balance = contract_balances(db, cashier, ContractFilter(q=contract.number), date(2026, 6, 1)).items[0]
    assert (balance.paid, balance.remaining, balance.credit) == (D(6000), 0, D(500))


def test_cancel_reverses_and_reallocates(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=4)
    first = pay(db, cashier, contract, "1500", day=date(2026, 1, 5))
    pay(db, cashier, contract, "2000", day=date(2026, 2, 5))
    assert paid(contract) == [D(1500), D(1500), D(500), 0]
    payments.cancel(db, cashier, first.id, "bounced transfer")
    assert paid(contract) == [D(1500), D(500), 0, 0]  # the later payment now covers the oldest first
    assert first.status == PaymentStatus.CANCELLED and db.get(Payment, first.id) is not None
    reversed_rows = db.scalar(
        select(func.count()).where(Allocation.payment_id == first.id, Allocation.reversed_at.is_not(None))
    )
    assert reversed_rows >= 1  # kept, marked reversed
    with pytest.raises(Conflict):
        payments.cancel(db, cashier, first.id, "again")


def test_idempotency_key_replays_and_refuses_other_data(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=2)
    data = PaymentCreate(contract_id=contract.id, amount=D("100"), paid_at=date(2026, 1, 10), method="card")
    first, replayed = payments.record(db, cashier, data, "key-1")
    again, replayed_again = payments.record(db, cashier, data, "key-1")
    assert (replayed, replayed_again, again.id) == (False, True, first.id)
    assert db.scalar(select(func.count()).where(Payment.contract_id == contract.id)) == 1
    with pytest.raises(Conflict):
        payments.record(db, cashier, data.model_copy(update={"amount": D("200")}), "key-1")


def test_only_finance_and_admin_record_and_cancel(db, cashier):
    contract = make_contract(db)
    for role in (Role.SALES, Role.MOP, Role.ROP, Role.DISPATCHER):
        with pytest.raises(Forbidden):
            pay(db, make_user(db, role), contract, "10")
    payment = pay(db, make_user(db, Role.ADMIN), contract, "10")
    with pytest.raises(Forbidden):
        payments.cancel(db, make_user(db, Role.SALES), payment.id, "nope")


def test_payment_in_another_currency_uses_the_rate_of_its_date(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=2, currency="USD")  # 6000 USD
    with pytest.raises(Invalid) as error:
        pay(db, cashier, contract, "1270000", currency="UZS")
    assert error.value.field == "rate"
    rates.set(db, cashier, RateSet(day=date(2026, 1, 1), uzs_per_usd=D("12700")))
    rates.set(db, cashier, RateSet(day=date(2026, 2, 1), uzs_per_usd=D("12800")))
    january = pay(db, cashier, contract, "1270000", day=date(2026, 1, 20), currency="UZS")
    assert (january.rate, january.amount_in_contract_currency) == (D("12700"), D("100.00"))
    given = pay(db, cashier, contract, "100", day=date(2026, 2, 3), currency="USD")
    assert given.rate is None and given.amount_in_contract_currency == D("100")


def test_conversion_rounds_to_the_unit_and_table_picks_the_latest_rate():
    assert convert(D("100.55"), Currency.USD, Currency.UZS, D("12650.5")) == D("1272008")
    assert convert(D("1000000"), Currency.UZS, Currency.USD, D("12650")) == D("79.05")
    table = RateTable([(date(2026, 1, 1), D("1")), (date(2026, 3, 1), D("3"))])
    assert (table.on(date(2025, 12, 31)), table.on(date(2026, 2, 15)), table.on(date(2026, 3, 1))) == (
        None,
        D("1"),
        D("3"),
    )


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(1, "1-30"), (30, "1-30"), (31, "31-60"), (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")],
)
def test_bucket_edges(days, bucket):
    assert bucket_of(days) == bucket


def test_debts_age_as_time_moves(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=3, start=date(2026, 1, 10))  # due 02-10, 03-10, 04-10
    first_due = date(2026, 2, 10)
    assert debts(db, cashier, DebtFilter(), first_due).total == 0
    late = debts(db, cashier, DebtFilter(), first_due + timedelta(days=5)).items
    assert [(d.number, d.bucket, d.overdue) for d in late] == [(contract.number, "1-30", D(2000))]
    later = debts(db, cashier, DebtFilter(bucket="61-90"), first_due + timedelta(days=70))
    assert later.items[0].bucket == "61-90" and later.items[0].overdue == D(6000)
    assert debts(db, cashier, DebtFilter(bucket="1-30"), first_due + timedelta(days=70)).total == 0
    totals = bucket_totals(db, cashier, first_due + timedelta(days=70), Currency.UZS)
    assert totals["61-90"] == D(2000) and totals["31-60"] == D(2000) and totals["1-30"] == D(2000)
    pay(db, cashier, contract, "6000")
    assert debts(db, cashier, DebtFilter(), first_due + timedelta(days=70)).total == 0
    with pytest.raises(Forbidden):
        debts(db, make_user(db, Role.SALES), DebtFilter(), first_due)


def test_cashflow_plan_vs_fact_by_month_in_either_currency(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=2, start=date(2026, 1, 10))  # 3000 due Feb and Mar
    rates.set(db, cashier, RateSet(day=date(2026, 1, 1), uzs_per_usd=D("10000")))
    pay(db, cashier, contract, "1000", day=date(2026, 2, 11))
    months = cashflow(db, cashier, date(2026, 1, 1), date(2026, 3, 31), Currency.UZS)
    assert [(m.month, m.plan, m.fact) for m in months] == [
        ("2026-01", 0, 0),
        ("2026-02", D(3000), D(1000)),
        ("2026-03", D(3000), 0),
    ]
    in_usd = cashflow(db, cashier, date(2026, 2, 1), date(2026, 2, 28), Currency.USD)
    assert (in_usd[0].plan, in_usd[0].fact) == (D("0.30"), D("0.10"))
    with pytest.raises(Invalid):
        cashflow(db, cashier, date(2026, 3, 1), date(2026, 1, 1), Currency.UZS)


def test_a_failed_payment_leaves_nothing(db, cashier):
    contract = make_contract(db, price_per_m2="100", months=2, currency="USD")
    before = db.scalar(select(func.count()).select_from(Payment))
    with pytest.raises(Invalid), db.begin_nested():
        pay(db, cashier, contract, "500000", currency="UZS")  # no rate known: refused
    assert db.scalar(select(func.count()).select_from(Payment)) == before
    assert paid(contract) == [0, 0]
