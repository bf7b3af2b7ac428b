"""Dispatch reports in the domain: the technicians' figures of hand-made orders (done on time, late,
reopened, slots over the period's bounds, a technician without orders) and open defects by age and
priority on the company's calendar."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.auth.permissions import Role
from app.core.errors import Forbidden, Invalid
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.report_schemas import ReportPeriod
from app.domain.dispatch.reports import default_period, dispatch_reports, weekday_counts
from app.domain.dispatch.schemas import WorkOrderPatch
from tests.dispatch_scenario import build_march, local
from tests.factories import DUE_RULES, free_apartment, make_technician, make_user, make_work_order


def period(first: date, last: date) -> ReportPeriod:
    return ReportPeriod(date_from=first, date_to=last)


@pytest.fixture
def dispatcher(db):
    return make_user(db, Role.DISPATCHER)


@pytest.fixture
def march(db, time_machine, dispatcher):
    return build_march(db, time_machine, dispatcher)


def test_march_figures_per_technician_and_for_the_team(db, dispatcher, march):
    report = dispatch_reports.technicians(db, dispatcher, period(date(2026, 3, 1), date(2026, 3, 31)))
    rows = {r.name: r for r in report.technicians}
    assert list(rows) == ["Алишер", "Бобур"]  # the inactive technician without work is left out
    alisher = rows["Алишер"]
    assert (alisher.done, alisher.median_hours, alisher.on_time, alisher.on_time_rate) == (
        3,
        Decimal("78.0"),
        2,
        Decimal("66.7"),
    )
    assert alisher.reopened == 2
    assert (alisher.booked_hours, alisher.available_hours, alisher.utilisation) == (
        Decimal("5.5"),
        Decimal("198.0"),
        Decimal("2.8"),
    )
    bobur = rows["Бобур"]
    assert (bobur.done, bobur.median_hours, bobur.on_time_rate, bobur.reopened) == (0, None, None, 0)
    assert (bobur.booked_hours, bobur.available_hours, bobur.utilisation) == (Decimal("0.0"), Decimal("20.0"), 0)
    total = report.total
    assert (total.done, total.median_hours, total.reopened, total.booked_hours, total.available_hours) == (
        3,
        Decimal("78.0"),
        2,
        Decimal("5.5"),
        Decimal("218.0"),
    )


def test_february_sees_its_own_done_order_and_the_slot_reaching_into_march(db, dispatcher, march):
    report = dispatch_reports.technicians(db, dispatcher, period(date(2026, 2, 1), date(2026, 2, 28)))
    alisher = next(r for r in report.technicians if r.name == "Алишер")
    # the order done on the 27th was reopened in March: it is no longer done, so only the 26th's counts
    assert (alisher.done, alisher.median_hours, alisher.on_time, alisher.reopened) == (1, Decimal("26.0"), 1, 0)
    assert alisher.booked_hours == Decimal("2.5")  # the 26th's and 27th's hours and half an hour of the 28th


def test_one_day_holds_only_that_days_work(db, dispatcher, march):
    report = dispatch_reports.technicians(db, dispatcher, period(date(2026, 3, 10), date(2026, 3, 10)))
    alisher = next(r for r in report.technicians if r.name == "Алишер")
    assert (alisher.done, alisher.reopened, alisher.booked_hours, alisher.available_hours) == (
        1,
        1,
        Decimal("0.0"),
        Decimal("9.0"),
    )


def test_an_inactive_technician_with_work_in_the_period_is_shown(db, dispatcher, march):
    march.alisher.is_active = False
    db.flush()
    report = dispatch_reports.technicians(db, dispatcher, period(date(2026, 3, 1), date(2026, 3, 31)))
    assert [(r.name, r.is_active) for r in report.technicians] == [("Бобур", True), ("Алишер", False)]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 3, 31), date(2026, 3, 1), "before its start"),
        (date(2024, 1, 1), date(2026, 3, 1), "at most"),
    ],
)
def test_a_backwards_or_huge_period_is_refused_naming_to(db, dispatcher, first, last, message):
    with pytest.raises(Invalid) as refused:
        dispatch_reports.technicians(db, dispatcher, period(first, last))
    assert refused.value.field == "to" and message in refused.value.message


def test_only_those_with_the_permission_read_the_reports(db):
    for role in (Role.SALES, Role.ROP, Role.FINANCE):
        with pytest.raises(Forbidden):
            dispatch_reports.defects(db, make_user(db, role))
    assert dispatch_reports.defects(db, make_user(db, Role.ADMIN)).complexes == []


def test_weekdays_and_the_default_month():
    assert weekday_counts(date(2026, 3, 1), date(2026, 3, 31)) == {0: 5, 1: 5, 2: 4, 3: 4, 4: 4, 5: 4, 6: 5}
    assert default_period(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert default_period(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_open_defects_by_age_on_the_company_calendar_and_by_priority(db, time_machine, dispatcher):
    def defect(apartment_id: int, created: datetime, priority: int = 3, **fields) -> int:
        time_machine.move_to(created, tick=False)
        return make_work_order(db, apartment_id, actor=dispatcher, priority=priority, **fields).id

    north, south = free_apartment(db), free_apartment(db)
    tech = make_technician(db)
    defect(north.id, local(3, 20, 8), priority=1)  # today: 0 days
    defect(north.id, local(3, 17, 0, 5), priority=2)  # 3 days (just after the company's midnight)
    defect(north.id, local(3, 16, 23, 55))  # 4 days (before that midnight, though the 16th's evening UTC)
    defect(north.id, local(3, 13, 9), priority=5)  # 7 days
    defect(north.id, local(3, 12, 9))  # 8 days
    defect(north.id, local(3, 6, 9), priority=2)  # 14 days
    defect(north.id, local(3, 5, 9), priority=1)  # 15 days
    defect(north.id, local(3, 1, 9), kind="maintenance")  # not a defect
    cancelled = defect(north.id, local(3, 1, 9))
    work_orders.update(
        db, dispatcher, cancelled, WorkOrderPatch(status="cancelled", cancel_reason="Дубль"), DUE_RULES, None
    )
    done = defect(north.id, local(3, 1, 9), technician_id=tech.id, scheduled_start=local(3, 2, 10).isoformat())
    for status in ("in_progress", "done"):
        work_orders.update(db, dispatcher, done, WorkOrderPatch(status=status), DUE_RULES, None)
    defect(south.id, local(2, 28, 9), priority=4, technician_id=tech.id, scheduled_start=local(3, 21, 10).isoformat())
    time_machine.move_to(local(3, 20, 12), tick=False)

    report = dispatch_reports.defects(db, dispatcher)
    assert report.today == date(2026, 3, 20)
    rows = {r.complex_id: r for r in report.complexes}
    complex_of = {apartment.id: apartment.building.complex_id for apartment in (north, south)}
    first, second = rows[complex_of[north.id]], rows[complex_of[south.id]]
    assert first.by_age == {"0_3": 2, "4_7": 2, "8_14": 2, "over_14": 1}
    assert first.by_priority == {1: 2, 2: 2, 3: 2, 4: 0, 5: 1} and first.total == 7
    assert second.by_age == {"0_3": 0, "4_7": 0, "8_14": 0, "over_14": 1}
    assert second.by_priority == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0} and second.total == 1
    assert report.total.by_age == {"0_3": 2, "4_7": 2, "8_14": 2, "over_14": 2}
    assert report.total.by_priority == {1: 2, 2: 2, 3: 2, 4: 1, 5: 1} and report.total.total == 8


def test_the_reports_take_a_few_queries_whatever_the_number_of_orders(db, dispatcher, march, count_queries):
    with count_queries() as technicians_queries:
        dispatch_reports.technicians(db, dispatcher, period(date(2026, 3, 1), date(2026, 3, 31)))
    with count_queries() as defects_queries:
        dispatch_reports.defects(db, dispatcher)
    assert len(technicians_queries) <= 4 and len(defects_queries) == 1
