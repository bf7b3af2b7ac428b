"""Audit log filters and read models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.paging import PageParams


class AuditFilter(PageParams):
    """Filters of the audit log page and its JSON twin."""

    entity: str = Field("", max_length=40)
    entity_id: str = Field("", max_length=40)
    action: str = Field("", max_length=40)
    actor_id: int | None = Field(None, ge=1)
    actor: str = Field("", max_length=64)
    date_from: date | None = None
    date_to: date | None = None


class AuditActor(BaseModel):
    """Who made a change."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str


class AuditRead(BaseModel):
    """One audit entry as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: AuditActor | None
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class ApartmentPlace:
    """Where an apartment is, for naming it: its number, building, complex and their currency."""

    number: str
    building: str
    complex: str
    currency: str


@dataclass
class AuditNames:
    """Names of what a page of audit entries mentions, by id, loaded one query per kind."""

    users: dict[int, str] = field(default_factory=dict)
    leads: dict[int, str] = field(default_factory=dict)
    apartments: dict[int, ApartmentPlace] = field(default_factory=dict)
    booking_apartments: dict[int, int] = field(default_factory=dict)
    contracts: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (number, currency)
    payment_contracts: dict[int, int] = field(default_factory=dict)
    complexes: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, currency)
    buildings: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (name, complex, currency)
