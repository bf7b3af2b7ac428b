"""Where a user-supplied address may send the browser: a path of this site, never another site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

# Browsers drop tabs and newlines inside URLs and read "\" as "/", so "/\evil.com" or "/\t/evil.com"
# lead off-site; control characters in a Location header also split the response.
_FORBIDDEN = frozenset("\\") | {chr(c) for c in range(32)} | {chr(127)}


def safe_path(target: object, *, within: str = "/", fallback: str) -> str:
    """`target` when it is a same-site path under `within` (with its query), else `fallback`.

    Refused: a scheme or host ("https://evil.com", "//evil.com"), a backslash, a control character,
    a "." or ".." segment (which would climb out of `within`), anything not starting with "/".
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    decoded = unquote(target)
    if any(ch in _FORBIDDEN for ch in target) or any(ch in _FORBIDDEN for ch in decoded):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    path = unquote(parts.path)
    if path.startswith("//") or any(segment in (".", "..") for segment in path.split("/")):
        return fallback
    root = within.rstrip("/")
    if root and path != root and not path.startswith(root + "/"):
        return fallback
    return target
