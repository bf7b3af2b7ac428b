"""The lead pipeline: manual leads and phone conflicts, transitions with history, assignment,
callbacks, comments, kanban columns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core.clock import now as utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.leads.crud import pipeline
from app.domain.leads.models import LeadStatus, LeadStatusChange, Temperature
from app.domain.leads.schemas import Assignment, CommentCreate, LeadCreate, LeadEdit, LeadFilter, StatusChange
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
    overdue = make_lead(db, seller, next_callback_at=utcnow() - timedelta(days=2))
    soon = make_lead(db, seller, next_callback_at=utcnow() + timedelta(minutes=1))
    make_lead(db, seller, next_callback_at=utcnow() + timedelta(days=3))
    make_lead(db, seller, next_callback_at=utcnow() - timedelta(days=1), status=LeadStatus.LOST)
    make_lead(db, make_user(db, Role.SALES), next_callback_at=utcnow())
    assert [lead.id for lead in pipeline.callbacks(db, seller)] == [overdue.id, soon.id]
    assert {x.id for x in pipeline.kanban(db, seller, LeadFilter(callback_due=True))[LeadStatus.NEW].items} == {
        overdue.id,
        soon.id,
    }


def test_comments_and_edit(db):
    seller = make_user(db, Role.SALES)
    lead = make_lead(db, seller)
    pipeline.comment(db, seller, lead.id, CommentCreate(text="  called, thinking  "))
    when = utcnow() + timedelta(hours=3)
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
