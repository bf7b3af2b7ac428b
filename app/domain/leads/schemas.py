"""Pydantic models of leads: the public request, filters and read models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.auth.schemas import normalise_phone
from app.core.paging import KeyedPageParams
from app.core.types import Input
from app.domain.leads.models import LeadSource, LeadStatus, Temperature


class UTMFields(Input):
    """Campaign tags carried by a request."""

    utm_source: str = Field("", max_length=100)
    utm_medium: str = Field("", max_length=100)
    utm_campaign: str = Field("", max_length=100)
    utm_content: str = Field("", max_length=100)
    utm_term: str = Field("", max_length=100)


class ContactFields(UTMFields):
    """Who the lead is: a name and a phone (stored in E.164), with the campaign tags."""

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=3, max_length=32)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("Enter the name.")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        normalised = normalise_phone(value)
        if not normalised:
            raise ValueError("Enter a valid phone number.")
        return normalised


class LeadRequest(ContactFields):
    """A buyer's request from a landing page (or any outside channel)."""

    complex_slug: str | None = Field(None, max_length=80)
    apartment_id: int | None = Field(None, ge=1)
    message: str = Field("", max_length=1000)


class CallbackWhen(StrEnum):
    """Which callbacks a list shows, in company days: due (overdue and today, the default),
    overdue, today, tomorrow, this week (today to Sunday), or all that are still ahead."""

    DUE = "due"
    OVERDUE = "overdue"
    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    ALL = "all"


class LeadFilter(KeyedPageParams):
    """Filters of the leads list."""

    status: LeadStatus | None = None
    source: LeadSource | None = None
    temperature: Temperature | None = None
    complex_id: int | None = Field(None, ge=1)
    assigned_id: int | None = Field(None, ge=1)
    unassigned: bool | None = None
    assigned: Literal["none"] | None = None  # ?assigned=none: the unassigned queue (same as unassigned=true)
    open_only: bool | None = None
    callback_due: bool | None = None
    created_from: date | None = None
    created_to: date | None = None

    @model_validator(mode="after")
    def _assigned_none(self) -> LeadFilter:
        if self.assigned == "none":
            self.unassigned = True
        return self


class LeadCreate(ContactFields):
    """A lead entered by hand (a call, a walk-in, a referral)."""

    source: LeadSource = LeadSource.MANUAL
    temperature: Temperature | None = None
    complex_id: int | None = Field(None, ge=1)
    comment: str = Field("", max_length=2000)


class StatusChange(Input):
    """Move a lead along the pipeline; "lost" needs a reason."""

    status: LeadStatus
    reason: str = Field("", max_length=300)

    @model_validator(mode="after")
    def _reason_for_lost(self) -> StatusChange:
        if self.status == LeadStatus.LOST and not self.reason.strip():
            raise ValueError("Say why the lead is lost.")
        return self


class LeadEdit(Input):
    """Temperature and next callback of a lead."""

    temperature: Temperature | None = None
    next_callback_at: datetime | None = None


class CommentCreate(Input):
    """A note on a lead."""

    text: str = Field(min_length=1, max_length=2000)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Write the comment.")
        return value.strip()


class Assignment(Input):
    """Give one or many leads to a salesperson."""

    lead_ids: list[int] = Field(min_length=1, max_length=500)
    salesperson_id: int = Field(ge=1)


class MergeLeads(Input):
    """Fold a duplicate lead into the one that stays."""

    keep_id: int = Field(ge=1)
    merge_id: int = Field(ge=1)

    @model_validator(mode="after")
    def _different(self) -> MergeLeads:
        if self.keep_id == self.merge_id:
            raise ValueError("Choose two different leads.")
        return self


class LeadPerson(BaseModel):
    """The salesperson a lead is assigned to."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str


class LeadRead(BaseModel):
    """A lead as staff lists show it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str
    source: LeadSource
    status: LeadStatus
    temperature: Temperature | None
    complex_id: int | None
    apartment_id: int | None
    assigned: LeadPerson | None
    touches_count: int
    next_callback_at: datetime | None
    lost_reason: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    created_at: datetime
    last_touch_at: datetime


class LeadAccepted(BaseModel):
    """The answer to a public request (no internal details)."""

    ok: bool = True
    message: str
