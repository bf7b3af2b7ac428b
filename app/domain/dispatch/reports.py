"""The dispatcher's reports, each in a few queries (no query per row).

Technicians over a period of company days: orders done (completed in the period), the median
hours from an order's creation to done, the share done on or before the due day, reopenings
during the period of orders they had completed (read from the audit log: a step from done back
to work; the rules allow it within 14 days of completion only), hours booked (the scheduled
slots of non-cancelled orders, clipped to the period) against the hours of their working week
over the period's days, and the utilisation that makes. Open defects of each complex, as of
today, by days since reported and by priority.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Forbidden, Invalid
from app.domain.audit.models import AuditEntry
from app.domain.dispatch.crud import technicians
from app.domain.dispatch.models import OrderKind, OrderStatus, Technician, WorkOrder
from app.domain.dispatch.report_schemas import (
    AGE_BUCKETS,
    MAX_REPORT_DAYS,
    PRIORITIES,
    DefectReport,
    DefectRow,
    ReportPeriod,
    TechnicianFigures,
    TechnicianReport,
)
from app.domain.dispatch.schemas import working_window
from app.domain.inventory.models import Apartment, Building, Complex

TENTH = Decimal("0.1")
OPEN = (OrderStatus.NEW, OrderStatus.SCHEDULED, OrderStatus.IN_PROGRESS)


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percent of `whole`, to a tenth; None when `whole` is zero."""
    return _tenth(Decimal(part) * 100 / Decimal(whole)) if whole else None


def hours(minutes: float | int) -> Decimal:
    """Minutes as hours, to a tenth."""
    return _tenth(Decimal(str(minutes)) / 60)


def default_period(today: date) -> tuple[date, date]:
    """The company month of `today`, first to last day."""
    first = clock.month_start(today)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def check_period(period: ReportPeriod) -> None:
    """Invalid (naming `to`) when the period ends before it starts or runs over a year."""
    if period.date_to < period.date_from:
        raise Invalid("The end of the period is before its start.", field="to")
    if (period.date_to - period.date_from).days >= MAX_REPORT_DAYS:
        raise Invalid("Choose at most %(days)s days.", field="to", days=MAX_REPORT_DAYS)


def weekday_counts(first: date, last: date) -> Counter[int]:
    """How many Mondays (0) .. Sundays (6) the days `first`..`last` hold."""
    weeks, rest = divmod((last - first).days + 1, 7)
    counts = Counter({day: weeks for day in range(7)})
    counts.update((first.weekday() + n) % 7 for n in range(rest))
    return counts


def available_minutes(technician: Technician, weekdays: Counter[int]) -> int:
    """A technician's working minutes over days holding `weekdays` (their hours per weekday)."""
    total = 0
    for day, pair in (technician.hours or {}).items():
        opens, closes = working_window(pair)
        total += weekdays[int(day)] * ((closes.hour - opens.hour) * 60 + closes.minute - opens.minute)
    return total


@dataclass
class _Work:
    """What the queries found of one technician (or the team)."""

    durations: list[float] = field(default_factory=list)  # hours from creation to done
    on_time: int = 0
    reopened: int = 0
    booked: float = 0.0  # minutes
    available: int = 0  # minutes

    def add(self, other: _Work) -> None:
        """Fold another technician's work into this (the team's total)."""
        self.durations += other.durations
        self.on_time += other.on_time
        self.reopened += other.reopened
        self.booked += other.booked
        self.available += other.available

    def figures(self, technician_id: int | None, name: str, is_active: bool = True) -> TechnicianFigures:
        """The figures a report row shows."""
        done = len(self.durations)
        booked = hours(self.booked)
        available = hours(self.available)
        return TechnicianFigures(
            technician_id=technician_id,
            name=name,
            is_active=is_active,
            done=done,
            median_hours=_tenth(Decimal(str(statistics.median(self.durations)))) if done else None,
            on_time=self.on_time,
            on_time_rate=share(self.on_time, done),
            reopened=self.reopened,
            booked_hours=booked,
            available_hours=available,
            utilisation=share(Decimal(str(self.booked)), self.available),
        )


