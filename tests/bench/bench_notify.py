"""Benchmark of the notification fan-out: 1,000 messages to 200 chats through the shared limiter.

Run from the repository root (about a minute; needs a Redis, by default the local one):

    python -m tests.bench.bench_notify [--redis redis://127.0.0.1:6379/7] [--workers 2] [--threads 4]
                                       [--messages 1000] [--chats 200] [--unlimited]

It builds a throw-away SQLite database with 200 linked salespeople and 5 leads each, starts the
tests' local stand-in of the Bot API, starts `--workers` Celery worker processes (threads pool)
on the Redis, then enqueues one "new lead" job per lead at once and waits until the stand-in has
every message. The stand-in stamps each message as it arrives and counts breaches of Telegram's
limits: more than 30 messages within any second overall, or two messages to one chat within a
second. It prints messages/s, the time, the breaches (must be 0), the ratio to the 28 messages/s
the limiter allows, and the ratio to a bare Starlette endpoint timed in the same run (as the
other benches do). `--unlimited` lifts the pace (10,000/s, no chat interval) to show what the
jobs themselves manage. Not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from celery import Celery

from app.auth.permissions import Role
from app.db import get_engine, write_session
from app.migrations import upgrade
from tests.bench.bench_pages import bare_rate
from tests.bot.helpers import link
from tests.bot.stub import start_stub
from tests.factories import make_lead, make_user

TOKEN = "123456:BENCH-token"
ROOT = Path(__file__).resolve().parents[2]


def build(url: str, chats: int, per_chat: int) -> list[tuple[int, int]]:
    """Linked salespeople and their leads; the (lead, salesperson) pairs to notify."""
    upgrade(url)
    pairs = []
    with write_session(url) as db:
        for n in range(chats):
            seller = make_user(db, Role.SALES, username=f"bench-seller-{n}")
            link(db, seller, 880_000 + n)
            pairs += [(make_lead(db, seller, name=f"Клиент {n}-{k}").id, seller.id) for k in range(per_chat)]
    # interleave the chats as a distribution run would: lead k of every chat, then lead k+1
    return [pairs[c * per_chat + k] for k in range(per_chat) for c in range(chats)]


def start_workers(env: dict, workers: int, threads: int) -> list[subprocess.Popen]:
    """Celery worker processes on the broker in `env`."""
    command = [sys.executable, "-m", "celery", "-A", "tasks.celery_app:celery_app", "worker", "--pool", "threads"]
    return [
        subprocess.Popen(
            [
                *command,
                "--concurrency",
                str(threads),
                "--loglevel",
                "WARNING",
                "-n",
                f"bench{n}@%h",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
        )
        for n in range(workers)
    ]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wait_for_workers(app: Celery, workers: int, timeout: float = 60) -> None:
    """Until every worker answers a ping."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers = app.control.ping(timeout=1.0) or []
        if len(answers) >= workers:
            return
    raise SystemExit("the workers did not start")


def wait_for(stub: object, needed: int, timeout: float) -> float:
    """Until the stand-in has `needed` messages; the moment the last arrived."""
    deadline = time.monotonic() + timeout
    while len(stub.sent()) < needed:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(stub.sent())} of {needed} messages arrived")
        time.sleep(0.01)
    return max(c.at for c in stub.sent())


def main() -> None:
    """Build, start, fan out, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--unlimited", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    redis.Redis.from_url(args.redis).flushdb()
    stub, stub_server = start_stub()
    rate, interval = ("10000", "0") if args.unlimited else ("28", "1100")
    with tempfile.TemporaryDirectory(prefix="crm-bench-notify-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        pairs = build(url, args.chats, max(1, args.messages // args.chats))
        env = os.environ | {
            "DATABASE_URL": url,
            "DATA_DIR": tmp,
            "BROKER_URL": args.redis,
            "REDIS_URL": args.redis,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": stub.url,
            "NOTIFY_QUIET_HOURS": "off",
            "NOTIFY_RATE_PER_SECOND": rate,
            "NOTIFY_CHAT_INTERVAL_MS": interval,
        }
        app = Celery("bench", broker=args.redis, backend=args.redis)
        processes = start_workers(env, args.workers, args.threads)
        try:
            wait_for_workers(app, args.workers)
            idle_cpu = sum(cpu_seconds(p.pid) for p in processes)
            began = time.monotonic()
            with app.producer_or_acquire() as producer:
                for lead_id, seller_id in pairs:
                    app.send_task("tasks.notify.new_lead", (lead_id, seller_id, "bench"), producer=producer)
            enqueued = time.monotonic() - began
            last = wait_for(stub, len(pairs), timeout=30 + len(pairs) / 5)
            seconds = last - began
            time.sleep(1.0)  # anything sent twice would show now
            total = len(stub.sent())
            cpu = sum(cpu_seconds(p.pid) for p in processes)
            overall, per_chat = stub.breaches(per_second=30, chat_interval=1.0)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            stub_server.shutdown()
            get_engine(url).dispose()
    bare = bare_rate()
    per_second = len(pairs) / seconds
    print(f"\nbare starlette: {bare:.0f} req/s")
    print(f"{args.workers} workers x {args.threads} threads, pace {rate}/s overall, {interval} ms per chat")
    print(f"enqueued {len(pairs)} jobs in {enqueued:.2f} s; {total} messages reached the stand-in")
    print(
        f"fan-out: {len(pairs)} messages to {args.chats} chats in {seconds:.1f} s, {per_second:.1f} messages/s "
        f"(ratio {per_second / bare:.4f} to the bare endpoint, {per_second / float(rate):.2f} of the allowed pace)"
    )
    print(f"worker CPU per message: {(cpu - idle_cpu) / len(pairs) * 1000:.1f} ms (both workers, all threads)")
    print(f"breaches: {overall} beyond 30/s overall, {per_chat} within 1 s in a chat; duplicates: {total - len(pairs)}")


if __name__ == "__main__":
    main()
