"""Pydantic models of expense categories, expenses, campaigns and the campaign figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.core.paging import PageParams
from app.core.types import Input
from app.domain.inventory.models import Currency
from app.domain.marketing.models import CampaignChannel

MONEY = {"max_digits": 16, "decimal_places": 2}
UTM_KEY = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"


def _squeezed(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


class CategoryName(Input):
    """A category's name, as typed (spaces squeezed)."""

    name: str = Field(min_length=2, max_length=100)

    @field_validator("name", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return _squeezed(value)


class CategoryRead(BaseModel):
    """A category as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    is_active: bool


class CategoryUpdate(Input):
    """Rename and/or (de)activate a category."""

    name: str | None = Field(None, min_length=2, max_length=100)
    is_active: bool | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return _squeezed(value)


class ExpenseWrite(Input):
    """An expense as entered: the day it was spent, the amount and currency, what it was for."""

    day: date
    amount: Decimal = Field(gt=0, **MONEY)
    currency: Currency = Currency.UZS
    category_id: int = Field(ge=1)
    complex_id: int | None = Field(None, ge=1)
    campaign_id: int | None = Field(None, ge=1)
    note: str = Field("", max_length=500)

    @field_validator("note", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class ExpenseRead(BaseModel):
    """An expense as the API shows it (money as strings)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    day: date
    amount: Decimal
    currency: Currency
    category_id: int
    category: str
    complex_id: int | None
    complex: str | None
    campaign_id: int | None
    campaign: str | None
    note: str
    has_receipt: bool
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: object) -> object:
        """Read the related names off an Expense row."""
        if hasattr(data, "category_id") and hasattr(data, "receipt_path"):
            return {
                **{k: getattr(data, k) for k in ("id", "day", "amount", "currency", "category_id", "note")},
                **{k: getattr(data, k) for k in ("complex_id", "campaign_id", "created_at")},
                "category": data.category.name,
                "complex": data.complex.name if data.complex else None,
                "campaign": data.campaign.name if data.campaign else None,
                "has_receipt": bool(data.receipt_path),
            }
        return data


class ExpenseFilter(PageParams):
    """Filters of the expenses list (period in company days, inclusive)."""

    date_from: date | None = None
    date_to: date | None = None
    category_id: int | None = Field(None, ge=1)
    complex_id: int | None = Field(None, ge=1)
    campaign_id: int | None = Field(None, ge=1)
    currency: Currency | None = None

    @field_validator("date_to")
    @classmethod
    def _period(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value and start and value < start:
            raise ValueError("The end of the period is before its start.")
        return value


class TotalRow(BaseModel):
    """One line of the totals: a name (a category, a complex, a month) and its sum in UZS."""

    key: str
    name: str
    amount: Decimal
    count: int


class ExpenseTotals(BaseModel):
    """The filtered expenses summed in UZS (USD at each expense day's rate), three ways."""

    total: Decimal
    count: int
    by_category: list[TotalRow]
    by_complex: list[TotalRow]
    by_month: list[TotalRow]
    missing_rates: int = 0


class CampaignWrite(Input):
    """A campaign as entered; the utm_campaign key is what its links carry (kept in lower case)."""

    name: str = Field(min_length=2, max_length=200)
    channel: CampaignChannel
    utm_campaign: str = Field(min_length=1, max_length=100, pattern=UTM_KEY)
    complex_id: int | None = Field(None, ge=1)
    budget: Decimal = Field(Decimal(0), ge=0, **MONEY)
    start_date: date
    end_date: date | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _squeeze(cls, value: object) -> object:
        return _squeezed(value)

    @field_validator("utm_campaign", mode="before")
    @classmethod
    def _key(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("end_date")
    @classmethod
    def _dates(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value and start and value < start:
            raise ValueError("The campaign cannot end before it starts.")
        return value


class CampaignRead(BaseModel):
    """A campaign as the API shows it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    channel: CampaignChannel
    utm_campaign: str
    complex_id: int | None
    budget: Decimal
    start_date: date
    end_date: date | None


class CampaignFigures(BaseModel):
    """What a campaign brought in a period: spend (UZS), leads and what became of them.

    Leads are those that arrived in the period with the campaign's key; bookings, contracts and
    revenue are theirs to date. Cost per lead / contract and conversion are None when nothing
    was there to divide by.
    """

    campaign_id: int | None
    name: str
    channel: CampaignChannel | None = None
    utm_campaign: str = ""
    complex: str | None = None
    budget: Decimal | None = None
    spend: Decimal | None
    leads: int
    cost_per_lead: Decimal | None
    bookings: int
    contracts: int
    cost_per_contract: Decimal | None
    conversion: Decimal | None
    revenue: Decimal


class CampaignReport(BaseModel):
    """The comparison of every campaign of a period, the leads without one, and the sums."""

    date_from: date
    date_to: date
    items: list[CampaignFigures]
    no_campaign: CampaignFigures
    totals: CampaignFigures
    missing_rates: int = 0


class CampaignDetail(BaseModel):
    """A campaign with its figures for a period (its own, from its start, unless asked)."""

    campaign: CampaignRead
    date_from: date
    date_to: date
    figures: CampaignFigures
