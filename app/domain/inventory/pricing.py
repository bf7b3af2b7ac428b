"""Money arithmetic of apartments: Decimal only, rounded to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def total_price(area: Decimal, price_per_m2: Decimal) -> Decimal:
    """Area x price per m², rounded half up to 0.01."""
    return (Decimal(area) * Decimal(price_per_m2)).quantize(CENT, rounding=ROUND_HALF_UP)
