"""The lead pipeline's rules: which status changes a person may make by hand."""

from __future__ import annotations

from app.domain.leads.models import LeadStatus

# Changes made by hand. "booked" and "sold" come only from bookings and contracts.
MANUAL_TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.IN_WORK, LeadStatus.LOST}),
    LeadStatus.IN_WORK: frozenset({LeadStatus.NEW, LeadStatus.LOST}),
    LeadStatus.BOOKED: frozenset({LeadStatus.LOST}),
    LeadStatus.SOLD: frozenset(),
    LeadStatus.LOST: frozenset({LeadStatus.IN_WORK}),
}
OPEN_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.IN_WORK, LeadStatus.BOOKED})


def can_move(current: LeadStatus, target: LeadStatus) -> bool:
    """True when a person may move a lead from `current` to `target` by hand."""
    return target in MANUAL_TRANSITIONS[current]
