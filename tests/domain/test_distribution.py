"""Automatic distribution: strict turn among salespeople on shift, skipping the absent and the
deactivated, weights, daily caps, returning clients, the queue handed out on check-in, manual mode,
and every decision in the lead's history and the audit log."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core.errors import Forbidden, Invalid
from app.domain.audit.models import AuditEntry
from app.domain.distribution.crud import distribution
from app.domain.distribution.models import AssignReason, DistributionMode
from app.domain.distribution.schemas import DistributionUpdate
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.schemas import LeadCreate, LeadRequest
from app.domain.staff.attendance import attendance
from tests.factories import make_user

_phones = itertools.count(1)


def request(db, name: str = "Покупатель", phone: str | None = None):
    """A landing-page request from a new (or the given) phone; returns the lead."""
    n = next(_phones)
    data = LeadRequest(name=name, phone=phone or f"+99893{n:07d}")
    lead, _ = leads.submit_request(db, data, address=f"10.0.{n // 250}.{n % 250}")
    return lead


def sellers_on_shift(db, count: int, **fields):
    """`count` salespeople, checked in, in id order."""
    people = [make_user(db, Role.SALES, **fields) for _ in range(count)]
    for person in people:
        attendance.check_in(db, person)
    return people


def mop(db):
    """A sales-floor manager."""
    return make_user(db, Role.MOP)


def reasons(db, lead_id: int) -> list[str]:
    """The lead's automatic decisions, oldest first."""
    return [a.reason.value for a in distribution.history(db, lead_id)]


def test_equal_weights_give_leads_in_strict_turn(db):
    first, second, third = sellers_on_shift(db, 3)
    given = [request(db).assigned_id for _ in range(9)]
    assert given == [first.id, second.id, third.id] * 3
    lead = request(db)
    assert reasons(db, lead.id) == ["turn"]
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == str(lead.id), AuditEntry.action == "auto_assign")
    )
    assert entry.after == {"assigned_id": first.id, "reason": "turn"}


def test_absent_and_deactivated_salespeople_are_skipped(db):
    present, leaving, deactivated = sellers_on_shift(db, 3)
    make_user(db, Role.SALES)  # never checks in
    deactivated.is_active = False
    db.flush()
    assert {request(db).assigned_id for _ in range(4)} == {present.id, leaving.id}
    attendance.check_out(db, leaving)
    assert {request(db).assigned_id for _ in range(3)} == {present.id}


def test_weights_share_leads_in_proportion_without_bunching(db):
    heavy, light = sellers_on_shift(db, 2)
    distribution.update(db, mop(db), DistributionUpdate(weights={heavy.id: 2}))
    given = [request(db).assigned_id for _ in range(9)]
    assert given.count(heavy.id) == 6 and given.count(light.id) == 3
    assert given[:3] == [heavy.id, light.id, heavy.id]  # smooth: never three of one in a row
    zero = distribution.update(db, mop(db), DistributionUpdate(weights={light.id: 0}))
    assert zero.weights[light.id] == 0
    assert {request(db).assigned_id for _ in range(3)} == {heavy.id}


def test_daily_cap_skips_who_reached_it_and_says_so(db):
    capped, free = sellers_on_shift(db, 2, full_name="Лимит")
    distribution.update(db, mop(db), DistributionUpdate(daily_cap={capped.id: 2}))
    given = [request(db) for _ in range(6)]
    assert [lead.assigned_id for lead in given].count(capped.id) == 2
    assert reasons(db, given[-1].id) == ["cap_skipped"]
    assert distribution.history(db, given[-1].id)[0].skipped == [capped.display_name]
    distribution.update(db, mop(db), DistributionUpdate(daily_cap={free.id: 4}))
    waiting = request(db)
    assert waiting.assigned_id is None and reasons(db, waiting.id) == ["waiting_cap"]


def test_a_returning_client_stays_with_their_salesperson(db):
    owner, other = sellers_on_shift(db, 2)
    lead = request(db, phone="+998935550001")
    assert lead.assigned_id == owner.id
    again = request(db, phone="+998935550001")
    assert again.id == lead.id and again.assigned_id == owner.id
    assert reasons(db, lead.id) == ["turn", "returning"]
    attendance.check_out(db, owner)  # away today: the client still waits for them
    assert request(db, phone="+998935550001").assigned_id == owner.id
    owner.is_active = False  # left the company: the client goes to whoever's turn it is
    db.flush()
    assert request(db, phone="+998935550001").assigned_id == other.id
    assert reasons(db, lead.id)[-1] == "turn"