class DispatchReports:
    """The dispatcher's reports (and the admin's)."""

    def _may_read(self, actor: User) -> None:
        if not can(actor, P.DISPATCH_REPORTS):
            raise Forbidden("Only the dispatcher sees dispatch reports.")

    def technicians(self, db: Session, actor: User, period: ReportPeriod) -> TechnicianReport:
        """Each technician's figures over the company days of `period`, and the team's."""
        self._may_read(actor)
        check_period(period)
        start, end = clock.day_range(period.date_from, period.date_to)
        work: dict[int, _Work] = {}
        self._done(db, start, end, work)
        self._reopened(db, start, end, work)
        self._booked(db, start, end, work)
        weekdays = weekday_counts(period.date_from, period.date_to)
        rows, team = [], _Work()
        for tech in technicians.all(db, actor):
            mine = work.pop(tech.id, None)
            if mine is None and not tech.is_active:
                continue
            mine = mine or _Work()
            mine.available = available_minutes(tech, weekdays)
            team.add(mine)
            rows.append(mine.figures(tech.id, tech.name, tech.is_active))
        return TechnicianReport(
            date_from=period.date_from, date_to=period.date_to, technicians=rows, total=team.figures(None, "")
        )

    @staticmethod
    def _done(db: Session, start: datetime, end: datetime, work: dict[int, _Work]) -> None:
        """Orders completed in [start, end): hours since creation, on time or not."""
        q = select(WorkOrder.technician_id, WorkOrder.created_at, WorkOrder.completed_at, WorkOrder.due_date).where(
            WorkOrder.status == OrderStatus.DONE,
            WorkOrder.technician_id.is_not(None),
            WorkOrder.completed_at >= start,
            WorkOrder.completed_at < end,
        )
        for tech_id, created, completed, due in db.execute(q):
            mine = work.setdefault(tech_id, _Work())
            mine.durations.append(max((completed - created).total_seconds(), 0) / 3600)
            mine.on_time += clock.local(completed).date() <= due

    @staticmethod
    def _reopened(db: Session, start: datetime, end: datetime, work: dict[int, _Work]) -> None:
        """Steps from done back to work in [start, end), by the technician who had completed the order."""
        before, after = AuditEntry.before, AuditEntry.after
        steps = (
            select(before["technician_id"].as_integer().label("technician_id"))
            .where(
                AuditEntry.entity == "work_order",
                AuditEntry.action == "update",
                AuditEntry.at >= start,
                AuditEntry.at < end,
                before["status"].as_string() == OrderStatus.DONE.value,
                after["status"].as_string() != OrderStatus.DONE.value,
            )
            .subquery()
        )
        q = select(steps.c.technician_id, func.count()).where(steps.c.technician_id.is_not(None))
        for tech_id, count in db.execute(q.group_by(steps.c.technician_id)):
            work.setdefault(tech_id, _Work()).reopened += count

    @staticmethod
    def _booked(db: Session, start: datetime, end: datetime, work: dict[int, _Work]) -> None:
        """Minutes of the non-cancelled slots overlapping [start, end), the part inside it only."""
        q = select(WorkOrder.technician_id, WorkOrder.scheduled_start, WorkOrder.scheduled_end).where(
            WorkOrder.technician_id.is_not(None),
            WorkOrder.status != OrderStatus.CANCELLED,
            WorkOrder.scheduled_start < end,
            WorkOrder.scheduled_end > start,
        )
        for tech_id, slot_start, slot_end in db.execute(q):
            inside = min(slot_end, end) - max(slot_start, start)
            work.setdefault(tech_id, _Work()).booked += inside.total_seconds() / 60

    def defects(self, db: Session, actor: User) -> DefectReport:
        """Open defects of each complex that has any, by age bucket and priority, with the total."""
        self._may_read(actor)
        today = clock.today()
        since = [clock.day_start(today - timedelta(days=days)) for days in (3, 7, 14)]
        bucket = case(
            (WorkOrder.created_at >= since[0], AGE_BUCKETS[0]),
            (WorkOrder.created_at >= since[1], AGE_BUCKETS[1]),
            (WorkOrder.created_at >= since[2], AGE_BUCKETS[2]),
            else_=AGE_BUCKETS[3],
        )
        open_defects = (
            select(Complex.id, Complex.name, WorkOrder.priority, bucket.label("bucket"))
            .join(Apartment, Apartment.id == WorkOrder.apartment_id)
            .join(Building, Building.id == Apartment.building_id)
            .join(Complex, Complex.id == Building.complex_id)
            .where(WorkOrder.kind == OrderKind.DEFECT, WorkOrder.status.in_(OPEN))
            .subquery()
        )
        c = open_defects.c  # grouped outside: PostgreSQL cannot match a CASE with bound values in GROUP BY
        counts = db.execute(
            select(c.id, c.name, c.priority, c.bucket, func.count())
            .group_by(c.id, c.name, c.priority, c.bucket)
            .order_by(c.name, c.id)
        ).all()
        rows: dict[int, DefectRow] = {}
        total = _defect_row(None, "")
        for complex_id, name, priority, age, count in counts:
            row = rows.setdefault(complex_id, _defect_row(complex_id, name))
            for target in (row, total):
                target.by_age[age] += count
                target.by_priority[priority] = target.by_priority.get(priority, 0) + count
                target.total += count
        return DefectReport(today=today, complexes=list(rows.values()), total=total)


def _defect_row(complex_id: int | None, name: str) -> DefectRow:
    return DefectRow(
        complex_id=complex_id,
        complex=name,
        by_age=dict.fromkeys(AGE_BUCKETS, 0),
        by_priority=dict.fromkeys(PRIORITIES, 0),
        total=0,
    )


dispatch_reports = DispatchReports()
