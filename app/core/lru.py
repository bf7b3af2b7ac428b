"""A small thread-safe LRU of rendered pieces (pages, fragments) in one process, bounded by
entry count and total size; entries say their own size. Keys carry whatever the piece depends on
(a version read from the database, the language...), so nothing ever needs invalidating."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024
RENDER_LOCKS = 32
E = TypeVar("E")


class Sized(Protocol):
    """An entry: anything that knows roughly how many bytes it holds."""

    @property
    def size(self) -> int:
        """Roughly how many bytes the entry holds."""


class RenderCache:
    """A thread-safe LRU bounded by entry count and total size."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        """An empty cache holding at most `max_entries` entries and about `max_bytes` bytes."""
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[Hashable, Sized] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._render_locks = [threading.Lock() for _ in range(RENDER_LOCKS)]
        self.hits = self.misses = 0

    def render_lock(self, key: Hashable) -> threading.Lock:
        """A lock to hold while rendering `key`, so concurrent misses after a change render it once."""
        return self._render_locks[hash(key) % RENDER_LOCKS]

    def get_or_render(self, key: Hashable, render: Callable[[], E]) -> E:
        """The entry of `key`, or `render()` kept under it: concurrent misses render it once."""
        entry = self.get(key)
        if entry is None:
            with self.render_lock(key):
                entry = self.get(key)
                if entry is None:
                    entry = render()
                    self.put(key, entry)
        return entry

    def get(self, key: Hashable) -> Sized | None:
        """The entry of `key` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Hashable, entry: Sized) -> None:
        """Store `entry`, evicting the least recently used ones beyond the bounds."""
        if entry.size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def clear(self) -> None:
        """Forget everything (tests, benchmarks)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        """How many entries are held."""
        return len(self._entries)


_create_lock = threading.Lock()


def cache_on(holder: Any, name: str, make: Callable[[], RenderCache] = RenderCache) -> RenderCache:
    """The cache `holder` (an app's state) keeps under `name`, made by `make` on first use."""
    cache = getattr(holder, name, None)
    if cache is None:
        with _create_lock:
            cache = getattr(holder, name, None)
            if cache is None:
                cache = make()
                setattr(holder, name, cache)
    return cache
