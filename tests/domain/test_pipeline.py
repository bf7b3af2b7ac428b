"""The lead pipeline: manual leads and phone conflicts, transitions with history, assignment,
callbacks, comments, kanban columns."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.audit.crud import audit
from app.domain.audit.schemas import AuditFilter
from app.domain.leads.crud import pipeline
from app.domain.leads.models import LeadStatus, LeadStatusChange, Temperature
from app.domain.leads.schemas import (
    Assignment,
    CallbackWhen,
    CommentCreate,
    LeadCreate,
    LeadEdit,
    LeadFilter,
    StatusChange,
)
from tests.factories import make_lead, make_user


def test_salesperson_creates_own_lead_and_meets_phone_conflicts(db):
    seller, other = make_user(db, Role.SALES, full_name="Азиз"), make_user(db, Role.SALES, full_name="Дилноза")
    lead, created = pipeline.create(db, seller, LeadCreate(name="Buyer", phone="90 123 45 67", comment="walk-in"))
    assert created and lead.assigned_id == seller.id and lead.phone == "+998901234567"
    again, created = pipeline.create(db, seller, LeadCreate(name="Buyer", phone="+998901234567"))
    assert not created and again.id == lead.id
    with pytest.raises(Conflict) as error:
        pipeline.create(db, other, LeadCreate(name="Buyer", phone="901234567"))
    assert "owner" not in error.value.params and "another salesperson" in error.value.message  # not whose
    unowned = make_lead(db, None, phone="+998935550000")
    with pytest.raises(Conflict):
        pipeline.create(db, other, LeadCreate(name="X", phone=unowned.phone))
    found, created = pipeline.create(db, make_user(db, Role.MOP), LeadCreate(name="X", phone=unowned.phone))
    assert found.id == unowned.id and not created


def test_manual_transitions_are_enforced_and_recorded(db):
    seller = make_user(db, Role.SALES)
    lead = make_lead(db, seller)
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.IN_WORK))
    with pytest.raises(Invalid) as error:
        pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.SOLD))
    assert error.value.field == "status"
    with pytest.raises(ValueError):
        StatusChange(status=LeadStatus.LOST)  # a reason is required
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.LOST, reason="too expensive"))
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, "too expensive")
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.IN_WORK))
    history = db.scalars(
        select(LeadStatusChange).where(LeadStatusChange.lead_id == lead.id).order_by(LeadStatusChange.id)
    ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (LeadStatus.NEW, LeadStatus.IN_WORK),
        (LeadStatus.IN_WORK, LeadStatus.LOST),
        (LeadStatus.LOST, LeadStatus.IN_WORK),
    ]
    assert history[1].reason == "too expensive" and history[1].by_id == seller.id


def test_salesperson_cannot_touch_someone_elses_lead(db):
    seller, other = make_user(db, Role.SALES), make_user(db, Role.SALES)
    lead = make_lead(db, other)
    for action in (
        lambda: pipeline.get(db, seller, lead.id),
        lambda: pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.IN_WORK)),
        lambda: pipeline.comment(db, seller, lead.id, CommentCreate(text="hi")),
        lambda: pipeline.edit(db, seller, lead.id, LeadEdit(temperature=Temperature.HOT)),
    ):
        with pytest.raises(NotFound):
            action()


def test_assignment_by_mop_only_to_active_salespeople(db):
    mop, seller = make_user(db, Role.MOP), make_user(db, Role.SALES)
    first, second = make_lead(db), make_lead(db)
    assert pipeline.assign(db, mop, Assignment(lead_ids=[first.id, second.id], salesperson_id=seller.id)) == 2
    assert (first.assigned_id, first.status) == (seller.id, LeadStatus.IN_WORK)
    with pytest.raises(Forbidden):
        pipeline.assign(db, seller, Assignment(lead_ids=[first.id], salesperson_id=seller.id))
    with pytest.raises(Invalid):
        pipeline.assign(db, mop, Assignment(lead_ids=[first.id], salesperson_id=mop.id))
    inactive = make_user(db, Role.SALES, is_active=False)
    with pytest.raises(Invalid):
        pipeline.assign(db, mop, Assignment(lead_ids=[first.id], salesperson_id=inactive.id))


def test_callbacks_due_today_and_overdue(db):
    seller = make_user(db, Role.SALES)
    overdue = make_lead(db, seller, next_callback_at=clock.now() - timedelta(days=2))
    soon = make_lead(db, seller, next_callback_at=clock.now() + timedelta(minutes=1))
    make_lead(db, seller, next_callback_at=clock.now() + timedelta(days=3))
    make_lead(db, seller, next_callback_at=clock.now() - timedelta(days=1), status=LeadStatus.LOST)
    make_lead(db, make_user(db, Role.SALES), next_callback_at=clock.now())
    assert [lead.id for lead in pipeline.callbacks(db, seller)] == [overdue.id, soon.id]
    assert {x.id for x in pipeline.kanban(db, seller, LeadFilter(callback_due=True))[LeadStatus.NEW].items} == {
        overdue.id,
        soon.id,
    }


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of April 2026 on the company's wall clock."""
    return clock.from_local(datetime(2026, 4, day, hour, minute))


