"""Demo sales plans: this month's and last month's plan for each demo salesperson (safe to rerun)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.reports.models import SalesPlan
from app.domain.reports.plans import plans
from app.domain.reports.schemas import PlanItem, PlansUpdate

# username -> (contracts, amount in UZS) per month
PLANS = {
    "sales": (3, Decimal("2500000000")),
    "sales2": (2, Decimal("1800000000")),
}


def load_demo_plans(db: Session, admin: User) -> int:
    """Set the plans of this and last month where none is set yet; returns how many were set."""
    this_month = clock.month_start(clock.today())
    last_month = clock.month_start(this_month - timedelta(days=1))
    sellers = {u.username: u for u in db.scalars(select(User).where(User.username.in_(PLANS)))}
    created = 0
    for month in (last_month, this_month):
        stored = set(db.scalars(select(SalesPlan.salesperson_id).where(SalesPlan.month == month)))
        items = [
            PlanItem(salesperson_id=seller.id, contracts=PLANS[name][0], amount=PLANS[name][1])
            for name, seller in sellers.items()
            if seller.id not in stored and seller.is_active
        ]
        if items:
            plans.set_plans(db, admin, month, PlansUpdate(items=items))
            created += len(items)
    return created
