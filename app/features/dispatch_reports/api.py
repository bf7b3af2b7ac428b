"""The JSON twin of the dispatch reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import clock
from app.core.types import Day
from app.domain.dispatch.report_schemas import DefectReport, ReportPeriod, TechnicianReport
from app.domain.dispatch.reports import default_period, dispatch_reports
from app.features.dispatch_reports.exports import defects_export, technicians_export
from app.web.export import ExportFormat
from app.web.forms import checked_report, query_errors
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter(dependencies=[Depends(require(P.DISPATCH_REPORTS))])
From = Annotated[Day | None, Query(alias="from", description="first company day; this month's first when omitted")]
To = Annotated[Day | None, Query(alias="to", description="last company day; this month's last when omitted")]


def technicians_of(db: Session, user: User, date_from: Day | None, date_to: Day | None) -> TechnicianReport:
    """The report of the period asked for (this company month filling what is left out); 422 naming the field."""
    first, last = default_period(clock.today())
    period = {"from": date_from or first, "to": date_to or last}
    report, errors = checked_report(ReportPeriod, period, lambda p: dispatch_reports.technicians(db, user, p))
    if report is None:
        raise query_errors(errors)
    return report


@router.get("/reports/technicians", response_model=TechnicianReport)
def technicians_report(
    db: DbSession, user: CurrentUser, date_from: From = None, date_to: To = None
) -> TechnicianReport:
    """Per technician: done, median hours to complete, on time, reopened, hours booked vs available."""
    return technicians_of(db, user, date_from, date_to)


@router.get("/reports/technicians/export", response_class=Response, responses=EXPORT_RESPONSES)
def technicians_file(
    db: DbSession, user: CurrentUser, date_from: From = None, date_to: To = None, format: ExportFormat = "csv"
) -> Response:
    """The technicians report as CSV or XLSX."""
    return technicians_export(technicians_of(db, user, date_from, date_to), format)


@router.get("/reports/defects", response_model=DefectReport)
def defects_report(db: DbSession, user: CurrentUser) -> DefectReport:
    """Open defects of each complex as of today, by days since reported and by priority."""
    return dispatch_reports.defects(db, user)


@router.get("/reports/defects/export", response_class=Response, responses=EXPORT_RESPONSES)
def defects_file(db: DbSession, user: CurrentUser, format: ExportFormat = "csv") -> Response:
    """The open defects report as CSV or XLSX."""
    return defects_export(dispatch_reports.defects(db, user), format)
