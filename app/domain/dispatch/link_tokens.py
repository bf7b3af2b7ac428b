"""Tokens of buyers' service links: "<link id>.<nonce>.<mac>", the mac an HMAC-SHA256 of the id and
nonce under the app's secret key. Parsing refuses anything else (any bytes, any length) with None;
the mac is compared in constant time, the nonce is checked against the link row afterwards."""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from typing import NamedTuple

NONCE_BYTES = 12  # 16 characters of URL-safe base64
MAC_BYTES = 16  # 22 characters
MAX_LENGTH = 64
TOKEN = re.compile(r"([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})")
_PURPOSE = "crm-service-link"


class LinkClaim(NamedTuple):
    """What a well-signed token names: a link row and its nonce."""

    link_id: int
    nonce: str


def new_nonce() -> str:
    """A fresh random nonce for a link row."""
    return secrets.token_urlsafe(NONCE_BYTES)


def _mac(secret: str, link_id: int, nonce: str) -> str:
    message = f"{_PURPOSE}|{link_id}|{nonce}".encode()
    digest = hmac.digest(secret.encode(), message, "sha256")[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, link_id: int, nonce: str) -> str:
    """The token of a link row."""
    return f"{link_id}.{nonce}.{_mac(secret, link_id, nonce)}"


def verify(secret: str, token: object) -> LinkClaim | None:
    """The (link id, nonce) a token signed with `secret` carries, or None for anything else."""
    if not isinstance(token, str) or len(token) > MAX_LENGTH:
        return None
    match = TOKEN.fullmatch(token)
    if match is None:
        return None
    link_id, nonce, mac = int(match[1]), match[2], match[3]
    if link_id >= 2**31 or not secrets.compare_digest(mac.encode(), _mac(secret, link_id, nonce).encode()):
        return None
    return LinkClaim(link_id, nonce)
