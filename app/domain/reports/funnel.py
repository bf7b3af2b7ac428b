"""The sales funnel and team KPIs over the leads that came in during a period.

A lead counts at the furthest stage it ever reached (its status now or any step of its status
history): a lead lost after a booking counts as "in work" and "booked". Contracts are those of
these leads that are not cancelled; the median days run from the lead's arrival to the signing.
Overdue callbacks are counted now, whatever the period.
"""

from __future__ import annotations

import statistics
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, Role, can
from app.core import cache, clock
from app.core.errors import Forbidden, Invalid
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead, LeadStatus, LeadStatusChange
from app.domain.leads.schemas import CallbackWhen
from app.domain.reports.plans import percent
from app.domain.reports.schemas import (
    MAX_PERIOD_DAYS,
    Funnel,
    FunnelQuery,
    LossReason,
    SalespersonKpi,
    Stage,
)

STAGES = ("leads", "in_work", "booked", "sold")
FUNNEL_AREAS = ("leads", "contracts", "users")
LOSS_REASONS_SHOWN = 8


def _rank(status: ColumnElement) -> ColumnElement:
    """How far a status is along the pipeline: new 0, in work 1, booked 2, sold 3 (lost 0)."""
    return case(
        (status == LeadStatus.IN_WORK, 1), (status == LeadStatus.BOOKED, 2), (status == LeadStatus.SOLD, 3), else_=0
    )


