"""Cached aggregates: in Redis when REDIS_URL is set, in this process otherwise.

A cached value's key carries the version counter of every data area it is computed from
("leads", "contracts", "expenses", "plans", "users", "rates"). The database layer bumps an
area's counter after each commit that changed one of its tables (app/db.py), so the next read
computes afresh: a write shows at once. Every entry also lives at most `ttl` seconds
(REPORT_CACHE_SECONDS), the stated bound for what no counter sees: a write made outside the
app, or by another process when there is no Redis to share the counters.

create_app calls `configure` with its settings (the way it sets the clock's time zone); until
then the environment's settings apply, so the worker and the CLI bump the same counters.
Redis being down never fails a page: the value is computed without the cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from settings import settings as _settings

log = logging.getLogger("crm.cache")

AREAS = ("leads", "contracts", "bookings", "expenses", "marketing", "plans", "users", "rates")
DEFAULT_TTL = 60
MEMORY_ENTRIES = 512  # the in-process store forgets the least recently used beyond this

M = TypeVar("M", bound=BaseModel)


class Store(Protocol):
    """Where entries and version counters live."""

    def versions(self, areas: Iterable[str]) -> list[int]:
        """The current counter of each area (0 when never bumped)."""

    def bump(self, areas: Iterable[str]) -> None:
        """Move the counters of `areas` on."""

    def get(self, key: str, model: type[M]) -> M | None:
        """The entry under `key`, or None when missing or expired."""

    def put(self, key: str, value: BaseModel, ttl: int) -> None:
        """Keep `value` under `key` for `ttl` seconds."""


class MemoryStore:
    """Entries and counters in this process (one worker; with several, each keeps its own)."""

    def __init__(self, entries: int = MEMORY_ENTRIES) -> None:
        """An empty store holding at most `entries` values."""
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, BaseModel]] = OrderedDict()
        self._versions: dict[str, int] = {}
        self._size = entries

    def versions(self, areas: Iterable[str]) -> list[int]:
        """The current counter of each area."""
        with self._lock:
            return [self._versions.get(area, 0) for area in areas]

    def bump(self, areas: Iterable[str]) -> None:
        """Move the counters of `areas` on."""
        with self._lock:
            for area in areas:
                self._versions[area] = self._versions.get(area, 0) + 1

    def get(self, key: str, model: type[M]) -> M | None:
        """The live entry under `key`."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < time.time():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1] if isinstance(found[1], model) else None

    def put(self, key: str, value: BaseModel, ttl: int) -> None:
        """Keep `value` for `ttl` seconds, forgetting the oldest entries beyond the size."""
        with self._lock:
            self._entries[key] = (time.time() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class RedisStore:
    """Entries (JSON) and counters in Redis, shared by every process that uses the same URL."""

    def __init__(self, url: str, prefix: str) -> None:
        """A client for `url`; every key starts with `prefix`."""
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._prefix = prefix

    def versions(self, areas: Iterable[str]) -> list[int]:
        """The current counter of each area, in one round trip."""
        names = [f"{self._prefix}v:{area}" for area in areas]
        return [int(value or 0) for value in self._redis.mget(names)] if names else []

    def bump(self, areas: Iterable[str]) -> None:
        """Move the counters of `areas` on, in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for area in areas:
            pipe.incr(f"{self._prefix}v:{area}")
        pipe.execute()

    def get(self, key: str, model: type[M]) -> M | None:
        """The entry under `key`, read back into `model`."""
        raw = self._redis.get(self._prefix + key)
        return model.model_validate_json(raw) if raw is not None else None

    def put(self, key: str, value: BaseModel, ttl: int) -> None:
        """Keep `value` as JSON for `ttl` seconds."""
        self._redis.set(self._prefix + key, value.model_dump_json(), ex=ttl)


class _Config:
    store: Store
    ttl: int = DEFAULT_TTL
    kind: str = "memory"


_config = _Config()


def configure(redis_url: str = "", ttl: int = DEFAULT_TTL, namespace: str = "") -> None:
    """Use Redis at `redis_url` (else a fresh in-process store), entries living `ttl` seconds.

    `namespace` (e.g. the database URL) keeps two databases served from one Redis apart.
    """
    prefix = "crm:agg:" + (hashlib.sha256(namespace.encode()).hexdigest()[:10] + ":" if namespace else "")
    _config.store = RedisStore(redis_url, prefix) if redis_url else MemoryStore()
    _config.kind = "redis" if redis_url else "memory"
    _config.ttl = max(1, ttl)


def ttl_seconds() -> int:
    """How long an entry lives at most: the staleness bound the pages state."""
    return _config.ttl


def backend() -> str:
    """ "redis" or "memory"."""
    return _config.kind


def bump(areas: Iterable[str]) -> None:
    """Invalidate what was computed from `areas` (called after a commit that changed them)."""
    wanted = sorted(set(areas))
    if not wanted:
        return
    try:
        _config.store.bump(wanted)
    except Exception:  # Redis down: entries still expire by their TTL
        log.warning("cache: could not bump %s", ",".join(wanted), exc_info=True)


def cached(name: str, params: tuple[Any, ...], areas: tuple[str, ...], model: type[M], compute: Callable[[], M]) -> M:
    """The value of `compute()` for (name, params) computed from `areas`, from the cache when fresh.

    The area counters are read before computing, so a write that commits meanwhile leaves this
    value under an old key that nobody asks for again.
    """
    store = _config.store
    try:
        versions = store.versions(areas)
        key = f"{name}:{'|'.join(map(str, params))}:{'.'.join(map(str, versions))}"
        hit = store.get(key, model)
    except Exception:  # Redis down: compute without the cache
        log.warning("cache: unavailable for %s", name, exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        store.put(key, value, _config.ttl)
    except Exception:  # Redis down: the value is served, not kept
        log.warning("cache: could not keep %s", name, exc_info=True)
    return value


configure(_settings.redis_url, _settings.report_cache_seconds, _settings.database_url)
