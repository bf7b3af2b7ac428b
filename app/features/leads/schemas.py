"""Read models of the lead pages' JSON twin: a lead with its whole story."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.domain.bookings.schemas import BookingRead
from app.domain.contracts.schemas import ContractRead
from app.domain.distribution.schemas import AssignmentRead
from app.domain.leads.models import LeadSource, LeadStatus
from app.domain.leads.schemas import LeadRead


class CommentRead(BaseModel):
    """A note on a lead."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    author_id: int | None
    text: str


class StatusChangeRead(BaseModel):
    """One step in a lead's history."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    from_status: LeadStatus | None
    to_status: LeadStatus
    by_id: int | None
    reason: str


class TouchRead(BaseModel):
    """One request from a lead."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    source: LeadSource
    complex_id: int | None
    apartment_id: int | None
    utm_source: str
    message: str


class LeadDetail(LeadRead):
    """A lead with its comments, status history, requests, bookings and contracts."""

    comments: list[CommentRead]
    history: list[StatusChangeRead]
    touches: list[TouchRead]
    bookings: list[BookingRead]
    contracts: list[ContractRead]
    assignments: list[AssignmentRead] = []  # automatic distribution: to whom and why
