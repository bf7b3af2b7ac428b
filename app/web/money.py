"""Money as pages show it exactly, and money as people type it into forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.web.i18n import gettext


def figure(value: Decimal | int | None, currency: Any = "UZS") -> str:
    """An exact sum without its currency sign, thousands apart: cents for USD (and for UZS only when there are any)."""
    if value is None:
        return ""
    value = Decimal(value)
    sign, value = ("\u2212" if value < 0 else ""), abs(value)
    places = 2 if str(currency) == "USD" or value != value.to_integral_value() else 0
    return sign + f"{value:,.{places}f}".replace(",", "\u00a0")


def amount(value: Decimal | int | None, currency: Any = "UZS") -> str:
    """An exact sum with its currency ("$1 234.50", "209 057 520 сум")."""
    if value is None:
        return ""
    text = figure(value, currency)
    sign, text = (text[0], text[1:]) if text.startswith("\u2212") else ("", text)
    return f"{sign}${text}" if str(currency) == "USD" else f"{sign}{text}\u00a0{gettext('sum')}"


def clean_numbers(values: dict[str, Any], names: tuple[str, ...], unset: tuple[str, ...] = ()) -> dict[str, Any]:
    """Numbers typed as people write them ("1 200 000", "1200,50") made parseable; blank `unset` fields left out."""
    cleaned = {k: v for k, v in values.items() if k != "csrf_token"}
    for name in names:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].replace(" ", "").replace("\u00a0", "").replace(",", ".")
    for name in unset:
        if cleaned.get(name) == "":
            cleaned.pop(name)
    return cleaned
