"""Sales plans and plan vs fact: exact sums, USD at the signing day's rate, cancelled contracts
left out, the month in the company's calendar, and who may read and set plans."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Forbidden, InvalidMany
from app.domain.audit.models import AuditEntry
from app.domain.contracts.models import ContractStatus
from app.domain.finance.models import ExchangeRate
from app.domain.reports.plans import plans
from app.domain.reports.schemas import MonthQuery, PlanItem, PlansUpdate
from tests.factories import make_contract, make_user

MARCH = date(2026, 3, 1)


def wall(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 on the company's wall clock (Asia/Tashkent, UTC+5), in UTC."""
    return clock.from_local(datetime(2026, month, day, hour, minute))


def signed(db, seller, when: datetime, total: str, currency: str = "UZS", cancelled: bool = False):
    """A contract of `seller` signed at `when` for `total` in `currency`."""
    contract = make_contract(db, currency=currency)
    contract.salesperson_id = seller.id
    contract.signed_at = when
    contract.total = Decimal(total)
    if cancelled:
        contract.status = ContractStatus.CANCELLED
    db.flush()
    return contract


def set_plan(db, rop, seller, contracts: int, amount: str, month: date = MARCH) -> None:
    """The ROP sets one salesperson's plan."""
    plans.set_plans(
        db, rop, month, PlansUpdate(items=[PlanItem(salesperson_id=seller.id, contracts=contracts, amount=amount)])
    )


def test_fact_counts_the_months_contracts_with_usd_at_the_rate_of_the_signing_day(db, user_of):
    rop, seller = user_of(Role.ROP), user_of(Role.SALES)
    db.add_all(
        [
            ExchangeRate(day=date(2026, 3, 1), uzs_per_usd=Decimal("12600.0000")),
            ExchangeRate(day=date(2026, 3, 10), uzs_per_usd=Decimal("12750.5000")),
        ]
    )
    set_plan(db, rop, seller, 4, "3000000000")
    signed(db, seller, wall(3, 2, 12), "1000000000.50")  # UZS, kept exact
    signed(db, seller, wall(3, 5, 12), "50000.00", "USD")  # 50,000 x 12,600 (the rate of Mar 1 still applies)
    signed(db, seller, wall(3, 12, 12), "20000.10", "USD")  # 20,000.10 x 12,750.5 = 255,011,275.05 -> 255,011,275
    signed(db, seller, wall(3, 20, 12), "999999999", cancelled=True)  # cancelled: not counted
    db.commit()

    report = plans.plan_fact(db, rop, MARCH)

    row = next(r for r in report.items if r.salesperson_id == seller.id)
    assert row.fact_contracts == 3
    assert row.fact_amount == Decimal("1000000000.50") + Decimal("630000000") + Decimal("255011275")
    assert isinstance(row.fact_amount, Decimal)
    assert row.plan_contracts == 4 and row.plan_amount == Decimal("3000000000")
    assert row.contracts_percent == Decimal("75.0")
    assert row.amount_percent == Decimal("62.8")  # 1,885,011,275.50 / 3,000,000,000
    assert report.total.fact_amount == row.fact_amount and report.total.fact_contracts == 3
    assert report.unconverted == 0


def test_the_month_runs_from_local_midnight_to_local_midnight(db, user_of):
    rop, seller = user_of(Role.ROP), user_of(Role.SALES)
    signed(db, seller, wall(2, 28, 23, 30), "1")  # February on the company's clock (18:30 UTC Feb 28)
    signed(db, seller, wall(3, 1, 0, 30), "10")  # March 1, 00:30 local = Feb 28, 19:30 UTC: March
    signed(db, seller, wall(3, 31, 23, 30), "100")  # March 31, 23:30 local (18:30 UTC): March
    signed(db, seller, wall(4, 1, 0, 10), "1000")  # April locally (Mar 31, 19:10 UTC)
    db.commit()

    march = next(r for r in plans.plan_fact(db, rop, MARCH).items if r.salesperson_id == seller.id)
    assert (march.fact_contracts, march.fact_amount) == (2, Decimal("110"))
    april = next(r for r in plans.plan_fact(db, rop, date(2026, 4, 1)).items if r.salesperson_id == seller.id)
    assert (april.fact_contracts, april.fact_amount) == (1, Decimal("1000"))


