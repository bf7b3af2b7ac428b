"""Money as people type it into forms (pages show it through app.web.format)."""

from __future__ import annotations

from typing import Any


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
