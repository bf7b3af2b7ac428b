"""The send pace shared by workers: N messages in any second overall, one per chat per interval,
in Redis (shared by every limiter on the same server) and in process."""

from __future__ import annotations

import os
import time

import pytest
import redis

from tasks.limiter import MemoryLimiter, RedisLimiter
from tests.workers import own_redis_url

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


@pytest.fixture(params=["redis", "memory"])
def make(request):
    """Build limiters of one kind; two Redis ones share their state as two workers would."""
    prefix = f"test:limiter:{time.monotonic_ns()}"

    def build(per_second: int, interval_ms: int):
        if request.param == "memory":
            return MemoryLimiter(per_second, interval_ms)
        return RedisLimiter(REDIS_URL, per_second, interval_ms, prefix=prefix)

    yield build
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def take(limiter, chat: int) -> str:
    """A slot for `chat`, which must be free now."""
    wait, token = limiter.acquire(chat)
    assert wait == 0 and token
    return token


def test_one_message_per_chat_per_interval_counted_from_its_completion(make):
    limiter = make(100, 1000)
    token = take(limiter, 1)
    wait, none = limiter.acquire(1)
    assert 0 < wait < 0.5 and none == ""  # still on its way: ask again soon
    take(limiter, 2)  # another chat need not wait
    limiter.settle(1, token)
    wait, _ = limiter.acquire(1)
    assert 0.5 < wait <= 1.0  # the interval runs from the completion


def test_at_most_n_messages_in_any_second_overall(make):
    limiter = make(5, 0)
    tokens = [take(limiter, chat) for chat in range(5)]
    assert limiter.acquire(99)[0] > 0  # five on their way
    for chat, token in enumerate(tokens):
        limiter.settle(chat, token)
    wait, _ = limiter.acquire(99)
    assert 0.5 < wait <= 1.0  # five completed within the second
    time.sleep(wait + 0.01)
    take(limiter, 99)


def test_two_redis_limiters_share_the_pace():
    prefix = f"test:shared:{time.monotonic_ns()}"
    first, second = (RedisLimiter(REDIS_URL, 2, 1000, prefix=prefix) for _ in range(2))
    take(first, 1), take(second, 2)
    assert second.acquire(3)[0] > 0 and first.acquire(1)[0] > 0
    first.reset()
    take(second, 3)
