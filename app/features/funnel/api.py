"""The JSON twin of the funnel page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession
from app.core import clock
from app.core.types import Day, Id
from app.domain.reports.funnel import default_period, funnel
from app.domain.reports.schemas import Funnel, FunnelQuery
from app.features.funnel.exports import funnel_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
From = Annotated[Day | None, Query(alias="from", description="first company day; this month's first when omitted")]
To = Annotated[Day | None, Query(alias="to", description="last company day; today when omitted")]
IdParam = Annotated[Id | None, Query()]


def _query(
    date_from: Day | None, date_to: Day | None, complex_id: int | None, salesperson_id: int | None
) -> FunnelQuery:
    start, end = default_period(clock.today())
    return FunnelQuery(
        date_from=date_from or start, date_to=date_to or end, complex_id=complex_id, salesperson_id=salesperson_id
    )


@router.get("/funnel", response_model=Funnel)
def get_funnel(
    db: DbSession,
    user: CurrentUser,
    date_from: From = None,
    date_to: To = None,
    complex_id: IdParam = None,
    salesperson_id: IdParam = None,
) -> Funnel:
    """Leads of the period -> in work -> booked -> sold, conversions, loss reasons, median days, team KPIs."""
    return funnel.funnel(db, user, _query(date_from, date_to, complex_id, salesperson_id))


@router.get("/funnel/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_funnel(
    db: DbSession,
    user: CurrentUser,
    date_from: From = None,
    date_to: To = None,
    complex_id: IdParam = None,
    salesperson_id: IdParam = None,
    format: ExportFormat = "csv",
) -> Response:
    """The per-salesperson KPIs of the period as CSV or XLSX."""
    return funnel_export(funnel.funnel(db, user, _query(date_from, date_to, complex_id, salesperson_id)), format)
