"""HTML form validation with pydantic: a model, or errors keyed by field for re-rendering."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core import clock
from app.core.errors import AppError, Invalid, InvalidMany
from app.core.types import NUL
from app.web.i18n import gettext

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")

_MESSAGES = {
    "missing": "This field is required.",
    "string_too_short": "Must be at least %(min_length)s characters.",
    "string_too_long": "Must be at most %(max_length)s characters.",
    "string_pattern_mismatch": "Invalid format.",
    "enum": "Choose one of the options.",
    "literal_error": "Choose one of the options.",
    "int_parsing": "Enter a whole number.",
    "decimal_parsing": "Enter a number.",
    "float_parsing": "Enter a number.",
    "greater_than_equal": "Must be at least %(ge)s.",
    "greater_than": "Must be greater than %(gt)s.",
    "less_than": "Must be less than %(lt)s.",
    "less_than_equal": "Must be at most %(le)s.",
    "date_from_datetime_parsing": "Enter a valid date.",
    "date_parsing": "Enter a valid date.",
    "datetime_parsing": "Enter a valid date and time.",
    "bool_parsing": "Choose yes or no.",
    "nul_character": "Text must not contain the NUL character.",
    "date_too_early": "The date must not be before %(min)s.",
    "date_too_late": "The date must not be after %(max)s.",
    "number_too_large": "The number is too large.",
    "decimal_max_digits": "The number is too large.",
    "decimal_max_places": "Too many digits after the decimal point (at most %(decimal_places)s).",
    "decimal_whole_digits": "The number is too large.",
}


def error_message(error: Mapping[str, Any]) -> str:
    """A translated, user-facing message for one pydantic error."""
    if error["type"] == "value_error":
        cause = error.get("ctx", {}).get("error")
        return gettext(str(cause)) if cause else gettext("Invalid value.")
    template = _MESSAGES.get(error["type"], "Invalid value.")
    if "%(" not in template:
        return gettext(template)
    params = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    return gettext(template, **params)


async def read_form(request: Request) -> FormData:
    """The posted form, read before a sync handler runs (so no DB work waits on the event loop).

    A text field holding a NUL character is refused here (422), for every form at once.
    """
    form = await request.form()
    for name, value in form.multi_items():
        if (isinstance(value, str) and NUL in value) or NUL in name:
            raise Invalid("Text must not contain the NUL character.", field=name.replace(NUL, ""))
    return form


PostedForm = Annotated[FormData, Depends(read_form)]


def submit_values(
    db: Session, model: type[M], values: dict[str, Any], action: Callable[[M], R]
) -> tuple[R | None, dict[str, Any], dict[str, str]]:
    """Validate `values` with `model` and run `action` in a savepoint.

    Returns (result, values, {}) on success, or (None, values, {field: message}) when the input
    is invalid or the action raises an AppError (its changes undone).
    """
    data, errors = validate_form(model, values)
    if data is None:
        return None, values, errors
    try:
        with db.begin_nested():
            return action(data), values, {}
    except AppError as exc:
        return None, values, {exc.field or "__all__": gettext(exc.message, **exc.params)}


def validate_form(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """(model, {}) when `data` is valid, else (None, {field: message})."""
    cleaned = {k: v for k, v in data.items() if k != "csrf_token"}
    try:
        return model.model_validate(cleaned), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "__all__"
            errors.setdefault(field, error_message(error))
        return None, errors


def submit_with_status(
    db: Session, model: type[M], values: dict, action: Callable[[M], Any]
) -> tuple[Any, dict, dict, int]:
    """submit_values, plus the HTTP status of a failure (422 for input, else the AppError's own)."""
    failed: dict[str, int] = {}

    def run(data: M) -> Any:
        try:
            return action(data)
        except AppError as exc:
            failed["status"] = exc.status_code
            raise

    result, values, errors = submit_values(db, model, values, run)
    return result, values, errors, failed.get("status", 422) if errors else 200


def first_error(errors: dict[str, str]) -> str:
    """The message of the first error, for a toast."""
    return next(iter(errors.values()))


def blank_is_none(values: dict, *names: str) -> dict:
    """Form fields left empty mean "not set"."""
    return {k: v for k, v in values.items() if not (k in names and v == "")}


MAX_ID = 2**31 - 1
ASCII_DIGITS = frozenset("0123456789")


def optional_int(text: object, *, lo: int = 1, hi: int = MAX_ID) -> int | None:
    """An id or page number typed into a query or form: ASCII digits within [lo, hi], else None.

    "²", "٣", "-1", "1e3", " 7", "" and "99999999999999999999" all give None (str.isdigit accepts the
    first two and int() then fails or overflows the database).
    """
    value = str(text) if isinstance(text, str | int) and not isinstance(text, bool) else ""
    if not value or len(value) > len(str(hi)) or not ASCII_DIGITS.issuperset(value):
        return None
    number = int(value)
    return number if lo <= number <= hi else None


def local_to_utc(value: str) -> str | None:
    """A datetime-local value read in the company's time zone, as a UTC ISO string; "" -> None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the form validation names it
    try:
        return clock.from_local(moment).isoformat()
    except OverflowError:
        return value  # beyond the calendar in UTC: the form validation names it


def checked_report(
    model: type[M], values: Mapping[str, Any], compute: Callable[[M], R]
) -> tuple[R | None, dict[str, str]]:
    """(compute(query), {}) for filters the model and the report's rules accept, else (None, {field: message})."""
    query, errors = validate_form(model, {k: v for k, v in values.items() if v})
    if query is None:
        return None, errors
    try:
        return compute(query), {}
    except Invalid as exc:
        return None, {exc.field or "__all__": gettext(exc.message, **exc.params)}


def query_errors(errors: Mapping[str, str]) -> InvalidMany:
    """The 422 of a report's file asked for with bad filters, naming each query field."""
    return InvalidMany("Check the data you entered", [{"loc": ["query", k], "msg": m} for k, m in errors.items()])


def query_values(request: Request, defaults: Mapping[str, str]) -> dict[str, str]:
    """A filter form's values: `defaults`, overridden by the non-empty query parameters of the same names."""
    return {**defaults, **{k: v for k, v in request.query_params.items() if k in defaults and v}}
