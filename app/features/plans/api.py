"""The JSON twin of the plans pages: plans of a month (read and set) and plan vs fact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.domain.reports.plans import current_month, plans
from app.domain.reports.schemas import Month, PlanFact, Plans, PlansUpdate
from app.features.plans.exports import plan_fact_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
MonthParam = Annotated[Month | None, Query(description="YYYY-MM; this company month when omitted")]


@router.get("/plans", response_model=Plans)
def get_plans(db: DbSession, user: CurrentUser, month: MonthParam = None) -> Plans:
    """Every salesperson's plan for the month (contracts and amount in UZS; null: not set)."""
    return plans.plans(db, user, month or current_month())


@router.put("/plans", response_model=Plans, dependencies=[Depends(require(P.PLANS_WRITE))])
def put_plans(db: DbSession, user: CurrentUser, month: Annotated[Month, Query()], body: PlansUpdate) -> Plans:
    """Set the listed salespeople's plans for the month; the others stay as they are."""
    return plans.set_plans(db, user, month, body)


@router.get("/plan-fact", response_model=PlanFact)
def get_plan_fact(db: DbSession, user: CurrentUser, month: MonthParam = None) -> PlanFact:
    """Plan vs fact of the month per salesperson and for the team, in UZS."""
    return plans.plan_fact(db, user, month or current_month())


@router.get("/plan-fact/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_plan_fact(
    db: DbSession, user: CurrentUser, month: MonthParam = None, format: ExportFormat = "csv"
) -> Response:
    """Plan vs fact of the month as CSV or XLSX."""
    return plan_fact_export(plans.plan_fact(db, user, month or current_month()), format)
