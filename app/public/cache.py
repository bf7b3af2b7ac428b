"""Rendered public HTML in a small in-process LRU, and the ETags built from the same keys.

A key is (complex id, inventory version, normalised filters, language). The version is read
from the database on every request (`complexes.version_of`, one indexed query), and every
change to a complex, its buildings, apartments, pictures or floor grids bumps it in the same
transaction as the change. So the cache never needs invalidating and is safe with several
processes: after a change, every process asks for a key with the new version, misses, and
renders afresh; the entries of older versions are simply never asked for again and age out of
the LRU. A stale page cannot be served. Each process (each app) keeps its own bounded copy;
nothing is shared and nothing outlives the process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import State

from app.core.lru import RenderCache, cache_on
from app.public.gzipped import GzippedChunks


@dataclass(frozen=True)
class GridKey:
    """What a rendered complex page depends on: nothing else goes into it."""

    complex_id: int
    version: int
    filters: tuple[tuple[str, str], ...]
    language: str

    def token(self) -> str:
        """The key as one short string (ETags)."""
        raw = f"{self.complex_id}|{self.version}|{self.filters}|{self.language}"
        return hashlib.sha256(raw.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class PageKey:
    """A whole complex page: its parts' key plus what the page around them shows."""

    # The visitor's role (dashboard link), campaign tags and calculator inputs; the CSRF token
    # differs per visitor and is spliced in per request (RenderedPage.with_token).

    grid: GridKey
    role: str
    utm: tuple[tuple[str, str], ...]
    calc: tuple[tuple[str, str], ...]


@dataclass
class RenderedComplex:
    """The cached parts of a complex page: UTF-8 HTML by part name, and a few plain facts."""

    parts: dict[str, bytes]
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Roughly how many bytes the entry holds."""
        return sum(len(html) for html in self.parts.values()) + 512


@dataclass
class RenderedPage:
    """A whole page as UTF-8 chunks to be joined with the visitor's CSRF token, plain or gzipped."""

    chunks: list[bytes]
    gzipped: GzippedChunks = field(init=False)

    def __post_init__(self) -> None:
        """Compress the chunks once (app.public.gzipped)."""
        self.gzipped = GzippedChunks(self.chunks)

    @property
    def size(self) -> int:
        """Roughly how many bytes the entry holds."""
        return sum(len(chunk) for chunk in self.chunks) + self.gzipped.size + 256

    def with_token(self, token: str) -> bytes:
        """The page for one visitor."""
        return token.encode().join(self.chunks)

    def gzip_with_token(self, token: str) -> bytes:
        """The page for one visitor, gzipped."""
        return self.gzipped.with_token(token.encode())


Entry = RenderedComplex | RenderedPage


def cache_of(state: State) -> RenderCache:
    """The cache of one app (kept on app.state, made on first use)."""
    return cache_on(state, "public_render_cache")


def make_etag(*parts: object) -> str:
    """A weak ETag over `parts` (weak: equal pages may differ in bytes such as a CSRF token)."""
    raw = "|".join(str(part) for part in parts)
    return f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:24]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """True when an If-None-Match header names `etag` (weak comparison, lists and * allowed)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False
