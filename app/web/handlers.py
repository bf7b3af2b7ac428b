"""Exception handlers: JSON for /api, a toast fragment for HTMX, a full page otherwise."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AppError, InvalidMany, NotAuthenticated, TooManyRequests
from app.web.forms import error_message
from app.web.i18n import gettext
from app.web.templating import is_htmx, render

log = logging.getLogger("crm.errors")

STATUS_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Access denied",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "The request is too large",
    422: "Check the data you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The server is busy",
}
BUSY_RETRY_AFTER = "2"  # seconds a client is asked to wait when the database is busy


def wants_json(request: Request) -> bool:
    """True for the JSON API and the health endpoints."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path.startswith("/health")


def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    """An error in the form the request expects."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    title = gettext(STATUS_TITLES.get(status, "Error"))
    if is_htmx(request):
        toast_headers = {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend", **(headers or {})}
        return render(
            request,
            "ui/toast.html",
            {"message": message, "kind": "error"},
            status_code=status,
            headers=toast_headers,
        )
    return render(
        request,
        "layout/error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


async def app_error_handler(request: Request, exc: AppError) -> Response:
    """Render a domain error for the kind of request that caused it."""
    message = gettext(exc.message, **exc.params)
    if isinstance(exc, NotAuthenticated):
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": f"/login?next={quote(target)}"})
        return RedirectResponse(f"/login?next={quote(target)}", status_code=302)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if wants_json(request) and isinstance(exc, InvalidMany):
        detail = [
            {"loc": problem["loc"], "msg": _problem_message(problem), "type": "value_error"} for problem in exc.problems
        ]
        return JSONResponse({"detail": detail}, status_code=exc.status_code)
    if wants_json(request) and (exc.field or exc.status_code == 422):
        loc = ["body", exc.field] if exc.field else ["body"]  # a 422 always lists its problems
        detail = [{"loc": loc, "msg": message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)
    return error_response(request, exc.status_code, message, headers)


HTTP_MESSAGES = {
    404: "There is no such page. Check the address or go back to your dashboard.",
    405: "This page cannot be used that way.",
    413: "The request is too large. Send a smaller file or shorter text.",
}


def _problem_message(problem: dict) -> str:
    """One problem of an InvalidMany, translated."""
    message_id = problem["msg"]
    return gettext(message_id, **problem.get("params", {}))


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    """404s, 405s and other HTTP errors, without internals."""
    message = gettext(HTTP_MESSAGES.get(exc.status_code, "The request could not be processed."))
    if wants_json(request):
        detail = exc.detail
        if exc.status_code == 422 and not isinstance(detail, list):
            detail = [{"loc": [], "msg": str(detail), "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
    return error_response(request, exc.status_code, message, exc.headers)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> Response:
    """422 naming each bad field (JSON), or a page listing them (HTML)."""
    if wants_json(request):
        detail = [{"loc": list(e["loc"]), "msg": error_message(e), "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)
    fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
    return error_response(request, 422, gettext("Invalid value in: %(fields)s", fields=fields))


async def unhandled_error_handler(request: Request, exc: Exception) -> Response:
    """Log the failure; show the user a 500 without internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, gettext("Something went wrong. The error has been logged."))


async def database_busy_handler(request: Request, exc: Exception) -> Response:
    """No pooled connection within DB_POOL_TIMEOUT, or SQLite still locked after its busy
    timeout: 503 with Retry-After (the client tries again) instead of a hang or a 500."""
    if isinstance(exc, OperationalError) and "database is locked" not in str(exc.orig):
        return await unhandled_error_handler(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
    message = gettext("The server is busy. Please try again in a few seconds.")
    return error_response(request, 503, message, {"Retry-After": BUSY_RETRY_AFTER})


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on `app`."""
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(PoolTimeout, database_busy_handler)
    app.add_exception_handler(OperationalError, database_busy_handler)
    app.add_exception_handler(Exception, unhandled_error_handler)
