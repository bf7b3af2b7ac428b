"""What every finance page shares: its dashboard, the number formats and labels its templates use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.domain.finance.reports import BUCKETS
from app.domain.inventory.models import Currency
from app.web.i18n import gettext
from app.web.labels import N_, PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, PAYMENT_TYPE_LABELS
from app.web.money import amount, figure
from app.web.templating import render

FINANCE_BASE = "/dashboard/finance"

MONTH_NAMES = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
BUCKET_NAMES = [name for name, _, _ in BUCKETS]


def plain(value: Decimal | int | None) -> str:
    """A number without trailing zeros, thousands apart: 12 950, 12 939.5."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:,f}".replace(",", "\u00a0")
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact(value: float) -> str:
    """A chart axis label: 1.5 bn, 250 M, 12 K."""
    for size, msgid in ((1e9, N_("%(value)s bn")), (1e6, N_("%(value)s M")), (1e3, N_("%(value)s K"))):
        if abs(value) >= size:
            return gettext(msgid, value=f"{value / size:.1f}".rstrip("0").rstrip("."))
    return f"{value:.0f}"


def page_of(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """Render a finance page with the helpers and labels every finance template uses."""
    shared = {
        "base": FINANCE_BASE,
        "amount": amount,
        "figure": figure,
        "plain": plain,
        "BUCKETS": BUCKET_NAMES,
        "METHOD_LABELS": PAYMENT_METHOD_LABELS,
        "TYPE_LABELS": PAYMENT_TYPE_LABELS,
        "PAYMENT_STATUS_LABELS": PAYMENT_STATUS_LABELS,
        "CURRENCIES": [c.value for c in Currency],
        "CURRENCY_OPTIONS": [(c.value, c.value) for c in Currency],
        "month_label": month_label,
    }
    return render(request, template, shared | context, **kwargs)


def month_label(key: str, with_year: bool) -> str:
    """ "Jan" or "Jan 2026" for "2026-01"."""
    year, month = key.split("-")
    name = gettext(MONTH_NAMES[int(month) - 1])
    return f"{name} {year}" if with_year else name
