"""CSRF tokens: signed (itsdangerous), bound to a per-browser nonce cookie and the user."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

NONCE_COOKIE = "crm_csrf"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
MAX_AGE_S = 24 * 3600


def new_nonce() -> str:
    """A fresh random nonce for the browser's CSRF cookie."""
    return secrets.token_urlsafe(24)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="crm-csrf")


def make_csrf_token(secret: str, nonce: str, user_id: int | None) -> str:
    """A token valid for this browser (nonce) and this user (or anonymous)."""
    return _serializer(secret).dumps({"n": nonce, "u": user_id or 0})


def csrf_token_valid(secret: str, token: str | None, nonce: str | None, user_id: int | None) -> bool:
    """True when `token` is ours, fresh, and made for this browser and this user."""
    if not token or not nonce:
        return False
    try:
        data = _serializer(secret).loads(token, max_age=MAX_AGE_S)
    except BadSignature:
        return False
    if not isinstance(data, dict):
        return False
    return secrets.compare_digest(str(data.get("n", "")), nonce) and data.get("u") == (user_id or 0)
