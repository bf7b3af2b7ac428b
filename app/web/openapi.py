"""What the JSON API documents besides success: the error answers every route may give, and
the real media types of exports (one shared dict each, put on the routers)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErrorItem(BaseModel):
    """One problem: where (["body", "amount"], ["query", "page"]), what, and its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorMessage(BaseModel):
    """An error answer: a message, or the problems of named fields."""

    detail: str | list[ErrorItem]


class ValidationErrors(BaseModel):
    """A 422: always the list of problems, each naming its field."""

    detail: list[ErrorItem]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorMessage, "description": "Not logged in, or the session or token has expired"},
    403: {"model": ErrorMessage, "description": "The user may not do this (role, permission or CSRF)"},
    404: {"model": ErrorMessage, "description": "No such object, or not visible to the user"},
    409: {"model": ErrorMessage, "description": "Clashes with the current state (taken, duplicate, replayed key)"},
    413: {"model": ErrorMessage, "description": "The body is larger than this kind of route accepts"},
    422: {"model": ValidationErrors, "description": "Invalid input: each problem names its field"},
    429: {"model": ErrorMessage, "description": "Too many attempts; see Retry-After"},
}
"""The error answers of every JSON route (put on each router with `responses=`)."""

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A CSV (format=csv) or Excel (format=xlsx) file",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
"""The answer of an export route: a file, not JSON."""
