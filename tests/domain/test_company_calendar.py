"""Days, months and date filters follow the company's calendar (Tashkent, UTC+5), not UTC.

Time is moved with time-machine to the hours around local midnight, when the UTC date and
the company's date differ.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Invalid
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.domain.finance.crud import payments
from app.domain.finance.schemas import PaymentCreate
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadFilter
from app.domain.staff.crud import staff
from tests.factories import make_contract, make_lead, make_user

# 20:30 UTC on March 31 is 01:30 on April 1 in Tashkent.
AFTER_LOCAL_MIDNIGHT = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def tashkent():
    """The company works in Tashkent for these tests, whatever TIME_ZONE the machine has."""
    zone = clock.company_zone().key
    clock.use_time_zone("Asia/Tashkent")
    yield
    clock.use_time_zone(zone)


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_the_clock_counts_days_from_local_midnight(time_machine):
    time_machine.move_to(AFTER_LOCAL_MIDNIGHT, tick=False)
    assert clock.today() == date(2026, 4, 1)
    assert clock.day_start(date(2026, 4, 1)) == utc(31, 19)
    assert clock.end_of_today() == utc(1, 19, month=4)
    assert clock.day_range(date(2026, 4, 1), date(2026, 4, 2)) == (utc(31, 19), utc(2, 19, month=4))
    assert clock.day_range(None, None) == (None, None)
    assert clock.month_start(date(2026, 4, 17)) == date(2026, 4, 1)
    assert clock.week_end(date(2026, 4, 1)) == date(2026, 4, 5)  # a Wednesday; the week ends on Sunday
    assert clock.from_local(datetime(2026, 4, 1, 1, 0)) == utc(31, 20)


def test_contracts_this_month_counts_the_local_month(db, time_machine):
    time_machine.move_to(utc(31, 18), tick=False)  # 23:00 on March 31 in Tashkent
    make_contract(db)
    time_machine.move_to(utc(31, 20), tick=False)  # 01:00 on April 1 in Tashkent
    april = make_contract(db)
    time_machine.move_to(AFTER_LOCAL_MIDNIGHT, tick=False)
    admin = make_user(db, Role.ADMIN)
    assert april.signed_at == utc(31, 20)
    assert staff.home(db, admin, Role.ADMIN).counters["contracts_month"] == 1


def test_an_instalment_due_yesterday_locally_is_overdue_after_local_midnight(db, time_machine):
    make_contract(db, months=2, start=date(2026, 2, 28))  # the first instalment is due on March 28
    time_machine.move_to(utc(28, 18, 59), tick=False)  # 23:59 on March 28 locally: not overdue yet
    finance = make_user(db, Role.FINANCE)
    assert staff.home(db, finance, Role.FINANCE).counters["contracts_overdue"] == 0
    time_machine.move_to(utc(28, 19, 1), tick=False)  # 00:01 on March 29 locally (still March 28 in UTC)
    assert staff.home(db, finance, Role.FINANCE).counters["contracts_overdue"] == 1


def test_audit_date_filters_are_local_days(db, time_machine):
    time_machine.move_to(utc(31, 19, 30), tick=False)  # 00:30 on April 1 in Tashkent
    admin = make_user(db, Role.ADMIN)
    audit.record(db, admin, "probe", 1, "create")
    time_machine.move_to(utc(31, 18, 30), tick=False)  # 23:30 on March 31 in Tashkent
    audit.record(db, admin, "probe", 2, "create")

    def ids(**dates) -> list[str]:
        return [e.entity_id for e in audit.page(db, AuditFilter(entity="probe", **dates)).items]

    assert ids(date_from=date(2026, 4, 1)) == ["1"]
    assert ids(date_to=date(2026, 3, 31)) == ["2"]
    assert ids(date_from=date(2026, 4, 1), date_to=date(2026, 4, 1)) == ["1"]


def test_a_lead_created_late_in_the_evening_is_under_that_local_day(db, time_machine):
    time_machine.move_to(utc(31, 18, 30), tick=False)  # 23:30 on March 31 in Tashkent
    mop = make_user(db, Role.MOP)
    lead = make_lead(db)
    march_31 = LeadFilter(created_from=date(2026, 3, 31), created_to=date(2026, 3, 31))
    april_1 = LeadFilter(created_from=date(2026, 4, 1), created_to=date(2026, 4, 1))
    assert [item.id for item in leads.page(db, mop, march_31).items] == [lead.id]
    assert leads.page(db, mop, april_1).total == 0


def test_a_payment_cannot_be_dated_tomorrow_of_the_company_calendar(db, time_machine):
    contract = make_contract(db)
    time_machine.move_to(utc(31, 10), tick=False)  # 15:00 on March 31 in Tashkent
    cashier = make_user(db, Role.FINANCE)

    def record(day: date):
        data = PaymentCreate(contract_id=contract.id, amount=Decimal("100"), paid_at=day, method="cash")
        return payments.record(db, cashier, data, None)[0]

    with pytest.raises(Invalid):
        record(date(2026, 4, 1))
    assert record(date(2026, 3, 31)).paid_at == date(2026, 3, 31)
    time_machine.move_to(AFTER_LOCAL_MIDNIGHT, tick=False)
    assert record(date(2026, 4, 1)).paid_at == date(2026, 4, 1)  # already April 1 in Tashkent
