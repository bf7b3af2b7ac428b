"""Sending pace shared by every worker: at most N messages within any second overall and one
message per chat per interval, as Telegram counts them, on arrival.

A slot is taken before a message is sent and settled when the call returns: until then it counts
as sending right now, afterwards at its completion time. A message reaches Telegram between the two,
so a new slot is given only when fewer than N messages completed within the last second or are
still on their way: whatever the network's or the worker's delays, no second of arrivals holds more
than N, and no chat gets two messages closer than the interval. Redis keeps the state when a broker
or REDIS_URL is set (one Lua script per step, atomic across workers, on Redis's clock); without
Redis an in-process limiter does the same for this process.

`acquire(chat_id)` answers (0, token) with the slot taken, or (seconds to wait, "") with nothing
taken; `settle(chat_id, token)` is called once the message's call returned (sent or refused).
"""

from __future__ import annotations

import threading
import time
import uuid
from functools import lru_cache
from typing import Protocol

WINDOW_MS = 1000
IN_FLIGHT_MS = 60_000  # a slot its worker never settled (it died) stops counting after this
BUSY_WAIT = 0.05  # seconds to wait when the slots are held by messages still on their way

# KEYS[1] the overall window (sorted set: member -> completion ms, or in flight until then),
# KEYS[2] the chat's last completion ("f" while one is on its way); ARGV: limit, window, interval,
# in-flight ms, member
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, interval, flight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local last = redis.call('GET', KEYS[2])
if last == 'f' then return -1 end
if last then
  local wait = tonumber(last) + interval - now
  if wait > 0 then return wait end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait > window then return -1 end
  return math.max(1, wait)
end
redis.call('ZADD', KEYS[1], now + flight, ARGV[5])
redis.call('PEXPIRE', KEYS[1], flight + window)
if interval > 0 then redis.call('SET', KEYS[2], 'f', 'PX', flight) end
return 0
"""
SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then redis.call('ZADD', KEYS[1], now, ARGV[3]) end
if interval > 0 then redis.call('SET', KEYS[2], now, 'PX', interval) end
return 0
"""


class Limiter(Protocol):
    """Takes and settles send slots."""

    def acquire(self, chat_id: int) -> tuple[float, str]:
        """(0, token) with a slot taken for a message to `chat_id`, else (seconds to wait, "")."""

    def settle(self, chat_id: int, token: str) -> None:
        """The message of this slot has been sent (or refused): count it from now."""


def _wait(ms: int) -> float:
    return BUSY_WAIT if ms < 0 else ms / 1000


class RedisLimiter:
    """The pace kept in Redis, shared by every worker and process using the same server."""

    def __init__(self, url: str, per_second: int, chat_interval_ms: int, prefix: str = "crm:notify") -> None:
        """A limiter on the Redis at `url`."""
        import redis

        self.client = redis.Redis.from_url(url)
        self.take, self.give = self.client.register_script(ACQUIRE), self.client.register_script(SETTLE)
        self.per_second, self.interval, self.prefix = per_second, chat_interval_ms, prefix

    def _keys(self, chat_id: int) -> list[str]:
        return [f"{self.prefix}:window", f"{self.prefix}:chat:{chat_id}"]

    def acquire(self, chat_id: int) -> tuple[float, str]:
        """Take a slot in Redis, or say how long to wait."""
        token = uuid.uuid4().hex
        args = [self.per_second, WINDOW_MS, self.interval, IN_FLIGHT_MS, token]
        wait = int(self.take(keys=self._keys(chat_id), args=args))
        return (0.0, token) if wait == 0 else (_wait(wait), "")

    def settle(self, chat_id: int, token: str) -> None:
        """Count the slot's message from its completion."""
        self.give(keys=self._keys(chat_id), args=[WINDOW_MS, self.interval, token])

    def reset(self) -> None:
        """Forget every slot (tests and benchmarks)."""
        for key in self.client.scan_iter(f"{self.prefix}:*"):
            self.client.delete(key)


class MemoryLimiter:
    """The same pace within one process (no Redis)."""

    def __init__(self, per_second: int, chat_interval_ms: int) -> None:
        """A limiter in this process."""
        self.per_second, self.interval = per_second, chat_interval_ms / 1000
        self.window: dict[str, float] = {}  # token -> completion (inf while on its way)
        self.chats: dict[int, float] = {}  # chat -> last completion (inf while on its way)
        self.lock = threading.Lock()

    def acquire(self, chat_id: int) -> tuple[float, str]:
        """Take a slot in this process, or say how long to wait."""
        with self.lock:
            now = time.monotonic()
            last = self.chats.get(chat_id)
            if last is not None and now - last < self.interval:
                return (BUSY_WAIT if last == float("inf") else last + self.interval - now), ""
            self.window = {t: at for t, at in self.window.items() if at > now - WINDOW_MS / 1000}
            if len(self.window) >= self.per_second:
                oldest = min(self.window.values())
                return (BUSY_WAIT if oldest == float("inf") else oldest + WINDOW_MS / 1000 - now), ""
            token = uuid.uuid4().hex
            self.window[token] = float("inf")
            if self.interval:
                self.chats[chat_id] = float("inf")
            return 0.0, token

    def settle(self, chat_id: int, token: str) -> None:
        """Count the slot's message from now."""
        with self.lock:
            now = time.monotonic()
            if token in self.window:
                self.window[token] = now
            if self.interval:
                self.chats[chat_id] = now
            if len(self.chats) > 10_000:
                self.chats = {c: at for c, at in self.chats.items() if now - at < self.interval}

    def reset(self) -> None:
        """Forget every slot."""
        with self.lock:
            self.window.clear()
            self.chats.clear()


@lru_cache(maxsize=8)
def limiter_for(redis_url: str, per_second: int, chat_interval_ms: int) -> RedisLimiter | MemoryLimiter:
    """The process's limiter for these settings: Redis-backed when `redis_url` is set."""
    if redis_url:
        return RedisLimiter(redis_url, per_second, chat_interval_ms)
    return MemoryLimiter(per_second, chat_interval_ms)