def test_a_usd_contract_without_any_rate_is_counted_but_its_amount_is_flagged(db, user_of):
    rop, seller = user_of(Role.ROP), user_of(Role.SALES)
    signed(db, seller, wall(3, 3, 10), "1000.00", "USD")
    db.commit()

    report = plans.plan_fact(db, rop, MARCH)

    row = next(r for r in report.items if r.salesperson_id == seller.id)
    assert (row.fact_contracts, row.fact_amount, report.unconverted) == (1, Decimal(0), 1)


def test_team_total_sums_plans_and_every_contract(db, user_of):
    rop, first, second = user_of(Role.ROP), make_user(db, Role.SALES), make_user(db, Role.SALES)
    set_plan(db, rop, first, 2, "100")
    set_plan(db, rop, second, 3, "200.50")
    signed(db, first, wall(3, 4, 10), "150")
    db.commit()

    total = plans.plan_fact(db, rop, MARCH).total

    assert (total.plan_contracts, total.plan_amount) == (5, Decimal("300.50"))
    assert (total.fact_contracts, total.fact_amount) == (1, Decimal("150"))
    assert total.contracts_percent == Decimal("20.0")
    assert total.amount_percent == Decimal("49.9")


def test_setting_plans_upserts_audits_and_leaves_others_alone(db, user_of):
    rop, first, second = user_of(Role.ROP), make_user(db, Role.SALES), make_user(db, Role.SALES)
    set_plan(db, rop, first, 2, "100")
    set_plan(db, rop, second, 1, "50")
    set_plan(db, rop, first, 3, "120")  # corrected

    rows = {r.salesperson_id: r for r in plans.plans(db, rop, MARCH).items}

    assert (rows[first.id].contracts, rows[first.id].amount) == (3, Decimal("120"))
    assert (rows[second.id].contracts, rows[second.id].amount) == (1, Decimal("50"))
    entries = db.query(AuditEntry).filter(AuditEntry.entity == "sales_plan").order_by(AuditEntry.id).all()
    assert [e.entity_id for e in entries] == [f"2026-03:{first.id}", f"2026-03:{second.id}", f"2026-03:{first.id}"]
    assert entries[-1].before == {"contracts": 2, "amount": "100.00"}


def test_plans_are_only_for_active_salespeople_and_refused_whole(db, user_of):
    rop, seller, mop = user_of(Role.ROP), user_of(Role.SALES), user_of(Role.MOP)
    gone = make_user(db, Role.SALES, is_active=False)
    data = PlansUpdate(
        items=[
            PlanItem(salesperson_id=seller.id, contracts=1, amount="10"),
            PlanItem(salesperson_id=mop.id, contracts=1, amount="10"),
            PlanItem(salesperson_id=gone.id, contracts=1, amount="10"),
            PlanItem(salesperson_id=seller.id, contracts=2, amount="10"),
        ]
    )
    with pytest.raises(InvalidMany) as refused:
        plans.set_plans(db, rop, MARCH, data)
    assert [p["loc"] for p in refused.value.problems] == [["body", "items", i, "salesperson_id"] for i in (1, 2, 3)]
    assert all(r.contracts is None for r in plans.plans(db, rop, MARCH).items)


def test_plan_values_are_bounded_and_months_are_checked():
    with pytest.raises(ValidationError):
        PlanItem(salesperson_id=1, contracts=-1, amount="1")
    with pytest.raises(ValidationError):
        PlanItem(salesperson_id=1, contracts=1, amount="-0.01")
    with pytest.raises(ValidationError):
        PlanItem(salesperson_id=1, contracts=1, amount="1.001")
    assert MonthQuery(month="2026-03").month == MARCH
    for bad in ("2026-13", "2026-3", "march", "1999-12", "2026-03-01"):
        with pytest.raises(ValidationError):
            MonthQuery(month=bad)


@pytest.mark.parametrize("role", [Role.SALES, Role.MOP, Role.FINANCE, Role.DISPATCHER])
def test_only_the_rop_and_admins_read_and_set_plans(db, user_of, role):
    someone, seller = user_of(role), user_of(Role.SALES)
    with pytest.raises(Forbidden):
        plans.plan_fact(db, someone, MARCH)
    with pytest.raises(Forbidden):
        plans.plans(db, someone, MARCH)
    with pytest.raises(Forbidden):
        set_plan(db, someone, seller, 1, "1")
    set_plan(db, user_of(Role.ADMIN), seller, 1, "1")
    assert plans.plan_fact(db, user_of(Role.ADMIN), MARCH).total.plan_contracts == 1
