"""The funnel and team KPIs: furthest stage reached, conversions, loss reasons, median days to
contract, per-salesperson figures, the period in company days and the filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Forbidden, Invalid
from app.domain.contracts.models import ContractStatus
from app.domain.leads.models import Lead, LeadStatus, LeadStatusChange
from app.domain.reports.funnel import funnel
from app.domain.reports.schemas import FunnelQuery
from tests.factories import make_complex, make_contract, make_lead, make_user


def wall(day: int, hour: int = 12) -> datetime:
    """A moment of March 2026 on the company's wall clock, in UTC."""
    return clock.from_local(datetime(2026, 3, day, hour))


def lead_at(db, seller, day: int, status: LeadStatus, history: tuple[LeadStatus, ...] = (), **fields):
    """A lead of `seller` that came in on March `day`, now in `status`, having passed `history`."""
    lead = make_lead(db, seller, status=status, **{"created_at": wall(day), **fields})
    previous = LeadStatus.NEW
    for step in history:
        db.add(LeadStatusChange(lead_id=lead.id, from_status=previous, to_status=step, at=wall(day, 13)))
        previous = step
    db.flush()
    return lead


def contract_for(db, lead, seller, signed_at: datetime, price: str, discount: str, cancelled: bool = False):
    """A contract of `seller` for `lead` with its price and discount."""
    contract = make_contract(db)
    db.get(Lead, contract.lead_id).created_at = datetime(2025, 1, 1, tzinfo=UTC)  # the factory's own lead: elsewhere
    contract.lead_id, contract.salesperson_id, contract.signed_at = lead.id, seller.id, signed_at
    contract.price, contract.discount = Decimal(price), Decimal(discount)
    contract.status = ContractStatus.CANCELLED if cancelled else ContractStatus.ACTIVE
    db.flush()
    return contract


