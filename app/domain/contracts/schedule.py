"""Payment schedule arithmetic: Decimal only, rounded to the currency's unit, remainder last."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from app.domain.contracts.models import InstalmentKind
from app.domain.inventory.models import Currency

CURRENCY_UNIT = {Currency.UZS: Decimal("1"), Currency.USD: Decimal("0.01")}


@dataclass(frozen=True)
class PlannedPayment:
    """One row of a schedule before it is stored."""

    seq: int
    kind: InstalmentKind
    due_date: date
    amount: Decimal


def down_payment_of(price: Decimal, share: Decimal, currency: Currency) -> Decimal:
    """`share` (0.3 for 30 %) of `price`, rounded down to the currency's unit: the down payment a form proposes."""
    return (price * share).quantize(CURRENCY_UNIT[currency], rounding=ROUND_DOWN)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def build_schedule(
    total: Decimal, down_payment: Decimal, months: int, start: date, currency: Currency
) -> list[PlannedPayment]:
    """The down payment on `start`, then equal monthly instalments one month apart.

    Instalments are rounded down to the currency's unit (a whole sum for UZS, a cent for USD);
    the last one takes the remainder, so the schedule always adds up to `total` exactly.
    """
    if down_payment < 0 or down_payment > total:
        raise ValueError("The down payment must be between 0 and the price.")
    if months < 0:
        raise ValueError("The number of months cannot be negative.")
    unit = CURRENCY_UNIT[currency]
    rows: list[PlannedPayment] = []
    if down_payment > 0 or months == 0:
        rows.append(PlannedPayment(1, InstalmentKind.DOWN_PAYMENT, start, down_payment if months else total))
    rest = total - down_payment if months else Decimal("0")
    if months:
        monthly = (rest / months).quantize(unit, rounding=ROUND_DOWN)
        for n in range(1, months + 1):
            amount = monthly if n < months else rest - monthly * (months - 1)
            rows.append(PlannedPayment(len(rows) + 1, InstalmentKind.MONTHLY, add_months(start, n), amount))
    return rows
