"""Attendance: check-in and check-out (one open shift per user), the night close of forgotten
shifts, the MOP's board of a day and the month table per person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, Role, can
from app.core import clock
from app.core.errors import Conflict, Forbidden
from app.domain.audit.crud import audit
from app.domain.staff.models import Shift

LATE_AFTER = timedelta(minutes=1)  # a check-in within the first minute of the shift start is on time


def _shift_snapshot(shift: Shift) -> dict:
    return {
        "user_id": shift.user_id,
        "checked_in_at": shift.checked_in_at,
        "checked_out_at": shift.checked_out_at,
        "closed_by_system": shift.closed_by_system,
    }


def _hhmm(moment: datetime) -> str:
    return clock.local(moment).strftime("%H:%M")


def shift_end(shift: Shift, now: datetime) -> datetime:
    """When the shift ended, or the moment it counts up to while open (now, at most its day's end)."""
    return shift.checked_out_at or min(now, clock.day_end(shift.day))


def is_late(first_in: datetime, shift_start: time) -> bool:
    """True when the day's first check-in came after the shift start (company time)."""
    local = clock.local(first_in)
    start = datetime.combine(local.date(), shift_start, tzinfo=local.tzinfo)
    return local >= start + LATE_AFTER


@dataclass
class DayRow:
    """A person on the board of a day: their shifts, first in, last out, whether on shift now."""

    user: User
    shifts: list[Shift] = field(default_factory=list)
    late: bool = False
    hours: float = 0.0

    @property
    def checked_in_at(self) -> datetime | None:
        """The day's first check-in."""
        return self.shifts[0].checked_in_at if self.shifts else None

    @property
    def checked_out_at(self) -> datetime | None:
        """The day's last check-out (None while on shift)."""
        return self.shifts[-1].checked_out_at if self.shifts else None

    @property
    def on_shift(self) -> bool:
        """True while the last shift is open."""
        return bool(self.shifts) and self.shifts[-1].checked_out_at is None

    @property
    def closed_by_system(self) -> bool:
        """True when a shift of the day was closed by the night job (not checked out)."""
        return any(s.closed_by_system for s in self.shifts)

    @property
    def breaks(self) -> list[Break]:
        """The gaps between the day's shifts: checked out, then in again."""
        return [
            Break(started_at=before.checked_out_at, ended_at=after.checked_in_at)
            for before, after in zip(self.shifts, self.shifts[1:], strict=False)
            if before.checked_out_at is not None
        ]


@dataclass
class Break:
    """A pause in a working day: from a check-out to the next check-in."""

    started_at: datetime
    ended_at: datetime

    @property
    def minutes(self) -> int:
        """How long the pause lasted, in whole minutes."""
        return int((self.ended_at - self.started_at).total_seconds() // 60)


@dataclass
class MonthRow:
    """A person's month: days present, hours, late arrivals, days not checked out."""

    user: User
    days_present: int = 0
    hours: float = 0.0
    late_days: int = 0
    not_checked_out: int = 0
    late_dates: list[date] = field(default_factory=list)


class AttendanceCRUD:
    """Shifts of staff; everyone checks themselves in and out, the MOP reads everyone's."""

    def open_shift(self, db: Session, user_id: int) -> Shift | None:
        """The user's open shift of today (an open one of an earlier day is not a shift any more)."""
        return db.scalar(
            select(Shift).where(Shift.user_id == user_id, Shift.checked_out_at.is_(None), Shift.day == clock.today())
        )

    def check_in(self, db: Session, actor: User) -> Shift:
        """Open a shift for the actor; Conflict when one is open (a race too: the unique index decides)."""
        self._may_check(actor)
        self._close_stale(db, actor.id)
        current = self.open_shift(db, actor.id)
        if current is not None:
            raise Conflict("You are already checked in (since %(time)s).", time=_hhmm(current.checked_in_at))
        try:
            with db.begin_nested():
                shift = Shift(user_id=actor.id, day=clock.today(), checked_in_at=clock.now())
                db.add(shift)
                db.flush()
        except IntegrityError as exc:
            raise Conflict("You are already checked in.") from exc
        audit.record(db, actor, "shift", shift.id, "check_in", None, _shift_snapshot(shift))
        from app.domain.distribution.crud import distribution  # distribution reads shifts: imported late

        distribution.on_check_in(db, actor)
        return shift

    def check_out(self, db: Session, actor: User) -> Shift:
        """Close the actor's open shift; Conflict when they are not checked in."""
        self._may_check(actor)
        self._close_stale(db, actor.id)
        shift = self.open_shift(db, actor.id)
        if shift is None:
            raise Conflict("You are not checked in.")
        before = _shift_snapshot(shift)
        shift.checked_out_at = clock.now()
        db.flush()
        audit.record(db, actor, "shift", shift.id, "check_out", before, _shift_snapshot(shift))
        return shift

    def close_forgotten(self, db: Session) -> int:
        """Close every shift still open from an earlier company day at that day's midnight,
        flagged "not checked out"; returns how many (the night beat job)."""
        stale = db.scalars(
            select(Shift).where(Shift.checked_out_at.is_(None), Shift.day < clock.today()).order_by(Shift.id)
        ).all()
        for shift in stale:
            before = _shift_snapshot(shift)
            shift.checked_out_at = clock.day_end(shift.day)
            shift.closed_by_system = True
            db.flush()
            audit.record(db, None, "shift", shift.id, "auto_close", before, _shift_snapshot(shift))
        return len(stale)

    def on_shift(self, db: Session, role: Role | None = None) -> list[Shift]:
        """Today's open shifts of active users (of `role`), the earliest check-in first."""
        q = (
            select(Shift)
            .join(User, User.id == Shift.user_id)
            .where(Shift.checked_out_at.is_(None), Shift.day == clock.today(), User.is_active.is_(True))
            .options(joinedload(Shift.user))
            .order_by(Shift.checked_in_at, Shift.id)
        )
        if role is not None:
            q = q.where(User.role == role)
        return list(db.scalars(q))

    def day_board(self, db: Session, actor: User, day: date, shift_start: time) -> list[DayRow]:
        """Every active staff member with their shifts of `day`: who is in, since when, who is late."""
        self._may_read_all(actor)
        people = db.scalars(
            select(User).where(User.is_active.is_(True)).order_by(User.role, User.full_name, User.username)
        ).all()
        rows = {u.id: DayRow(u) for u in people}
        shifts = db.scalars(select(Shift).where(Shift.day == day).order_by(Shift.checked_in_at, Shift.id)).all()
        now = clock.now()
        for shift in shifts:
            row = rows.get(shift.user_id)
            if row is not None:
                row.shifts.append(shift)
                row.hours += (shift_end(shift, now) - shift.checked_in_at).total_seconds() / 3600
        for row in rows.values():
            row.late = row.checked_in_at is not None and is_late(row.checked_in_at, shift_start)
            row.hours = round(row.hours, 2)
        return sorted(rows.values(), key=lambda r: (r.checked_in_at is None, r.checked_in_at or now))

    def month_table(self, db: Session, actor: User, month: date, shift_start: time) -> list[MonthRow]:
        """Per active staff member, the month of `month` (its first day): days, hours, late arrivals."""
        self._may_read_all(actor)
        end = (month + timedelta(days=32)).replace(day=1)
        people = db.scalars(
            select(User).where(User.is_active.is_(True)).order_by(User.role, User.full_name, User.username)
        ).all()
        rows = {u.id: MonthRow(u) for u in people}
        shifts = db.scalars(
            select(Shift).where(Shift.day >= month, Shift.day < end).order_by(Shift.checked_in_at, Shift.id)
        ).all()
        now = clock.now()
        first_in: dict[tuple[int, date], datetime] = {}
        for shift in shifts:
            row = rows.get(shift.user_id)
            if row is None:
                continue
            row.hours += (shift_end(shift, now) - shift.checked_in_at).total_seconds() / 3600
            row.not_checked_out += int(shift.closed_by_system)
            first_in.setdefault((shift.user_id, shift.day), shift.checked_in_at)
        for (user_id, day), moment in sorted(first_in.items(), key=lambda kv: kv[0][1]):
            row = rows[user_id]
            row.days_present += 1
            if is_late(moment, shift_start):
                row.late_days += 1
                row.late_dates.append(day)
        for row in rows.values():
            row.hours = round(row.hours, 2)
        return list(rows.values())

    def _close_stale(self, db: Session, user_id: int) -> None:
        """Close the user's open shift of an earlier day (the night job may not have run yet)."""
        stale = db.scalar(
            select(Shift).where(Shift.user_id == user_id, Shift.checked_out_at.is_(None), Shift.day < clock.today())
        )
        if stale is not None:
            before = _shift_snapshot(stale)
            stale.checked_out_at = clock.day_end(stale.day)
            stale.closed_by_system = True
            db.flush()
            audit.record(db, None, "shift", stale.id, "auto_close", before, _shift_snapshot(stale))

    @staticmethod
    def _may_check(actor: User) -> None:
        if not can(actor, P.ATTENDANCE_CHECK):
            raise Forbidden("You cannot check in.")

    @staticmethod
    def _may_read_all(actor: User) -> None:
        if not can(actor, P.ATTENDANCE_READ_ALL):
            raise Forbidden("Only the MOP sees the team's attendance.")


attendance = AttendanceCRUD()
