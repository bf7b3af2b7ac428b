"""Sending pace shared by every worker: at most N messages in any second overall and one message
per chat per interval. Redis keeps the state when a broker or REDIS_URL is set (one Lua script,
so the check and the booking of a slot are atomic across workers, on Redis's own clock); without
Redis an in-process window does the same for this process.

`acquire(chat_id)` books a slot and answers 0, or answers how many seconds to wait (nothing booked).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from functools import lru_cache
from typing import Protocol

WINDOW_MS = 1000

# KEYS[1] the overall window (a sorted set of send times), KEYS[2] the chat's last send time
# ARGV[1] messages per window, ARGV[2] window ms, ARGV[3] per-chat interval ms, ARGV[4] a unique member
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local last = redis.call('GET', KEYS[2])
if last then
  local wait = tonumber(last) + interval - now
  if wait > 0 then return wait end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window * 2)
if interval > 0 then redis.call('SET', KEYS[2], now, 'PX', interval) end
return 0
"""


class Limiter(Protocol):
    """Books send slots."""

    def acquire(self, chat_id: int) -> float:
        """0 when a message to `chat_id` may go now (the slot is booked), else seconds to wait."""


class RedisLimiter:
    """The pace kept in Redis, shared by every worker and process using the same server."""

    def __init__(self, url: str, per_second: int, chat_interval_ms: int, prefix: str = "crm:notify") -> None:
        """A limiter on the Redis at `url`."""
        import redis

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(ACQUIRE)
        self.per_second, self.interval, self.prefix = per_second, chat_interval_ms, prefix

    def acquire(self, chat_id: int) -> float:
        """Book a slot in Redis, or say how long to wait."""
        keys = [f"{self.prefix}:window", f"{self.prefix}:chat:{chat_id}"]
        wait = self.script(keys=keys, args=[self.per_second, WINDOW_MS, self.interval, uuid.uuid4().hex])
        return int(wait) / 1000

    def reset(self) -> None:
        """Forget every booked slot (tests and benchmarks)."""
        for key in self.client.scan_iter(f"{self.prefix}:*"):
            self.client.delete(key)


class MemoryLimiter:
    """The same pace within one process (no Redis)."""

    def __init__(self, per_second: int, chat_interval_ms: int) -> None:
        """A limiter in this process."""
        self.per_second, self.interval = per_second, chat_interval_ms / 1000
        self.sent: deque[float] = deque()
        self.last: dict[int, float] = {}
        self.lock = threading.Lock()

    def acquire(self, chat_id: int) -> float:
        """Book a slot in this process, or say how long to wait."""
        with self.lock:
            now = time.monotonic()
            last = self.last.get(chat_id)
            if last is not None and now - last < self.interval:
                return last + self.interval - now
            while self.sent and self.sent[0] <= now - WINDOW_MS / 1000:
                self.sent.popleft()
            if len(self.sent) >= self.per_second:
                return max(0.001, self.sent[0] + WINDOW_MS / 1000 - now)
            self.sent.append(now)
            self.last[chat_id] = now
            if len(self.last) > 10_000:
                self.last = {c: t for c, t in self.last.items() if now - t < self.interval}
            return 0.0

    def reset(self) -> None:
        """Forget every booked slot."""
        with self.lock:
            self.sent.clear()
            self.last.clear()


@lru_cache(maxsize=8)
def limiter_for(redis_url: str, per_second: int, chat_interval_ms: int) -> RedisLimiter | MemoryLimiter:
    """The process's limiter for these settings: Redis-backed when `redis_url` is set."""
    if redis_url:
        return RedisLimiter(redis_url, per_second, chat_interval_ms)
    return MemoryLimiter(per_second, chat_interval_ms)
