"""Setting and clearing the session, known-device and language cookies."""

from __future__ import annotations

from fastapi import Request, Response

from app.auth.deps import SESSION_COOKIE
from app.auth.throttle import DEVICE_COOKIE, DEVICE_DAYS
from app.web.middleware import LANG_COOKIE


def is_secure(request: Request) -> bool:
    """True when served over HTTPS (directly or behind a trusted proxy) or forced by settings."""
    return request.app.state.settings.cookie_secure or request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str, language: str) -> None:
    """Store the session JWT (HttpOnly, SameSite=Lax, Secure on HTTPS) and the language."""
    lifetime = request.app.state.settings.session_hours * 3600
    secure = is_secure(request)
    response.set_cookie(SESSION_COOKIE, token, max_age=lifetime, httponly=True, samesite="lax", secure=secure, path="/")
    set_language_cookie(request, response, language)


def set_language_cookie(request: Request, response: Response, language: str) -> None:
    """Remember the interface language in the browser."""
    response.set_cookie(
        LANG_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="lax", secure=is_secure(request), path="/"
    )


def set_known_device(request: Request, response: Response, value: str) -> None:
    """Mark this browser as one that logged in successfully (a signed, HttpOnly cookie)."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_secure(request))
