"""Work orders: status transitions, due dates, the buyer from the contract, slot conflicts and the
override, stale edits, and row scope (a salesperson reads their own clients' orders only)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.audit.models import AuditEntry
from app.domain.dispatch.crud import due_date, work_orders
from app.domain.dispatch.models import OrderKind, OrderStatus
from app.domain.dispatch.rules import ScheduleConflict
from app.domain.dispatch.schemas import WorkOrderFilter, WorkOrderPatch
from tests.factories import DUE_RULES, make_contract, make_technician, make_user, make_work_order


def at(hour: int, minute: int = 0, days: int = 1) -> datetime:
    """A moment on the company's wall clock `days` from today."""
    return clock.from_local(datetime.combine(clock.today() + timedelta(days=days), time(hour, minute)))


def patch(db, actor, order, **changes):
    """Edit an order as the dispatcher would."""
    return work_orders.update(db, actor, order.id, WorkOrderPatch.model_validate(changes), DUE_RULES, None)


@pytest.fixture
def dispatcher(db):
    return make_user(db, Role.DISPATCHER)


def test_due_date_follows_kind_and_urgency():
    day = clock.today()
    assert due_date(day, OrderKind.DEFECT, 3, DUE_RULES) == day + timedelta(days=7)
    assert due_date(day, OrderKind.DEFECT, 1, DUE_RULES) == day + timedelta(days=1)
    assert due_date(day, OrderKind.MAINTENANCE, 2, DUE_RULES) == day + timedelta(days=3)
    assert due_date(day, OrderKind.VIEWING, 2, DUE_RULES) == day + timedelta(days=3)


def test_the_buyer_comes_from_the_apartments_active_contract(db, dispatcher):
    contract = make_contract(db)
    order = make_work_order(db, contract.apartment_id, actor=dispatcher)
    assert order.contract_id == contract.id and order.contract.buyer_full_name == "Каримов Азиз"
    assert make_work_order(db, actor=dispatcher).contract_id is None


def test_an_order_goes_new_scheduled_in_progress_done_and_reopens(db, dispatcher):
    tech = make_technician(db)
    order = make_work_order(db, actor=dispatcher)
    assert order.status == OrderStatus.NEW and order.version == 1
    order = patch(db, dispatcher, order, technician_id=tech.id, scheduled_start=at(10).isoformat())
    assert order.status == OrderStatus.SCHEDULED and order.scheduled_end == at(11) and order.version == 2
    order = patch(db, dispatcher, order, status="in_progress")
    order = patch(db, dispatcher, order, status="done", completion_note="Заменили смеситель")
    assert order.status == OrderStatus.DONE and order.completed_at is not None
    order = patch(db, dispatcher, order, status="in_progress")
    assert order.status == OrderStatus.IN_PROGRESS and order.reopened == 1 and order.completed_at is None


def test_a_done_order_reopens_within_fourteen_days_only(db, dispatcher):
    tech = make_technician(db)
    order = make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    patch(db, dispatcher, order, status="in_progress")
    order = patch(db, dispatcher, order, status="done")
    order.completed_at = clock.now() - timedelta(days=15)
    db.flush()
    with pytest.raises(Invalid) as caught:
        patch(db, dispatcher, order, status="in_progress")
    assert caught.value.field == "status"


def test_unassigning_returns_the_order_to_the_queue(db, dispatcher):
    tech = make_technician(db)
    order = make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    assert order.status == OrderStatus.SCHEDULED
    order = patch(db, dispatcher, order, technician_id=None)
    assert order.status == OrderStatus.NEW
    assert [o.id for o in work_orders.unassigned(db, dispatcher, WorkOrderFilter()).items] == [order.id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "done"}, "status"),  # new cannot jump to done
        ({"status": "scheduled"}, "technician_id"),  # no technician or time yet
        ({"status": "cancelled"}, "cancel_reason"),  # a reason is needed
    ],
)
def test_bad_moves_are_refused_naming_the_field(db, dispatcher, changes, field):
    order = make_work_order(db, actor=dispatcher)
    with pytest.raises(Invalid) as caught:
        patch(db, dispatcher, order, **changes)
    assert caught.value.field == field


def test_a_cancelled_order_keeps_its_reason_and_cannot_be_rescheduled(db, dispatcher):
    order = make_work_order(db, actor=dispatcher)
    order = patch(db, dispatcher, order, status="cancelled", cancel_reason="Покупатель отказался")
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "Покупатель отказался"
    with pytest.raises(Conflict):
        patch(db, dispatcher, order, technician_id=make_technician(db).id)
    with pytest.raises(Invalid):
        patch(db, dispatcher, order, status="new")