MARCH = FunnelQuery(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


@pytest.fixture
def team(db, user_of, time_machine):
    """Two salespeople's March leads in every stage, contracts 2 and 10 days after the request."""
    time_machine.move_to(wall(31, 18), tick=False)
    first, second = make_user(db, Role.SALES, full_name="Азиз"), make_user(db, Role.SALES, full_name="Бобур")
    for _ in range(4):
        lead_at(db, first, 2, LeadStatus.NEW)
    lead_at(db, first, 3, LeadStatus.IN_WORK, (LeadStatus.IN_WORK,))
    lead_at(db, first, 3, LeadStatus.IN_WORK, (LeadStatus.IN_WORK,), next_callback_at=wall(30))  # overdue
    lead_at(
        db, first, 4, LeadStatus.LOST, (LeadStatus.IN_WORK, LeadStatus.BOOKED, LeadStatus.LOST), lost_reason="Дорого"
    )
    lead_at(db, first, 4, LeadStatus.LOST, (LeadStatus.LOST,), lost_reason="Дорого")
    lead_at(db, first, 5, LeadStatus.LOST, (LeadStatus.IN_WORK, LeadStatus.LOST), lost_reason="  Купил у конкурента ")
    sold = lead_at(db, first, 6, LeadStatus.SOLD, (LeadStatus.IN_WORK, LeadStatus.BOOKED, LeadStatus.SOLD))
    contract_for(db, sold, first, wall(8), "1000", "50")  # 2 days, 5 %
    sold2 = lead_at(db, second, 6, LeadStatus.SOLD, (LeadStatus.IN_WORK, LeadStatus.BOOKED, LeadStatus.SOLD))
    contract_for(db, sold2, second, wall(16), "2000", "0")  # 10 days, 0 %
    lead_at(db, second, 7, LeadStatus.BOOKED, (LeadStatus.IN_WORK, LeadStatus.BOOKED))
    lead_at(db, second, 7, LeadStatus.SOLD)  # sold without a recorded history still counts as sold
    lead_at(db, second, 1, LeadStatus.NEW, created_at=wall(1, 1) - timedelta(hours=2))  # Feb 28 locally: outside
    db.commit()
    return first, second


def test_stages_count_the_furthest_stage_ever_reached(db, user_of, team):
    report = funnel.funnel(db, user_of(Role.ROP), MARCH)

    assert [(s.key, s.count) for s in report.stages] == [("leads", 13), ("in_work", 8), ("booked", 5), ("sold", 3)]
    assert [s.conversion for s in report.stages] == [None, Decimal("61.5"), Decimal("62.5"), Decimal("60.0")]
    assert report.lost == 3


def test_loss_reasons_are_grouped_with_spaces_ignored(db, user_of, team):
    report = funnel.funnel(db, user_of(Role.ROP), MARCH)

    assert [(r.reason, r.count) for r in report.loss_reasons] == [("Дорого", 2), ("Купил у конкурента", 1)]


def test_median_days_and_the_salespeople_table(db, user_of, team):
    first, second = team
    report = funnel.funnel(db, user_of(Role.ROP), MARCH)

    assert report.contracts == 2
    assert report.median_days_to_contract == Decimal("6.0")  # median of 2 and 10 days
    rows = {r.salesperson_id: r for r in report.salespeople}
    assert (rows[first.id].leads, rows[first.id].contracts, rows[first.id].conversion) == (10, 1, Decimal("10.0"))
    assert rows[first.id].average_discount == Decimal("5.0")
    assert rows[first.id].overdue_callbacks == 1
    assert (rows[second.id].leads, rows[second.id].contracts, rows[second.id].conversion) == (3, 1, Decimal("33.3"))
    assert rows[second.id].average_discount == Decimal("0")
    assert rows[second.id].overdue_callbacks == 0


def test_cancelled_contracts_leave_the_kpis(db, user_of, team):
    first, _ = team
    late = lead_at(db, first, 9, LeadStatus.SOLD)
    contract_for(db, late, first, wall(20), "1000", "100", cancelled=True)
    db.commit()

    report = funnel.funnel(db, user_of(Role.ROP), MARCH)

    assert report.contracts == 2
    assert next(r for r in report.salespeople if r.salesperson_id == first.id).contracts == 1


def test_filters_by_salesperson_and_complex(db, user_of, team):
    _, second = team
    home = make_complex(db, "funnel-home", public=False)
    lead_at(db, second, 10, LeadStatus.NEW, complex_id=home.id)
    lead_at(db, second, 10, LeadStatus.IN_WORK, (LeadStatus.IN_WORK,), complex_id=home.id)
    db.commit()
    rop = user_of(Role.ROP)

    mine = funnel.funnel(db, rop, MARCH.model_copy(update={"salesperson_id": second.id}))
    assert mine.stages[0].count == 5 and [r.salesperson_id for r in mine.salespeople] == [second.id]
    there = funnel.funnel(db, rop, MARCH.model_copy(update={"complex_id": home.id}))
    assert [s.count for s in there.stages] == [2, 1, 0, 0]
    assert there.stages[2].conversion == Decimal("0.0") and there.median_days_to_contract is None


def test_an_empty_period_has_no_conversions(db, user_of):
    report = funnel.funnel(db, user_of(Role.ROP), FunnelQuery(date_from=date(2030, 1, 1), date_to=date(2030, 1, 2)))

    assert [s.count for s in report.stages] == [0, 0, 0, 0]
    assert all(s.conversion is None for s in report.stages)
    assert report.median_days_to_contract is None and report.loss_reasons == []


def test_periods_are_checked_and_only_the_rop_and_admins_read(db, user_of):
    rop = user_of(Role.ROP)
    with pytest.raises(Invalid) as backwards:
        funnel.funnel(db, rop, FunnelQuery(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1)))
    assert backwards.value.field == "to"
    with pytest.raises(Invalid):
        funnel.funnel(db, rop, FunnelQuery(date_from=date(2020, 1, 1), date_to=date(2026, 3, 1)))
    for role in (Role.SALES, Role.MOP, Role.FINANCE):
        with pytest.raises(Forbidden):
            funnel.funnel(db, user_of(role), MARCH)
    assert funnel.funnel(db, user_of(Role.ADMIN), MARCH).stages[0].key == "leads"
