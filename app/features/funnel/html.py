"""The funnel and team KPIs of a period: SVG charts and the per-salesperson table, with links to the leads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.auth.models import User
from app.core import cache, clock
from app.domain.inventory.crud import complexes
from app.domain.reports.funnel import default_period, funnel
from app.domain.reports.schemas import Funnel, FunnelQuery
from app.features.funnel.exports import funnel_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import checked_report, query_errors, query_values
from app.web.reports_ui import funnel_charts
from app.web.templating import is_htmx, render

router = APIRouter()


def funnel_values(request: Request) -> dict[str, str]:
    """The filters asked for; this month so far by default."""
    start, end = default_period(clock.today())
    return query_values(
        request, {"from": start.isoformat(), "to": end.isoformat(), "complex_id": "", "salesperson_id": ""}
    )


def run_funnel(db: Session, user: User, values: dict[str, str]) -> tuple[Funnel | None, dict[str, str]]:
    """(report, {}) for valid filters, else (None, {field: message})."""
    return checked_report(FunnelQuery, values, lambda query: funnel.funnel(db, user, query))


@router.get("/funnel")
def funnel_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Leads -> in work -> booked -> sold with conversions, loss reasons, median days and the team's KPIs."""
    values = funnel_values(request)
    report, errors = run_funnel(db, user, values)
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "report": report,
        "base": base,
        "leads_query": urlencode(
            {"created_from": values["from"], "created_to": values["to"]}
            | ({"complex_id": values["complex_id"]} if values["complex_id"] else {})
        ),
        "export_query": urlencode({k: v for k, v in values.items() if v}),
        "cache_seconds": cache.ttl_seconds(),
        **funnel_charts(report),
    }
    if not is_htmx(request):
        context["complexes"] = complexes.all(db)
        context["salespeople"] = users.salespeople(db)
    return render(request, "features/funnel/funnel.html", context, block="results", status_code=422 if errors else 200)


@router.get("/funnel/export")
def funnel_file(request: Request, db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """The per-salesperson KPIs of the period as CSV or XLSX."""
    report, errors = run_funnel(db, user, funnel_values(request))
    if report is None:
        raise query_errors(errors)
    return funnel_export(report, format)
