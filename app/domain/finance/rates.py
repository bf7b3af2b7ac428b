"""UZS per USD exchange rates by date, and conversion between the two currencies."""

from __future__ import annotations

import bisect
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import P, can
from app.core.errors import Forbidden, Invalid
from app.domain.audit.crud import audit
from app.domain.contracts.schedule import CURRENCY_UNIT
from app.domain.finance.models import ExchangeRate
from app.domain.finance.schemas import RateSet
from app.domain.inventory.models import Currency
from settings import settings


def convert(amount: Decimal, source: Currency, target: Currency, uzs_per_usd: Decimal | None) -> Decimal:
    """`amount` in `source` expressed in `target` at `uzs_per_usd`, rounded to the target's unit."""
    if source == target:
        return amount
    if uzs_per_usd is None:
        raise ValueError("a rate is needed to convert between UZS and USD")
    value = amount * uzs_per_usd if source == Currency.USD else amount / uzs_per_usd
    return value.quantize(CURRENCY_UNIT[target], rounding=ROUND_HALF_UP)


class RateTable:
    """All known rates in memory, for reports converting many amounts at their own dates."""

    def __init__(self, rows: list[tuple[date, Decimal]]) -> None:
        """Keep the (day, rate) rows sorted by day."""
        self.days = [day for day, _ in rows]
        self.rates = [rate for _, rate in rows]

    def on(self, day: date) -> Decimal | None:
        """The rate of the latest day on or before `day` (None before the first)."""
        index = bisect.bisect_right(self.days, day) - 1
        return self.rates[index] if index >= 0 else None


def check_after_founding(day: date, field: str) -> None:
    """Refuse a payment or rate dated before the company existed (COMPANY_FOUNDED)."""
    founded = settings.company_founded
    if day < founded:
        raise Invalid(
            "The date is before the company was founded (%(day)s).", field=field, day=founded.strftime("%d.%m.%Y")
        )


class RateCRUD:
    """Finance and admins keep the table; reports and payments read it."""

    def set(self, db: Session, actor: User, data: RateSet) -> ExchangeRate:
        """Store (or correct) the rate of a day (finance and admins)."""
        if not can(actor, P.RATES_WRITE):
            raise Forbidden("Only finance keeps the exchange rates.")
        check_after_founding(data.day, "day")
        row = db.get(ExchangeRate, data.day)
        before = {"uzs_per_usd": row.uzs_per_usd} if row else None
        if row is None:
            row = ExchangeRate(day=data.day, uzs_per_usd=data.uzs_per_usd, created_by_id=actor.id)
            db.add(row)
        else:
            row.uzs_per_usd = data.uzs_per_usd
        db.flush()
        audit.record(db, actor, "exchange_rate", data.day.isoformat(), "set", before, {"uzs_per_usd": data.uzs_per_usd})
        return row

    def on(self, db: Session, day: date) -> Decimal | None:
        """The rate that applies on `day`: that of the latest day on or before it."""
        q = select(ExchangeRate.uzs_per_usd).where(ExchangeRate.day <= day).order_by(ExchangeRate.day.desc()).limit(1)
        return db.scalar(q)

    def recent(self, db: Session, limit: int = 60) -> list[ExchangeRate]:
        """The latest rates, newest first."""
        return list(db.scalars(select(ExchangeRate).order_by(ExchangeRate.day.desc()).limit(limit)))

    def table(self, db: Session) -> RateTable:
        """Every rate, for conversions at many dates."""
        rows = db.execute(select(ExchangeRate.day, ExchangeRate.uzs_per_usd).order_by(ExchangeRate.day)).all()
        return RateTable([(day, rate) for day, rate in rows])


rates = RateCRUD()
