"""Signed session tokens (JWT, HS256) carrying the user id and token version."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"


def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


def issue_token(secret: str, user_id: int, token_version: int, lifetime_s: int) -> str:
    """A JWT for `user_id` valid for `lifetime_s` seconds."""
    now = int(time.time())
    claims = {"sub": str(user_id), "ver": token_version, "iat": now, "exp": now + lifetime_s}
    return jwt.encode({"alg": ALGORITHM}, claims, _key(secret), algorithms=[ALGORITHM])


def read_token(secret: str, token: str) -> tuple[int, int] | None:
    """(user id, token version) from a valid, unexpired token; None otherwise."""
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(exp={"essential": True}, sub={"essential": True}).validate(decoded.claims)
        return int(decoded.claims["sub"]), int(decoded.claims.get("ver", 0))
    except (JoseError, ValueError, TypeError, KeyError):
        return None
