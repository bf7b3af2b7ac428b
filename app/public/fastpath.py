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
        if match and scope["method"] == "GET":
            request = Request(scope, receive)
            anonymous = deps.SESSION_COOKIE not in request.cookies and "authorization" not in request.headers
            if anonymous and "hx-request" not in request.headers:
                response = cached_complex_page(request, match.group(1))
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
