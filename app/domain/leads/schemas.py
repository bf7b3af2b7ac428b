"""Pydantic models of leads: the public request, filters and read models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.auth.schemas import normalise_phone
from app.domain.leads.models import LeadSource, LeadStatus, Temperature
from app.web.pagination import PageParams


class UTMFields(BaseModel):
    """Campaign tags carried by a request."""

    utm_source: str = Field("", max_length=100)
    utm_medium: str = Field("", max_length=100)
    utm_campaign: str = Field("", max_length=100)
    utm_content: str = Field("", max_length=100)
    utm_term: str = Field("", max_length=100)


class LeadRequest(UTMFields):
    """A buyer's request from a landing page (or any outside channel)."""

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=3, max_length=32)
    complex_slug: str | None = Field(None, max_length=80)
    apartment_id: int | None = Field(None, ge=1)
    message: str = Field("", max_length=1000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("Enter your name.")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        normalised = normalise_phone(value)
        if not normalised:
            raise ValueError("Enter a valid phone number.")
        return normalised


class LeadFilter(PageParams):
    """Filters of the leads list."""

    status: LeadStatus | None = None
    source: LeadSource | None = None
    complex_id: int | None = Field(None, ge=1)
    assigned_id: int | None = Field(None, ge=1)


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
    utm_source: str
    utm_medium: str
    utm_campaign: str
    created_at: datetime
    last_touch_at: datetime


class LeadAccepted(BaseModel):
    """The answer to a public request (no internal details)."""

    ok: bool = True
    message: str