def test_callbacks_by_company_day(db, time_machine):
    time_machine.move_to(local(1, 10), tick=False)  # Wednesday, April 1, 10:00 at the company
    seller = make_user(db, Role.SALES)
    at = {
        "yesterday": local(1, 10) - timedelta(hours=20),
        "this_morning": local(1, 8),
        "tonight": local(1, 23, 30),
        "after_midnight": local(2, 0, 30),
        "sunday_night": local(5, 23),
        "next_monday": local(6, 9),
    }
    lead = {name: make_lead(db, seller, name=name, next_callback_at=moment) for name, moment in at.items()}
    make_lead(db, seller, next_callback_at=local(1, 12), status=LeadStatus.LOST)  # closed: never listed

    def names(when: CallbackWhen) -> list[str]:
        return [item.name for item in pipeline.callbacks(db, seller, when)]

    assert [item.name for item in pipeline.callbacks(db, seller)] == ["yesterday", "this_morning", "tonight"]
    assert names(CallbackWhen.DUE) == ["yesterday", "this_morning", "tonight"]
    assert names(CallbackWhen.OVERDUE) == ["yesterday", "this_morning"]
    assert names(CallbackWhen.TODAY) == ["this_morning", "tonight"]
    assert names(CallbackWhen.TOMORROW) == ["after_midnight"]
    assert names(CallbackWhen.WEEK) == ["this_morning", "tonight", "after_midnight", "sunday_night"]
    assert names(CallbackWhen.ALL) == ["tonight", "after_midnight", "sunday_night", "next_monday"]
    assert lead["next_monday"].id not in {item.id for item in pipeline.callbacks(db, make_user(db, Role.SALES))}


def test_a_lost_lead_keeps_no_callback_and_the_audit_says_so(db):
    seller = make_user(db, Role.SALES)
    when = clock.now() + timedelta(hours=2)
    lead = make_lead(db, seller, next_callback_at=when, status=LeadStatus.IN_WORK)
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.LOST, reason="bought elsewhere"))
    assert lead.next_callback_at is None
    assert pipeline.callbacks(db, seller, CallbackWhen.ALL) == []
    entry = audit.page(db, AuditFilter(entity="lead", entity_id=str(lead.id), action="status")).items[0]
    assert entry.before["next_callback_at"] == when.isoformat() and entry.after["next_callback_at"] is None
    assert (entry.before["status"], entry.after["status"]) == ("in_work", "lost")


def test_a_lead_back_in_work_keeps_its_callback(db):
    seller = make_user(db, Role.SALES)
    when = clock.now() + timedelta(days=1)
    lead = make_lead(db, seller, next_callback_at=when)
    pipeline.change_status(db, seller, lead.id, StatusChange(status=LeadStatus.IN_WORK))
    assert lead.next_callback_at == when


