"""Monthly sales plans per salesperson (set by the ROP) and plan against fact.

Fact of a month = the contracts signed in that company month (TIME_ZONE) by each salesperson,
cancelled ones excluded, each counted at its total after discount; a USD contract is converted
to UZS at the exchange rate of its own signing day (the latest rate on or before it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, Role, can
from app.core import cache, clock
from app.core.errors import Forbidden, Invalid, InvalidMany
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.finance.rates import convert, rates
from app.domain.inventory.models import Currency
from app.domain.reports.models import SalesPlan
from app.domain.reports.schemas import PlanFact, PlanFactRow, PlanRow, Plans, PlansUpdate, next_month

PLAN_FACT_AREAS = ("contracts", "plans", "users", "rates")
CENT = Decimal("0.01")


def percent(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) of the company month starting on `first`."""
    return clock.day_start(first), clock.day_start(next_month(first))


def _may_read(actor: User) -> None:
    if not can(actor, P.SALES_KPI):
        raise Forbidden("Only the head of sales sees plans and KPIs.")


class PlanCRUD:
    """The ROP's plans and their fact; admins see and edit them too."""

    def plans(self, db: Session, actor: User, month: date) -> Plans:
        """Every active salesperson (and anyone with a plan that month) with their plan."""
        _may_read(actor)
        stored = {p.salesperson_id: p for p in db.scalars(select(SalesPlan).where(SalesPlan.month == month))}
        people = self._people(db, set(stored))
        items = [
            PlanRow(
                salesperson_id=u.id,
                name=u.display_name,
                is_active=u.is_active,
                contracts=stored[u.id].contracts if u.id in stored else None,
                amount=stored[u.id].amount if u.id in stored else None,
            )
            for u in people
        ]
        return Plans(month=month, items=items)

    def set_plans(self, db: Session, actor: User, month: date, data: PlansUpdate) -> Plans:
        """Set the plans of the listed salespeople for `month`; every problem at once, nothing half-saved."""
        if not can(actor, P.PLANS_WRITE):
            raise Forbidden("Only the head of sales sets the sales plans.")
        ids = [item.salesperson_id for item in data.items]
        sellers = {
            u.id: u
            for u in db.scalars(select(User).where(User.id.in_(ids), User.role == Role.SALES, User.is_active.is_(True)))
        }
        problems, seen = [], set()
        for index, item in enumerate(data.items):
            problem = None
            if item.salesperson_id not in sellers:
                problem = Invalid("Choose an active salesperson.")
            elif item.salesperson_id in seen:
                problem = Invalid("This salesperson is listed twice.")
            if problem is not None:
                problems.append({"loc": ["body", "items", index, "salesperson_id"], "msg": problem.message})
            seen.add(item.salesperson_id)
        if problems:
            raise InvalidMany("Check the plans.", problems)
        stored = {
            p.salesperson_id: p
            for p in db.scalars(select(SalesPlan).where(SalesPlan.month == month, SalesPlan.salesperson_id.in_(ids)))
        }
        for item in data.items:
            plan = stored.get(item.salesperson_id)
            before = {"contracts": plan.contracts, "amount": plan.amount} if plan else None
            after = {"contracts": item.contracts, "amount": item.amount.quantize(CENT)}
            if before == after:
                continue
            if plan is None:
                plan = SalesPlan(month=month, salesperson_id=item.salesperson_id)
                db.add(plan)
            plan.contracts, plan.amount, plan.updated_by_id = item.contracts, after["amount"], actor.id
            db.flush()
            key = f"{month:%Y-%m}:{item.salesperson_id}"
            audit.record(db, actor, "sales_plan", key, "set", before, {"month": f"{month:%Y-%m}", **after})
        return self.plans(db, actor, month)

    def plan_fact(self, db: Session, actor: User, month: date) -> PlanFact:
        """Plan vs fact of `month` per salesperson and for the team (cached; see app/core/cache.py)."""
        _may_read(actor)
        return cache.cached(
            "plan_fact", (month.isoformat(),), PLAN_FACT_AREAS, PlanFact, lambda: self._plan_fact(db, month)
        )

    def _plan_fact(self, db: Session, month: date) -> PlanFact:
        """Compute plan vs fact of `month`."""
        start, end = month_bounds(month)
        signed = db.execute(
            select(Contract.salesperson_id, Contract.currency, Contract.signed_at, Contract.total).where(
                Contract.signed_at >= start, Contract.signed_at < end, Contract.status != ContractStatus.CANCELLED
            )
        ).all()
        table = rates.table(db) if any(c == Currency.USD for _, c, _, _ in signed) else None
        counts: dict[int | None, int] = {}
        amounts: dict[int | None, Decimal] = {}
        unconverted = 0
        for seller, currency, signed_at, total in signed:
            counts[seller] = counts.get(seller, 0) + 1
            if currency != Currency.UZS:
                rate = table.on(clock.local(signed_at).date()) if table else None
                if rate is None:
                    unconverted += 1
                    continue
                total = convert(total, currency, Currency.UZS, rate)
            amounts[seller] = amounts.get(seller, Decimal(0)) + total
        stored = {p.salesperson_id: p for p in db.scalars(select(SalesPlan).where(SalesPlan.month == month))}
        people = self._people(db, set(stored) | {s for s in counts if s is not None})
        items = [
            _row(u.id, u.display_name, stored.get(u.id), counts.get(u.id, 0), amounts.get(u.id, Decimal(0)))
            for u in people
        ]
        total = PlanFactRow(
            plan_contracts=sum(p.contracts for p in stored.values()) if stored else None,
            plan_amount=sum((p.amount for p in stored.values()), Decimal(0)) if stored else None,
            fact_contracts=sum(counts.values()),
            fact_amount=sum(amounts.values(), Decimal(0)),
        )
        total.contracts_percent = percent(total.fact_contracts, total.plan_contracts)
        total.amount_percent = percent(total.fact_amount, total.plan_amount)
        return PlanFact(month=month, items=items, total=total, unconverted=unconverted)

    @staticmethod
    def _people(db: Session, also: set[int]) -> list[User]:
        """Active salespeople and the users in `also` (a plan or a contract that month), by name."""
        q = select(User).where((User.role == Role.SALES) & User.is_active.is_(True))
        if also:
            q = select(User).where(((User.role == Role.SALES) & User.is_active.is_(True)) | User.id.in_(also))
        return list(db.scalars(q.order_by(User.full_name, User.username)))


def _row(user_id: int, name: str, plan: SalesPlan | None, contracts: int, amount: Decimal) -> PlanFactRow:
    """One salesperson's plan vs fact."""
    return PlanFactRow(
        salesperson_id=user_id,
        name=name,
        plan_contracts=plan.contracts if plan else None,
        plan_amount=plan.amount if plan else None,
        fact_contracts=contracts,
        fact_amount=amount,
        contracts_percent=percent(contracts, plan.contracts if plan else None),
        amount_percent=percent(amount, plan.amount if plan else None),
    )


def current_month() -> date:
    """The first day of the company's current month."""
    return clock.month_start(clock.today())


plans = PlanCRUD()
