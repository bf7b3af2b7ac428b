"""Attendance rules: one open shift per user (409 on a second check-in, even in a race), no
check-out without a check-in, the night close of forgotten shifts, late arrivals and the month."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden
from app.domain.audit.models import AuditEntry
from app.domain.staff.attendance import attendance
from app.domain.staff.models import Shift
from tests.factories import make_user

NINE = time(9, 0)


def tashkent(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment of 2026 given on Tashkent's wall clock, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Tashkent")).astimezone(UTC)


def test_second_check_in_is_a_conflict_naming_the_time(db, time_machine):
    time_machine.move_to(tashkent(2, 9, 5), tick=False)
    seller = make_user(db, Role.SALES)
    shift = attendance.check_in(db, seller)
    assert shift.day == date(2026, 3, 2) and shift.checked_out_at is None
    with pytest.raises(Conflict) as caught:
        attendance.check_in(db, seller)
    assert caught.value.status_code == 409 and caught.value.params == {"time": "09:05"}
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.entity == "shift")) == "check_in"


def test_the_database_refuses_a_second_open_shift(db):
    seller = make_user(db, Role.SALES)
    attendance.check_in(db, seller)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(Shift(user_id=seller.id, day=date(2026, 3, 2)))
        db.flush()


def test_check_out_without_check_in_is_a_conflict(db):
    seller = make_user(db, Role.SALES)
    with pytest.raises(Conflict):
        attendance.check_out(db, seller)
    attendance.check_in(db, seller)
    closed = attendance.check_out(db, seller)
    assert closed.checked_out_at is not None and not closed.closed_by_system
    with pytest.raises(Conflict):
        attendance.check_out(db, seller)
    assert attendance.check_in(db, seller).id != closed.id  # back from lunch: a second shift the same day


def test_night_close_flags_forgotten_shifts_at_local_midnight(db, time_machine):
    time_machine.move_to(tashkent(2, 18, 0), tick=False)
    forgetful, careful = make_user(db, Role.SALES), make_user(db, Role.MOP)
    attendance.check_in(db, forgetful)
    attendance.check_in(db, careful)
    attendance.check_out(db, careful)
    time_machine.move_to(tashkent(2, 23, 59), tick=False)
    assert attendance.close_forgotten(db) == 0  # still the same company day
    time_machine.move_to(tashkent(3, 0, 1), tick=False)
    assert attendance.close_forgotten(db) == 1
    shift = db.scalar(select(Shift).where(Shift.user_id == forgetful.id))
    assert shift.closed_by_system and shift.checked_out_at == tashkent(3, 0, 0)
    assert attendance.open_shift(db, forgetful.id) is None
    assert attendance.check_in(db, forgetful).day == date(2026, 3, 3)


def test_checking_in_the_next_morning_closes_yesterdays_shift_first(db, time_machine):
    time_machine.move_to(tashkent(2, 9, 0), tick=False)
    seller = make_user(db, Role.SALES)
    attendance.check_in(db, seller)
    time_machine.move_to(tashkent(3, 8, 55), tick=False)  # the night job has not run
    attendance.check_in(db, seller)
    days = db.execute(select(Shift.day, Shift.closed_by_system).where(Shift.user_id == seller.id).order_by(Shift.id))
    assert list(days) == [(date(2026, 3, 2), True), (date(2026, 3, 3), False)]


def test_day_board_and_month_table(db, time_machine):
    mop = make_user(db, Role.MOP, full_name="Шахзод Алиев")
    early, late = make_user(db, Role.SALES, full_name="Ранний"), make_user(db, Role.SALES, full_name="Поздний")
    for day in (2, 3):
        time_machine.move_to(tashkent(day, 8, 50), tick=False)
        attendance.check_in(db, early)
        time_machine.move_to(tashkent(day, 9, 20), tick=False)
        attendance.check_in(db, late)
        time_machine.move_to(tashkent(day, 17, 50), tick=False)
        attendance.check_out(db, early)
        if day == 2:
            attendance.check_out(db, late)
    time_machine.move_to(tashkent(4, 10, 0), tick=False)
    attendance.close_forgotten(db)  # the late one forgot to check out on the 3rd
    board = {r.user.id: r for r in attendance.day_board(db, mop, date(2026, 3, 3), NINE)}
    assert board[early.id].checked_in_at == tashkent(3, 8, 50) and not board[early.id].late
    assert board[late.id].late and board[late.id].closed_by_system and not board[late.id].on_shift
    assert board[mop.id].checked_in_at is None
    rows = {r.user.id: r for r in attendance.month_table(db, mop, date(2026, 3, 1), NINE)}
    assert (rows[early.id].days_present, rows[early.id].late_days, rows[early.id].hours) == (2, 0, 18.0)
    assert (rows[late.id].days_present, rows[late.id].late_days, rows[late.id].not_checked_out) == (2, 2, 1)
    assert rows[late.id].hours == round(8.5 + 14 + 40 / 60, 2)  # 09:20-17:50, then 09:20 to midnight
    assert rows[late.id].late_dates == [date(2026, 3, 2), date(2026, 3, 3)]


def test_only_the_mop_reads_everyones_attendance(db):
    seller = make_user(db, Role.SALES)
    with pytest.raises(Forbidden):
        attendance.day_board(db, seller, date(2026, 3, 3), NINE)
    with pytest.raises(Forbidden):
        attendance.month_table(db, seller, date(2026, 3, 1), NINE)


def test_demo_month_of_attendance_loads_once(db):
    from app.auth.crud import users
    from app.auth.schemas import UserCreate
    from app.demo_staff import load_demo_staff
    from app.domain.distribution.crud import distribution
    from app.domain.distribution.models import DistributionMode

    for name, role in (("sales", Role.SALES), ("sales2", Role.SALES), ("mop", Role.MOP)):
        users.create(db, None, UserCreate(username=name, full_name=name.title(), role=role, password="demo-pass-9812"))
    created = load_demo_staff(db)
    assert created > 30 and load_demo_staff(db) == 0
    mop = db.scalar(select(User).where(User.username == "mop"))
    month = clock.month_start(clock.today() - timedelta(days=10))  # a month holding demo weekdays
    rows = attendance.month_table(db, mop, month, NINE)
    assert any(r.days_present for r in rows)
    assert distribution.view(db, mop).mode == DistributionMode.AUTO