def _days(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class FunnelCRUD:
    """The ROP's funnel and team KPIs (admins too)."""

    def funnel(self, db: Session, actor: User, q: FunnelQuery) -> Funnel:
        """The funnel of the leads that came in from `q.date_from` to `q.date_to` (company days), cached."""
        if not can(actor, P.SALES_KPI):
            raise Forbidden("Only the head of sales sees plans and KPIs.")
        if q.date_to < q.date_from:
            raise Invalid("The end of the period is before its start.", field="to")
        if (q.date_to - q.date_from).days > MAX_PERIOD_DAYS:
            raise Invalid("Choose at most %(days)s days.", field="to", days=MAX_PERIOD_DAYS)
        params = (q.date_from, q.date_to, q.complex_id, q.salesperson_id)
        return cache.cached("funnel", params, FUNNEL_AREAS, Funnel, lambda: self._funnel(db, actor, q))

    def _funnel(self, db: Session, actor: User, q: FunnelQuery) -> Funnel:
        """Compute the funnel."""
        start, end = clock.day_range(q.date_from, q.date_to)
        cohort = [Lead.created_at >= start, Lead.created_at < end]
        if q.complex_id:
            cohort.append(Lead.complex_id == q.complex_id)
        if q.salesperson_id:
            cohort.append(Lead.assigned_id == q.salesperson_id)
        history = (
            select(LeadStatusChange.lead_id, func.max(_rank(LeadStatusChange.to_status)).label("rank"))
            .join(Lead, Lead.id == LeadStatusChange.lead_id)
            .where(*cohort)
            .group_by(LeadStatusChange.lead_id)
            .subquery()
        )
        now_rank, ever_rank = _rank(Lead.status), func.coalesce(history.c.rank, 0)
        reached = case((now_rank >= ever_rank, now_rank), else_=ever_rank)
        lost = case((Lead.status == LeadStatus.LOST, 1), else_=0)
        per_lead = (
            select(reached.label("rank"), lost.label("lost"), Lead.assigned_id)
            .outerjoin(history, history.c.lead_id == Lead.id)
            .where(*cohort)
            .subquery()
        )
        c = per_lead.c  # grouped outside: PostgreSQL cannot match a CASE with bound values in GROUP BY
        rows = db.execute(
            select(c.rank, c.lost, c.assigned_id, func.count()).group_by(c.rank, c.lost, c.assigned_id)
        ).all()
        at_least = [0, 0, 0, 0]
        lost_count = 0
        leads_of: dict[int, int] = {}
        for rank, is_lost, seller, count in rows:
            for stage in range(int(rank) + 1):
                at_least[stage] += count
            lost_count += count if is_lost else 0
            if seller is not None:
                leads_of[seller] = leads_of.get(seller, 0) + count
        stages = [
            Stage(key=key, count=at_least[i], conversion=percent(at_least[i], at_least[i - 1]) if i else None)
            for i, key in enumerate(STAGES)
        ]
        reasons = db.execute(
            select(Lead.lost_reason, func.count())
            .where(*cohort, Lead.status == LeadStatus.LOST)
            .group_by(Lead.lost_reason)
            .order_by(func.count().desc(), Lead.lost_reason)
        ).all()
        signed = db.execute(
            select(Contract.salesperson_id, Contract.price, Contract.discount, Contract.signed_at, Lead.created_at)
            .join(Lead, Lead.id == Contract.lead_id)
            .where(*cohort, Contract.status != ContractStatus.CANCELLED)
        ).all()
        overdue_q = pipeline.callbacks_query(actor, CallbackWhen.OVERDUE)
        if q.salesperson_id:
            overdue_q = overdue_q.where(Lead.assigned_id == q.salesperson_id)
        overdue_q = overdue_q.subquery()
        overdue = dict(
            db.execute(select(overdue_q.c.assigned_id, func.count()).group_by(overdue_q.c.assigned_id)).all()
        )
        return Funnel(
            date_from=q.date_from,
            date_to=q.date_to,
            complex_id=q.complex_id,
            salesperson_id=q.salesperson_id,
            stages=stages,
            lost=lost_count,
            loss_reasons=_loss_reasons(reasons),
            contracts=len(signed),
            median_days_to_contract=(
                _days(statistics.median((s - c).total_seconds() for *_, s, c in signed)) if signed else None
            ),
            salespeople=self._people(db, q, leads_of, signed, overdue),
        )

    @staticmethod
    def _people(
        db: Session, q: FunnelQuery, leads_of: dict[int, int], signed: list, overdue: dict[int | None, int]
    ) -> list[SalespersonKpi]:
        """A row per salesperson: active ones and whoever has leads or contracts here."""
        contracts: dict[int, list[Decimal]] = {}
        for seller, price, discount, *_ in signed:
            if seller is not None:
                share = Decimal(discount) * 100 / Decimal(price) if price else Decimal(0)
                contracts.setdefault(seller, []).append(share)
        ids = set(leads_of) | set(contracts) | {s for s in overdue if s is not None}
        who = select(User).where(((User.role == Role.SALES) & User.is_active.is_(True)) | User.id.in_(ids))
        if q.salesperson_id:
            who = select(User).where(User.id == q.salesperson_id)
        rows = []
        for user in db.scalars(who.order_by(User.full_name, User.username)):
            shares = contracts.get(user.id, [])
            average = sum(shares, Decimal(0)) / len(shares) if shares else None
            rows.append(
                SalespersonKpi(
                    salesperson_id=user.id,
                    name=user.display_name,
                    leads=leads_of.get(user.id, 0),
                    contracts=len(shares),
                    conversion=percent(len(shares), leads_of.get(user.id, 0)),
                    average_discount=average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if average else average,
                    overdue_callbacks=overdue.get(user.id, 0),
                )
            )
        return rows


def _loss_reasons(rows: list) -> list[LossReason]:
    """The most frequent reasons (blank ones together), the rest summed as "other"."""
    merged: dict[str, int] = {}
    for reason, count in rows:
        key = " ".join((reason or "").split())
        merged[key] = merged.get(key, 0) + count
    ranked = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    shown = [LossReason(reason=reason, count=count) for reason, count in ranked[:LOSS_REASONS_SHOWN]]
    rest = sum(count for _, count in ranked[LOSS_REASONS_SHOWN:])
    if rest:
        shown.append(LossReason(reason="*", count=rest))  # "*": every other reason
    return shown


def default_period(today: date) -> tuple[date, date]:
    """This company month so far."""
    return clock.month_start(today), today


funnel = FunnelCRUD()