def test_a_sold_lead_keeps_no_callback(db):
    from app.domain.bookings.crud import bookings
    from app.domain.bookings.schemas import BookingCreate
    from app.domain.contracts.crud import contracts
    from app.domain.contracts.schemas import ContractCreate
    from tests.factories import free_apartment

    seller = make_user(db, Role.SALES)
    lead = make_lead(db, seller, next_callback_at=clock.now() + timedelta(hours=1))
    booking = bookings.create(db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=lead.id), 72)
    assert lead.next_callback_at is not None  # a booked lead is still open: the callback stays
    contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name="Каримов Азиз",
            buyer_passport="AB1234567",
            buyer_phone="+998901234567",
            down_payment=0,
            months=2,
            start_date=clock.today(),
        ),
        5,
    )
    assert lead.status == LeadStatus.SOLD and lead.next_callback_at is None
    assert pipeline.callbacks(db, seller, CallbackWhen.ALL) == []


def test_comments_and_edit(db):
    seller = make_user(db, Role.SALES)
    lead = make_lead(db, seller)
    pipeline.comment(db, seller, lead.id, CommentCreate(text="  called, thinking  "))
    when = clock.now() + timedelta(hours=3)
    pipeline.edit(db, seller, lead.id, LeadEdit(temperature=Temperature.HOT, next_callback_at=when))
    timeline = pipeline.timeline(db, lead)
    assert [c.text for c in timeline["comments"]] == ["called, thinking"]
    assert lead.temperature == Temperature.HOT and lead.next_callback_at == when
    with pytest.raises(ValueError):
        CommentCreate(text="   ")


def test_kanban_pages_each_column(db):
    seller = make_user(db, Role.SALES)
    for _ in range(5):
        make_lead(db, seller)
    make_lead(db, seller, status=LeadStatus.IN_WORK)
    columns = pipeline.kanban(db, seller, LeadFilter(), per_column=2, pages={"new": 3})
    assert columns[LeadStatus.NEW].total == 5 and len(columns[LeadStatus.NEW].items) == 1
    assert columns[LeadStatus.IN_WORK].total == 1 and columns[LeadStatus.SOLD].total == 0


def test_merge_moves_the_story_and_deletes_the_duplicate(db):
    from app.domain.bookings.crud import bookings
    from app.domain.bookings.schemas import BookingCreate
    from app.domain.leads.merge import merge_leads
    from app.domain.leads.models import Lead, LeadComment
    from app.domain.leads.schemas import MergeLeads
    from tests.factories import free_apartment

    seller, mop = make_user(db, Role.SALES), make_user(db, Role.MOP)
    keep = make_lead(db, seller, name="Азиз")
    duplicate = make_lead(db, seller, name="Aziz K", utm_source="instagram", temperature=Temperature.HOT)
    pipeline.comment(db, seller, duplicate.id, CommentCreate(text="wants 3 rooms"))
    booking = bookings.create(db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=duplicate.id), 72)
    with pytest.raises(Forbidden):
        merge_leads(db, seller, MergeLeads(keep_id=keep.id, merge_id=duplicate.id))
    duplicate_id = duplicate.id
    merged = merge_leads(db, mop, MergeLeads(keep_id=keep.id, merge_id=duplicate_id))
    assert db.get(Lead, duplicate_id) is None
    assert merged.status == LeadStatus.BOOKED and merged.utm_source == "instagram"
    assert merged.temperature == Temperature.HOT and merged.touches_count == 2
    db.refresh(booking)
    assert booking.lead_id == keep.id
    texts = [c.text for c in db.scalars(select(LeadComment).where(LeadComment.lead_id == keep.id))]
    assert "wants 3 rooms" in texts and any(t.startswith(f"Merged lead #{duplicate_id}") for t in texts)
    with pytest.raises(ValueError):
        MergeLeads(keep_id=keep.id, merge_id=keep.id)
