"""The JSON twin of the MOP's attendance: GET /api/mop/attendance?date=, /attendance/month?month=."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.core import clock
from app.domain.staff.attendance import attendance
from app.domain.staff.schemas import AttendanceDay, AttendanceMonth, DayItem, MonthItem
from app.features.team_attendance.exports import month_export
from app.features.team_attendance.params import DayParam, MonthParam, month_of
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()


@router.get("/attendance", response_model=AttendanceDay)
def day_board(request: Request, db: DbSession, user: CurrentUser, day: DayParam = None) -> AttendanceDay:
    """Everyone's shifts of a company day (default today): items with user, checked_in_at, checked_out_at."""
    settings = get_settings(request)
    day = day or clock.today()
    rows = attendance.day_board(db, user, day, settings.shift_start_time)
    items = [DayItem.model_validate(r) for r in rows]
    return AttendanceDay(date=day, shift_start=settings.shift_start, items=items)


@router.get("/attendance/month", response_model=AttendanceMonth)
def month_table(request: Request, db: DbSession, user: CurrentUser, month: MonthParam = None) -> AttendanceMonth:
    """Per person for a month (default this one): days present, hours, late arrivals, not checked out."""
    settings = get_settings(request)
    first = month_of(month)
    rows = attendance.month_table(db, user, first, settings.shift_start_time)
    items = [MonthItem.model_validate(r) for r in rows]
    return AttendanceMonth(month=first.strftime("%Y-%m"), shift_start=settings.shift_start, items=items)


@router.get("/attendance/month/export", response_class=Response, responses=EXPORT_RESPONSES)
def month_file(
    request: Request, db: DbSession, user: CurrentUser, month: MonthParam = None, format: ExportFormat = "csv"
) -> Response:
    """The month table as CSV or XLSX."""
    first = month_of(month)
    rows = attendance.month_table(db, user, first, get_settings(request).shift_start_time)
    return month_export(rows, first.strftime("%Y-%m"), format)
