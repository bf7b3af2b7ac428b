"""An ASGI middleware that answers anonymous visitors' complex pages from memory, ahead of the
router: when the page is cached and the version memo fresh, no dependency, no session and no
thread is involved (see html.cached_complex_page). Anything else goes on to the app."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth import deps
from app.public.html import cached_complex_page

COMPLEX_PATH = re.compile(r"^/c/([a-z0-9]+(?:-[a-z0-9]+)*)$")


class PublicPageFastPath:
    """Serve cached public complex pages without the routing and dependency machinery."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = COMPLEX_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match and scope["method"] == "GET" and _anonymous_page_request(scope["headers"]):
            response = cached_complex_page(Request(scope, receive), match.group(1))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _anonymous_page_request(headers: list[tuple[bytes, bytes]]) -> bool:
    """No session cookie, no Authorization, not an HTMX request: one look at the raw headers."""
    session = deps.SESSION_COOKIE.encode() + b"="
    for name, value in headers:
        if name in (b"authorization", b"hx-request"):
            return False
        if name == b"cookie" and session in value and session in _cookie_names(value):
            return False
    return True


def _cookie_names(value: bytes) -> set[bytes]:
    """The names (with "=") of a Cookie header's cookies."""
    return {part.strip().partition(b"=")[0] + b"=" for part in value.split(b";")}
