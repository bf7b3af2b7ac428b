"""CSRF tokens: HMAC-signed and dated, bound to a per-browser nonce cookie and the user."""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from functools import cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

NONCE_COOKIE = "crm_csrf"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
MAX_AGE_S = 24 * 3600


def new_nonce() -> str:
    """A fresh random nonce for the browser's CSRF cookie."""
    return secrets.token_urlsafe(24)


@cache
def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="crm-csrf")


def _mac(secret: str, nonce: str, user_id: int, issued: str) -> str:
    message = f"crm-csrf|{nonce}|{user_id}|{issued}".encode()
    return base64.urlsafe_b64encode(hmac.digest(secret.encode(), message, "sha256")[:18]).decode()


def make_csrf_token(secret: str, nonce: str, user_id: int | None) -> str:
    """A token valid for this browser (nonce) and this user (or anonymous): "issued.mac", where
    mac = HMAC-SHA256(secret, nonce, user, issued) (one HMAC: every page, even a cached one, makes one)."""
    issued = format(int(time.time()), "x")
    return f"{issued}.{_mac(secret, nonce, user_id or 0, issued)}"


def csrf_token_valid(secret: str, token: str | None, nonce: str | None, user_id: int | None) -> bool:
    """True when `token` is ours, fresh, and made for this browser and this user."""
    if not token or not nonce:
        return False
    issued, dot, mac = token.partition(".")
    if dot and "." not in mac and len(issued) <= 12:
        try:
            age = time.time() - int(issued, 16)
        except ValueError:
            return False
        expected = _mac(secret, nonce, user_id or 0, issued)
        return -60 <= age <= MAX_AGE_S and secrets.compare_digest(mac.encode(), expected.encode())
    try:  # a token of the earlier itsdangerous format, still valid until it ages out
        data = _serializer(secret).loads(token, max_age=MAX_AGE_S)
    except BadSignature:
        return False
    if not isinstance(data, dict):
        return False
    return secrets.compare_digest(str(data.get("n", "")), nonce) and data.get("u") == (user_id or 0)
