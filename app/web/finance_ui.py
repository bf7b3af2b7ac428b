"""What every finance page shares: its dashboard and the labels its templates use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.domain.finance.reports import BUCKETS
from app.domain.inventory.models import Currency
from app.web.format import number
from app.web.i18n import gettext
from app.web.labels import N_, PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, PAYMENT_TYPE_LABELS
from app.web.templating import render

FINANCE_BASE = "/dashboard/finance"

BUCKET_NAMES = [name for name, _, _ in BUCKETS]


def compact(value: float) -> str:
    """A chart axis label: 1.5 bn, 250 M, 12 K."""
    for size, msgid in ((1e9, N_("%(value)s bn")), (1e6, N_("%(value)s M")), (1e3, N_("%(value)s K"))):
        if abs(value) >= size:
            return gettext(msgid, value=number(round(Decimal(str(value / size)), 1)))
    return number(round(value))


def page_of(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """Render a finance page with the helpers and labels every finance template uses."""
    shared = {
        "base": FINANCE_BASE,
        "BUCKETS": BUCKET_NAMES,
        "METHOD_LABELS": PAYMENT_METHOD_LABELS,
        "TYPE_LABELS": PAYMENT_TYPE_LABELS,
        "PAYMENT_STATUS_LABELS": PAYMENT_STATUS_LABELS,
        "CURRENCIES": [c.value for c in Currency],
        "CURRENCY_OPTIONS": [(c.value, c.value) for c in Currency],
    }
    return render(request, template, shared | context, **kwargs)
