"""The distribution form: one weight and one cap field per salesperson, read into DistributionUpdate."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.domain.distribution.schemas import DistributionUpdate
from app.web.forms import error_message

FIELD_OF = {"weights": "weight_", "daily_cap": "cap_"}


def read_form(form: FormData) -> tuple[DistributionUpdate | None, dict[str, str]]:
    """The posted settings, or {field: message} with fields named weight_<id> / cap_<id> / mode."""
    weights, caps = {}, {}
    for name, value in form.items():
        if name.startswith("weight_"):
            weights[name.removeprefix("weight_")] = value.strip()
        elif name.startswith("cap_"):
            caps[name.removeprefix("cap_")] = value.strip() or None
    try:
        return DistributionUpdate.model_validate(
            {"mode": form.get("mode") or None, "weights": weights, "daily_cap": caps}
        ), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = error["loc"]
            field = f"{FIELD_OF[loc[0]]}{loc[1]}" if len(loc) > 1 and loc[0] in FIELD_OF else str(loc[0])
            errors.setdefault(field, error_message(error))
        return None, errors
