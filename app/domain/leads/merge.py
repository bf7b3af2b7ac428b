"""Merging a duplicate lead into the one that stays: its story moves, nothing is lost."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import Forbidden, NotFound
from app.domain.audit.crud import audit
from app.domain.bookings.models import Booking
from app.domain.contracts.models import Contract
from app.domain.leads.crud import snapshot
from app.domain.leads.models import UTM_FIELDS, Lead, LeadComment, LeadStatus, LeadStatusChange, LeadTouch
from app.domain.leads.ownership import hand_over_deals
from app.domain.leads.schemas import MergeLeads

# How far along the pipeline a status is; the merged lead keeps the furthest.
STATUS_RANK = {LeadStatus.LOST: 0, LeadStatus.NEW: 1, LeadStatus.IN_WORK: 2, LeadStatus.BOOKED: 3, LeadStatus.SOLD: 4}
FILLABLE = ("temperature", "complex_id", "apartment_id", "assigned_id", "next_callback_at", *UTM_FIELDS)


def merge_leads(db: Session, actor: User, data: MergeLeads) -> Lead:
    """Fold `merge_id` into `keep_id` (MOP or admin): comments, history, requests, bookings
    and contracts move to the survivor and to its salesperson (see ownership), empty fields are
    filled in, the duplicate is deleted."""
    if not can(actor, P.LEADS_MERGE):
        raise Forbidden("Only the MOP or an admin merges leads.")
    found = {
        lead.id: lead
        for lead in db.scalars(
            select(Lead).where(Lead.id.in_([data.keep_id, data.merge_id])).options(joinedload(Lead.assigned))
        )
    }
    keep, other = found.get(data.keep_id), found.get(data.merge_id)
    if keep is None or other is None:
        raise NotFound("Lead not found.")
    before, merged = snapshot(keep), snapshot(other)
    for model in (LeadComment, LeadStatusChange, LeadTouch, Booking, Contract):
        db.execute(
            update(model)
            .where(model.lead_id == other.id)
            .values(lead_id=keep.id)
            .execution_options(synchronize_session=False)
        )
    for name in FILLABLE:
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if keep.assigned is None and other.assigned is not None:
        keep.assigned = other.assigned
    if STATUS_RANK[other.status] > STATUS_RANK[keep.status]:
        keep.status, keep.lost_reason = other.status, other.lost_reason
    keep.touches_count += other.touches_count
    keep.last_touch_at = max(keep.last_touch_at, other.last_touch_at)
    keep.created_at = min(keep.created_at, other.created_at)
    db.flush()
    db.delete(other)
    db.flush()
    hand_over_deals(db, actor, keep.id, keep.assigned)
    db.add(
        LeadComment(
            lead_id=keep.id,
            author_id=actor.id,
            text=f"Merged lead #{data.merge_id}: {merged['name']}, {merged['phone']}",
        )
    )
    audit.record(db, actor, "lead", keep.id, "merge", before, {**snapshot(keep), "merged": merged})
    db.flush()
    return keep
