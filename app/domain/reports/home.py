"""The ROP's home: plan progress this month and the funnel of this month so far (both cached)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.reports.funnel import default_period, funnel
from app.domain.reports.plans import current_month, plans
from app.domain.reports.schemas import FunnelQuery, RopHome


def rop_home(db: Session, actor: User) -> RopHome:
    """This company month's plan vs fact and funnel, as the ROP's home shows them."""
    start, end = default_period(clock.today())
    return RopHome(
        plan_fact=plans.plan_fact(db, actor, current_month()),
        funnel=funnel.funnel(db, actor, FunnelQuery(date_from=start, date_to=end)),
    )
