"""Pydantic models of contracts and schedules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.auth.schemas import normalise_phone
from app.core.paging import PageParams
from app.core.types import Input
from app.domain.contracts.models import ContractStatus, InstalmentKind
from app.domain.inventory.models import Currency

MONEY = {"max_digits": 16, "decimal_places": 2}


class ContractCreate(Input):
    """Turn an active booking into a contract: buyer, discount, down payment, months, start."""

    booking_id: int = Field(ge=1)
    buyer_full_name: str = Field(min_length=3, max_length=200)
    buyer_passport: str = Field(min_length=5, max_length=30, pattern=r"^[A-Za-z0-9 -]+$")
    buyer_phone: str = Field(min_length=3, max_length=32)
    buyer_address: str = Field("", max_length=300)
    discount: Decimal = Field(Decimal("0"), ge=0, **MONEY)
    discount_reason: str = Field("", max_length=300)
    down_payment: Decimal = Field(ge=0, **MONEY)
    months: int = Field(ge=0, le=120)
    start_date: date

    @field_validator("buyer_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        normalised = normalise_phone(value)
        if not normalised:
            raise ValueError("Enter a valid phone number.")
        return normalised

    @field_validator("buyer_full_name", "buyer_address", "discount_reason")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())


class ContractCancel(Input):
    """Why an admin cancels a contract."""

    reason: str = Field(min_length=3, max_length=1000)


class ContractFilter(PageParams):
    """Filters of the contracts list."""

    status: ContractStatus | None = None
    signed_from: date | None = None
    signed_to: date | None = None


class InstalmentRead(BaseModel):
    """One planned payment."""

    model_config = ConfigDict(from_attributes=True)
    seq: int
    kind: InstalmentKind
    due_date: date
    amount: Decimal
    paid: Decimal


class ContractRead(BaseModel):
    """A contract with its schedule."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    booking_id: int
    apartment_id: int
    lead_id: int
    salesperson_id: int | None
    status: ContractStatus
    buyer_full_name: str
    buyer_passport: str
    buyer_phone: str
    buyer_address: str
    currency: Currency
    price: Decimal
    discount: Decimal
    discount_reason: str
    total: Decimal
    down_payment: Decimal
    months: int
    start_date: date
    signed_at: datetime
    schedule: list[InstalmentRead]
