"""Pydantic models of payments, rates, debts and cash flow."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.paging import PageParams
from app.core.types import Input
from app.domain.finance.models import PaymentMethod, PaymentStatus, PaymentType
from app.domain.inventory.models import Currency

MONEY = {"max_digits": 16, "decimal_places": 2}


class PaymentCreate(Input):
    """A payment received against a contract."""

    contract_id: int = Field(ge=1)
    amount: Decimal = Field(gt=0, **MONEY)
    paid_at: date
    method: PaymentMethod
    type: PaymentType = PaymentType.INSTALLMENT
    currency: Currency | None = None  # the contract's currency when omitted
    rate: Decimal | None = Field(None, gt=0, max_digits=18, decimal_places=4)  # UZS per USD
    note: str = Field("", max_length=500)


class PaymentCancel(Input):
    """Why a payment is cancelled."""

    reason: str = Field(min_length=3, max_length=1000)

    @field_validator("reason", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value


class PaymentFilter(PageParams):
    """Filters of the payments list."""

    contract_id: int | None = Field(None, ge=1)
    status: PaymentStatus | None = None
    date_from: date | None = None
    date_to: date | None = None


class PaymentRead(BaseModel):
    """A payment as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    contract_id: int
    amount: Decimal
    currency: Currency
    rate: Decimal | None
    amount_in_contract_currency: Decimal
    paid_at: date
    method: PaymentMethod
    type: PaymentType
    status: PaymentStatus
    note: str
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str


class RateSet(Input):
    """The UZS per USD rate of a day."""

    day: date
    uzs_per_usd: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class RateRead(RateSet):
    """A stored rate."""

    model_config = ConfigDict(from_attributes=True)


class InstalmentState(BaseModel):
    """One planned payment with what was paid and how late it is."""

    seq: int
    kind: str
    due_date: date
    amount: Decimal
    paid: Decimal
    remaining: Decimal
    days_overdue: int


class ContractBalance(BaseModel):
    """A contract's money: total, paid, remaining, overdue, credit (over-payment)."""

    contract_id: int
    number: str
    buyer: str
    currency: Currency
    total: Decimal
    paid: Decimal
    remaining: Decimal
    overdue: Decimal
    days_overdue: int
    credit: Decimal


class ContractStatement(ContractBalance):
    """A contract's schedule with its state, and its payments."""

    schedule: list[InstalmentState]
    payments: list[PaymentRead]


class DebtFilter(PageParams):
    """Filters of the debts list."""

    complex_id: int | None = Field(None, ge=1)
    building_id: int | None = Field(None, ge=1)
    salesperson_id: int | None = Field(None, ge=1)
    bucket: str = Field("", pattern=r"^(|1-30|31-60|61-90|90\+)$")


class DebtRow(ContractBalance):
    """An overdue contract with its ageing bucket."""

    bucket: str
    complex_name: str
    building_name: str
    apartment_number: str
    salesperson: str


class CashflowMonth(BaseModel):
    """One month: planned by the schedules, received, and the difference."""

    month: str
    plan: Decimal
    fact: Decimal
    difference: Decimal
