"""The JSON twin of checking in and out: POST /api/<role>/attendance/check-in, /check-out."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.domain.staff.attendance import attendance
from app.domain.staff.models import Shift
from app.domain.staff.schemas import AttendanceStatus, ShiftRead

router = APIRouter()
CONFLICT = {409: {"description": "already checked in / not checked in (the message says which)"}}


@router.get("/attendance/status", response_model=AttendanceStatus)
def status(db: DbSession, user: CurrentUser) -> AttendanceStatus:
    """Whether the caller is on shift now, and since when."""
    shift = attendance.open_shift(db, user.id)
    return AttendanceStatus(on_shift=shift is not None, shift=shift and ShiftRead.model_validate(shift))


@router.post("/attendance/check-in", response_model=ShiftRead, status_code=201, responses=CONFLICT)
def check_in(db: DbSession, user: CurrentUser) -> Shift:
    """Start a shift now: 201 with the shift, 409 when one is already open."""
    return attendance.check_in(db, user)


@router.post("/attendance/check-out", response_model=ShiftRead, responses=CONFLICT)
def check_out(db: DbSession, user: CurrentUser) -> Shift:
    """End the open shift now: the closed shift, 409 when not checked in."""
    return attendance.check_out(db, user)