def test_leads_wait_with_nobody_on_shift_and_go_out_on_check_in_oldest_first(db):
    first, second = make_user(db, Role.SALES), make_user(db, Role.SALES)
    queue = [request(db) for _ in range(4)]
    assert all(lead.assigned_id is None for lead in queue)
    assert reasons(db, queue[0].id) == ["waiting_absent"]
    assert distribution.waiting_count(db) == 4
    attendance.check_in(db, first)  # two salespeople are expected: the first takes half, the oldest
    for lead in queue:
        db.refresh(lead)
    assert [lead.assigned_id for lead in queue] == [first.id, first.id, None, None]
    attendance.check_in(db, second)
    for lead in queue:
        db.refresh(lead)
    assert [lead.assigned_id for lead in queue] == [first.id, first.id, second.id, second.id]
    assert reasons(db, queue[3].id) == ["waiting_absent", "queue"]


def test_a_new_lead_does_not_jump_the_queue(db):
    first, _absent = make_user(db, Role.SALES), make_user(db, Role.SALES)
    old = [request(db) for _ in range(3)]
    attendance.check_in(db, first)  # takes 2 of 3, one waits for the absent colleague
    newest = request(db)  # a request arrives: the one still waiting goes first
    db.refresh(old[2])
    assert old[2].assigned_id == first.id and newest.assigned_id == first.id
    assert distribution.waiting_count(db) == 0


def test_manual_mode_leaves_leads_to_the_mop_until_switched_back(db):
    manager = mop(db)
    (seller,) = sellers_on_shift(db, 1)
    distribution.update(db, manager, DistributionUpdate(mode=DistributionMode.MANUAL))
    lead = request(db)
    assert lead.assigned_id is None and reasons(db, lead.id) == []
    view = distribution.update(db, manager, DistributionUpdate(mode=DistributionMode.AUTO))
    db.refresh(lead)
    assert lead.assigned_id == seller.id and view.waiting == 0
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "distribution").order_by(AuditEntry.id.desc()))
    assert entry.before["mode"] == "manual" and entry.after["mode"] == "auto"


def test_leads_entered_by_hand(db):
    manager = mop(db)
    (seller,) = sellers_on_shift(db, 1)
    by_mop, _ = pipeline.create(db, manager, LeadCreate(name="Звонок", phone="+998935550002"))
    assert by_mop.assigned_id == seller.id and reasons(db, by_mop.id) == ["turn"]
    other = make_user(db, Role.SALES)
    own, _ = pipeline.create(db, other, LeadCreate(name="Свой", phone="+998935550003"))
    assert own.assigned_id == other.id and reasons(db, own.id) == []


def test_settings_are_the_mops_and_name_real_salespeople(db):
    seller = make_user(db, Role.SALES)
    with pytest.raises(Forbidden):
        distribution.view(db, seller)
    with pytest.raises(Invalid) as caught:
        distribution.update(db, mop(db), DistributionUpdate(weights={mop(db).id: 2}))
    assert caught.value.field == "weights"
    view = distribution.view(db, mop(db))
    assert view.mode == DistributionMode.AUTO and view.weights[seller.id] == 1 and view.daily_cap[seller.id] is None


def test_a_lead_assigned_by_hand_meanwhile_is_not_given_twice(db):
    (seller,) = sellers_on_shift(db, 1)
    distribution.update(db, mop(db), DistributionUpdate(mode=DistributionMode.MANUAL))
    lead = request(db)
    other = make_user(db, Role.SALES)
    from app.domain.leads.schemas import Assignment

    pipeline.assign(db, mop(db), Assignment(lead_ids=[lead.id], salesperson_id=other.id))
    distribution.update(db, mop(db), DistributionUpdate(mode=DistributionMode.AUTO))
    db.refresh(lead)
    assert lead.assigned_id == other.id and AssignReason.QUEUE.value not in reasons(db, lead.id)
    assert seller.id != other.id
