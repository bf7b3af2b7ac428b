"""ASGI guards in front of every route: bounded request bodies, no NUL in addresses, no dropped connections.

`InputGuardMiddleware` answers 413 for a body larger than its route kind allows (checked on
Content-Length before anything is read, and again on the bytes actually streamed) and 422 for
a NUL character in the path or query string. `CatchAllMiddleware` turns an unexpected error
into the 500 page and keeps the connection open (a handler registered for `Exception` runs in
Starlette's outermost layer, which re-raises, and the server then closes the keep-alive connection).
"""

from __future__ import annotations

import logging
import re

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.dispatch.service_links import MAX_PICTURES
from app.web.handlers import error_response, wants_json
from app.web.i18n import gettext
from settings import Settings

log = logging.getLogger("crm.errors")

SMALL_BODY_BYTES = 64 * 1024
MULTIPART_SLACK_BYTES = 64 * 1024  # boundaries, part headers and the CSRF field around one file
UPLOAD_PATHS = re.compile(r"/(complexes/\d+/images|apartments/\d+/layout|expenses(/\d+(/receipt)?)?)$")
IMPORT_PATHS = re.compile(r"/imports(/|$)")
SERVICE_PATHS = re.compile(r"^(/api/public)?/service/[^/]*$")  # a buyer's link: its own polite 404 for any token


class BodyTooLarge(HTTPException):
    """The request body is over its route kind's limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413, detail=gettext("The request is too large: at most %(size)s.", size=human_size(limit))
        )


def human_size(size: int) -> str:
    """A byte count as a person reads it: "64 КБ", "5 МБ"."""
    if size >= 1024 * 1024:
        return gettext("%(size)s MB", size=round(size / (1024 * 1024)))
    return gettext("%(size)s KB", size=round(size / 1024))


def body_limit(path: str, content_type: str, settings: Settings) -> int:
    """The largest body accepted for `path`: uploads, imports, or the small limit of JSON and forms."""
    if IMPORT_PATHS.search(path):
        return settings.import_max_bytes
    if UPLOAD_PATHS.search(path) and content_type.startswith("multipart/form-data"):
        return settings.max_upload_bytes + MULTIPART_SLACK_BYTES
    if SERVICE_PATHS.match(path) and content_type.startswith("multipart/form-data"):
        return MAX_PICTURES * settings.max_upload_bytes + MULTIPART_SLACK_BYTES
    return SMALL_BODY_BYTES


def _has_nul(scope: Scope) -> bool:
    raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    query = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"\x00" in raw + query or b"%00" in raw + query


async def _answer(scope: Scope, receive: Receive, send: Send, status: int, message: str, loc: str = "") -> None:
    """Send an error answer in the form the request expects (JSON for /api, a page otherwise)."""
    request = Request(scope, receive)
    if loc and wants_json(request):
        body = {"detail": [{"loc": [loc], "msg": message, "type": "value_error"}]}
        response = JSONResponse(body, status_code=status)
    else:
        response = error_response(request, status, message)
    if status == 413:
        response.headers["Connection"] = "close"  # the rest of the body is never read
    await response(scope, receive, send)


class InputGuardMiddleware:
    """Refuse oversized bodies (413) and NUL characters in the path or query (422) before any route runs."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _has_nul(scope) and not SERVICE_PATHS.match(scope["path"]):
            loc = "query" if b"%00" in scope.get("query_string", b"") else "path"
            await _answer(scope, receive, send, 422, gettext("The address contains a forbidden character."), loc)
            return
        headers = dict(scope["headers"])
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body to count (a GET, a HEAD)
            return
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = body_limit(scope["path"], content_type, self.settings)
        declared = headers.get(b"content-length", b"")
        if declared.strip().isdigit() and int(declared) > limit:
            await _answer(scope, receive, send, 413, BodyTooLarge(limit).detail)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _answer(scope, receive, send, 413, exc.detail)


class CatchAllMiddleware:
    """Log an unexpected error and answer the 500 page, without closing the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except HTTPException:
            raise
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _answer(scope, receive, send, 500, gettext("Something went wrong. The error has been logged."))
