"""Inputs and read models of sales plans, plan vs fact and the funnel."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from app.core.types import FIRST_DAY, LAST_DAY, Day, Id, Input, Money

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MAX_PLAN_CONTRACTS = 10_000
MAX_PERIOD_DAYS = 1_830  # about five years


def parse_month(value: object) -> date:
    """ "2026-03" (or a date) as the first day of its month; ValueError (a 422 naming the field) otherwise."""
    if isinstance(value, date):
        return value.replace(day=1)
    match = MONTH_PATTERN.match(value.strip()) if isinstance(value, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("Write the month as YYYY-MM, e.g. 2026-03.")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    if not FIRST_DAY <= first <= LAST_DAY:
        raise ValueError("The month must be between 01.2000 and 12.2100.")
    return first


Month = Annotated[date, BeforeValidator(parse_month), PlainSerializer(lambda d: d.strftime("%Y-%m"), return_type=str)]
"""A calendar month written YYYY-MM, held as its first day."""


def next_month(first: date) -> date:
    """The first day of the month after `first`."""
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


class MonthQuery(Input):
    """The month a plans page shows."""

    month: Month


class PlanItem(Input):
    """One salesperson's plan for the month."""

    salesperson_id: Id
    contracts: int = Field(ge=0, le=MAX_PLAN_CONTRACTS)
    amount: Money = Field(ge=0)


class PlansUpdate(Input):
    """The plans of some salespeople for one month (others stay as they are)."""

    items: list[PlanItem] = Field(max_length=500)


class PlanRow(BaseModel):
    """A salesperson and their plan for the month (None: no plan set)."""

    salesperson_id: int
    name: str
    is_active: bool = True
    contracts: int | None = None
    amount: Decimal | None = None


class Plans(BaseModel):
    """Every salesperson's plan of a month."""

    month: Month
    items: list[PlanRow]


class PlanFactRow(BaseModel):
    """Plan against fact for one salesperson (or the team): contracts and their amount in UZS."""

    salesperson_id: int | None = None
    name: str = ""
    plan_contracts: int | None = None
    plan_amount: Decimal | None = None
    fact_contracts: int = 0
    fact_amount: Decimal = Decimal(0)
    contracts_percent: Decimal | None = None
    amount_percent: Decimal | None = None


class PlanFact(BaseModel):
    """Plan vs fact of a month: per salesperson and the team total, amounts in UZS."""

    month: Month
    currency: str = "UZS"
    items: list[PlanFactRow]
    total: PlanFactRow
    unconverted: int = 0  # USD contracts with no exchange rate on or before their date (amount not counted)


class FunnelQuery(Input):
    """The leads a funnel looks at: those that came in during the period, optionally of one
    complex (of interest) or one salesperson."""

    model_config = ConfigDict(populate_by_name=True)
    date_from: Day = Field(alias="from")
    date_to: Day = Field(alias="to")
    complex_id: Id | None = None
    salesperson_id: Id | None = None


class Stage(BaseModel):
    """A step of the funnel: how many leads got at least this far, and the share of the step before."""

    key: str
    count: int
    conversion: Decimal | None = None  # percent of the previous stage


class LossReason(BaseModel):
    """Why leads were lost, and how many."""

    reason: str
    count: int


class SalespersonKpi(BaseModel):
    """One salesperson's figures over the funnel's leads."""

    salesperson_id: int
    name: str
    leads: int = 0
    contracts: int = 0
    conversion: Decimal | None = None  # contracts per lead, percent
    average_discount: Decimal | None = None  # percent of the price
    overdue_callbacks: int = 0  # now, whatever the period


class Funnel(BaseModel):
    """The funnel and team KPIs of the leads that came in during a period."""

    date_from: date
    date_to: date
    complex_id: int | None = None
    salesperson_id: int | None = None
    stages: list[Stage]
    lost: int = 0
    loss_reasons: list[LossReason]
    contracts: int = 0
    median_days_to_contract: Decimal | None = None
    salespeople: list[SalespersonKpi]


class RopHome(BaseModel):
    """The ROP's home: this month's plan vs fact and the funnel of this month so far."""

    plan_fact: PlanFact
    funnel: Funnel
