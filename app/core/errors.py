"""Application errors raised by domain code and rendered by request kind."""

from __future__ import annotations


class AppError(Exception):
    """Base of errors a user can cause; `message` is an English msgid, translated on render."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotAuthenticated(AppError):
    """No valid session or token: HTML redirects to /login, JSON answers 401."""

    status_code = 401


class Forbidden(AppError):
    """The user may not do this."""

    status_code = 403


class CSRFError(Forbidden):
    """An unsafe request came without a valid CSRF token."""


class NotFound(AppError):
    """The thing does not exist or is not visible to the user."""

    status_code = 404


class Conflict(AppError):
    """The change clashes with the current state (duplicate, already taken)."""

    status_code = 409


class Invalid(AppError):
    """Input is well-formed but breaks a rule; names the field when there is one."""

    status_code = 422


class InvalidMany(Invalid):
    """Several problems at once, each {"loc": [...], "msg": str}; JSON lists them all."""

    def __init__(self, message: str, problems: list[dict], **params: object) -> None:
        super().__init__(message, **params)
        self.problems = problems


class TooManyRequests(AppError):
    """Too many attempts; `retry_after` seconds to wait."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, **params: object) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after
