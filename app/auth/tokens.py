"""Signed session tokens (JWT, HS256) carrying the user id, token version and session id."""

from __future__ import annotations

import time
from typing import NamedTuple

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"


class TokenClaims(NamedTuple):
    """What a valid token says: whose it is, their token version, and its server-side session."""

    user_id: int
    token_version: int
    session_id: str


def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


def issue_token(secret: str, user_id: int, token_version: int, session_id: str, lifetime_s: int) -> str:
    """A JWT for `user_id` in session `session_id`, valid for `lifetime_s` seconds."""
    now = int(time.time())
    claims = {"sub": str(user_id), "ver": token_version, "sid": session_id, "iat": now, "exp": now + lifetime_s}
    return jwt.encode({"alg": ALGORITHM}, claims, _key(secret), algorithms=[ALGORITHM])


def read_token(secret: str, token: str) -> TokenClaims | None:
    """The claims of a valid, unexpired token that names a session; None otherwise."""
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(exp={"essential": True}, sub={"essential": True}, sid={"essential": True}).validate(
            decoded.claims
        )
        session_id = decoded.claims["sid"]
        if not isinstance(session_id, str) or not session_id:
            return None
        return TokenClaims(int(decoded.claims["sub"]), int(decoded.claims.get("ver", 0)), session_id)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