def test_overlap_is_refused_touching_is_fine(db, dispatcher):
    tech = make_technician(db)
    make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    second = make_work_order(db, actor=dispatcher)
    with pytest.raises(ScheduleConflict) as caught:
        patch(db, dispatcher, second, technician_id=tech.id, scheduled_start=at(10, 30).isoformat())
    assert caught.value.reasons == ["overlap"] and caught.value.status_code == 409
    assert patch(db, dispatcher, second, technician_id=tech.id, scheduled_start=at(11).isoformat()).status == (
        OrderStatus.SCHEDULED
    )
    third = make_work_order(db, actor=dispatcher, duration_minutes=60)
    assert patch(db, dispatcher, third, technician_id=tech.id, scheduled_start=at(9).isoformat()).scheduled_end == at(
        10
    )


def test_a_cancelled_or_done_order_frees_its_slot(db, dispatcher):
    tech = make_technician(db)
    first = make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    patch(db, dispatcher, first, status="cancelled", cancel_reason="Отменили")
    second = make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    assert second.status == OrderStatus.SCHEDULED


def test_outside_working_hours_and_missing_skill_are_conflicts(db, dispatcher):
    weekday = str((clock.today() + timedelta(days=1)).weekday())
    tech = make_technician(db, skills=("plumber",), hours={weekday: ["09:00", "18:00"]})
    order = make_work_order(db, actor=dispatcher, required_skill="electrician")
    with pytest.raises(ScheduleConflict) as caught:
        patch(db, dispatcher, order, technician_id=tech.id, scheduled_start=at(17, 30).isoformat())
    assert caught.value.reasons == ["working_hours", "skill"]
    with pytest.raises(ScheduleConflict) as caught:
        patch(db, dispatcher, order, technician_id=tech.id, scheduled_start=at(10, days=2).isoformat())
    assert "working_hours" in caught.value.reasons  # a day off
    plumbing = make_work_order(db, actor=dispatcher, required_skill="plumber")
    fine = patch(db, dispatcher, plumbing, technician_id=tech.id, scheduled_start=at(17).isoformat())
    assert fine.status == OrderStatus.SCHEDULED and fine.overrides == []


def test_force_overrides_a_conflict_and_records_it(db, dispatcher):
    tech = make_technician(db)
    make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    second = make_work_order(db, actor=dispatcher)
    forced = patch(db, dispatcher, second, technician_id=tech.id, scheduled_start=at(10).isoformat(), force=True)
    assert forced.status == OrderStatus.SCHEDULED and forced.overrides == ["overlap"]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "work_order", AuditEntry.action == "override"))
    assert entry.entity_id == str(second.id) and entry.after == {"conflicts": ["overlap"]}
    forced = patch(db, dispatcher, forced, notes="Позвонить заранее")  # a later edit is not a new conflict
    assert forced.notes == "Позвонить заранее"


def test_a_stale_version_is_refused(db, dispatcher):
    order = make_work_order(db, actor=dispatcher)
    patch(db, dispatcher, order, title="Течёт кран на кухне", version=1)
    with pytest.raises(Conflict) as caught:
        patch(db, dispatcher, order, title="Другое", version=1)
    assert caught.value.field == "version"
    with pytest.raises(Conflict):
        work_orders.update(db, dispatcher, order.id, WorkOrderPatch(title="Другое"), DUE_RULES, 1)
    assert work_orders.get(db, dispatcher, order.id).title == "Течёт кран на кухне"


def test_every_change_is_audited(db, dispatcher):
    order = make_work_order(db, actor=dispatcher)
    patch(db, dispatcher, order, priority=1)
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "work_order", AuditEntry.entity_id == str(order.id))
    ).all()
    assert actions == ["create", "update"]
    assert work_orders.get(db, dispatcher, order.id).due_date == clock.today() + timedelta(days=1)


def test_a_salesperson_reads_only_their_own_clients_orders(db, dispatcher):
    mine = make_contract(db)
    seller = db.get(type(dispatcher), mine.salesperson_id)
    own = make_work_order(db, mine.apartment_id, actor=dispatcher)
    other = make_work_order(db, make_contract(db).apartment_id, actor=dispatcher)
    loose = make_work_order(db, actor=dispatcher)
    assert [o.id for o in work_orders.page(db, seller, WorkOrderFilter()).items] == [own.id]
    assert [o.id for o in work_orders.for_contract(db, seller, mine.id)] == [own.id]
    for hidden in (other, loose):
        with pytest.raises(NotFound):
            work_orders.get(db, seller, hidden.id)
    with pytest.raises(Forbidden):
        patch(db, seller, own, title="Чужая правка")
    with pytest.raises(Forbidden):
        work_orders.page(db, make_user(db, Role.FINANCE), WorkOrderFilter())


def test_an_override_on_creation_is_recorded_against_the_new_order(db, dispatcher):
    tech = make_technician(db)
    make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    with pytest.raises(ScheduleConflict):
        make_work_order(db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat())
    forced = make_work_order(
        db, actor=dispatcher, technician_id=tech.id, scheduled_start=at(10).isoformat(), force=True
    )
    assert forced.overrides == ["overlap"]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "override"))
    assert entry.entity_id == str(forced.id)
