"""The dispatch reports page: technicians over a chosen period and open defects by complex, with exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import clock
from app.domain.dispatch.report_schemas import AGE_BUCKETS, PRIORITIES, ReportPeriod, TechnicianReport
from app.domain.dispatch.reports import default_period, dispatch_reports
from app.features.dispatch_reports.exports import AGE_LABELS, defects_export, technicians_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import checked_report, query_errors, query_values
from app.web.i18n import gettext
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[Depends(require(P.DISPATCH_REPORTS))])


def period_values(request: Request) -> dict[str, str]:
    """The period asked for; this company month by default."""
    first, last = default_period(clock.today())
    return query_values(request, {"from": first.isoformat(), "to": last.isoformat()})


def run_report(db: Session, user: User, values: dict[str, str]) -> tuple[TechnicianReport | None, dict[str, str]]:
    """(report, {}) for a valid period, else (None, {field: message})."""
    return checked_report(ReportPeriod, values, lambda period: dispatch_reports.technicians(db, user, period))


@router.get("/reports")
def reports_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Technicians' figures over the period and open defects by complex; HTMX gets the period's results."""
    values = period_values(request)
    report, errors = run_report(db, user, values)
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "report": report,
        "base": base,
        "export_query": urlencode(values),
        "age_buckets": [(key, gettext(AGE_LABELS[key])) for key in AGE_BUCKETS],
        "priorities": PRIORITIES,
    }
    if not is_htmx(request):
        context["defects"] = dispatch_reports.defects(db, user)
    template = "features/dispatch_reports/reports.html"
    return render(request, template, context, block="results", status_code=422 if errors else 200)


@router.get("/reports/technicians/export")
def technicians_file(request: Request, db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """The technicians report of the period as CSV or XLSX."""
    report, errors = run_report(db, user, period_values(request))
    if report is None:
        raise query_errors(errors)
    return technicians_export(report, format)


@router.get("/reports/defects/export")
def defects_file(db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """Open defects by complex as CSV or XLSX."""
    return defects_export(dispatch_reports.defects(db, user), format)
