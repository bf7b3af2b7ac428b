"""The MOP's attendance pages: a day's board and the month table per person, with export."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.core import clock
from app.domain.staff.attendance import attendance
from app.features.team_attendance.exports import month_export
from app.features.team_attendance.params import DayParam, MonthParam, month_of
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.templating import render

router = APIRouter()


@router.get("/attendance")
def day_board_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, day: DayParam = None
) -> Response:
    """Who is in on a day (default today), since when, who came late, who did not check out."""
    settings = get_settings(request)
    day = day or clock.today()
    rows = attendance.day_board(db, user, day, settings.shift_start_time)
    context = {
        "rows": rows,
        "day": day,
        "today": clock.today(),
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "shift_start": settings.shift_start,
        "base": base,
    }
    return render(request, "features/team_attendance/day.html", context)


@router.get("/attendance/month")
def month_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, month: MonthParam = None
) -> Response:
    """The month table per person: days present, hours, late arrivals, not checked out."""
    settings = get_settings(request)
    first = month_of(month)
    rows = attendance.month_table(db, user, first, settings.shift_start_time)
    context = {
        "rows": rows,
        "month_value": first.strftime("%Y-%m"),
        "previous": (first - timedelta(days=1)).strftime("%Y-%m"),
        "next": (first + timedelta(days=32)).strftime("%Y-%m"),
        "shift_start": settings.shift_start,
        "base": base,
    }
    return render(request, "features/team_attendance/month.html", context)


@router.get("/attendance/month/export")
def month_file(
    request: Request, db: DbSession, user: CurrentUser, month: MonthParam = None, format: ExportFormat = "csv"
) -> Response:
    """The month table as CSV or XLSX."""
    first = month_of(month)
    rows = attendance.month_table(db, user, first, get_settings(request).shift_start_time)
    return month_export(rows, first.strftime("%Y-%m"), format)
