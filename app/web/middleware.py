"""ASGI middleware: proxy scheme, CSRF nonce cookie, request language, security headers, access log."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import csrf
from app.auth.deps import SESSION_COOKIE
from app.auth.proxies import Network, forwarded_https
from app.web.i18n import LANGUAGES, current_language
from settings import Settings

LANG_COOKIE = "crm_lang"
access_log = logging.getLogger("crm.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# Sent with every HTML page: no inline scripts, handlers or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.lower().startswith(b"text/html") for k, v in headers)


HSTS = (b"strict-transport-security", b"max-age=31536000")
NO_STORE = (b"cache-control", b"no-store")


def cookie_attributes(secure: bool, max_age: int | None = None, http_only: bool = True) -> str:
    """The attribute string of our cookies: Path, SameSite=Lax, HttpOnly, Secure on HTTPS."""
    parts = ["Path=/", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def _language(cookies: SimpleCookie, default: str) -> str:
    """The language this browser picked (the language cookie), else DEFAULT_LANGUAGE.

    Accept-Language is not read: the site speaks Russian first until a visitor presses the switch
    in the public header. A logged-in user's profile language is applied once the user is known
    (app.web.templating.render, app.public.html)."""
    if LANG_COOKIE in cookies and cookies[LANG_COOKIE].value in LANGUAGES:
        return cookies[LANG_COOKIE].value
    return default


def _request_headers(raw: list[tuple[bytes, bytes]]) -> tuple[str, str]:
    """(Cookie, X-Forwarded-Proto) of a request, read in one pass over the raw headers (the last
    value wins, as in a dict of them)."""
    cookie = proto = ""
    for name, value in raw:
        if name == b"cookie":
            cookie = value.decode("latin-1")
        elif name == b"x-forwarded-proto":
            proto = value.decode("latin-1")
    return cookie, proto


def _scheme_from_proxy(scope: Scope, proto: str, trusted: Sequence[Network]) -> None:
    """Behind a trusted proxy that says the client used HTTPS, the request is HTTPS."""
    peer = scope["client"][0] if scope.get("client") else ""
    if proto and trusted and forwarded_https(peer, [proto], trusted):
        scope["scheme"] = "https"


def _response_headers(headers: list, state: dict, https: bool) -> list:
    """HSTS over HTTPS; no-store for a signed-in user's responses and for those setting a session."""
    extra = [HSTS] if https else []
    sets_session = any(k.lower() == b"set-cookie" and v.startswith(SESSION_COOKIE.encode() + b"=") for k, v in headers)
    if state.get("user") is not None or sets_session:
        headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
        extra.append(NO_STORE)
    return headers + extra


class RequestContextMiddleware:
    """Per request: trust a proxy's scheme, ensure the CSRF nonce cookie, pick the language,
    add security and caching headers, log."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie_header, proto = _request_headers(scope["headers"])
        _scheme_from_proxy(scope, proto, self.settings.trusted_networks)
        cookies = SimpleCookie()
        try:
            if cookie_header:
                cookies.load(cookie_header)
        except Exception:  # a malformed Cookie header must not become a 500
            cookies = SimpleCookie()
        nonce = cookies[csrf.NONCE_COOKIE].value if csrf.NONCE_COOKIE in cookies else None
        new_nonce = None if nonce else csrf.new_nonce()
        state = scope.setdefault("state", {})
        state["csrf_nonce"] = nonce or new_nonce
        current_language.set(_language(cookies, self.settings.default_language))
        https = scope.get("scheme") == "https"
        secure = self.settings.cookie_secure or https
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                extra = list(SECURITY_HEADERS)
                if _is_html(message.get("headers", [])):
                    extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode("latin-1")))
                if new_nonce:
                    value = f"{csrf.NONCE_COOKIE}={new_nonce}; {cookie_attributes(secure)}"
                    extra.append((b"set-cookie", value.encode("latin-1")))
                headers = _response_headers(list(message.get("headers", [])), state, https)
                message = {**message, "headers": headers + extra}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    json.dumps(
                        {
                            "event": "request",
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status_holder["status"],
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        }
                    )
                )
