"""Benchmark of the Telegram webhook: updates handled per second by one process, p50/p95 per update.

Run from the repository root (well under a minute; nothing to set up):

    python -m tests.bench.bench_bot

It builds a throw-away SQLite database with the demo, links the demo salesperson's chat, starts the
tests' local stand-in of the Bot API, serves the real app in webhook mode with uvicorn in a
background thread, and sends updates as Telegram does (POST /telegram/webhook with the secret):
`/leads` (a page of the salesperson's leads with buttons, read through the same CRUD as the web).
Per update it times the round trip from the POST to the bot's answer reaching the stand-in; then
it sends a burst from 8 threads at once and prints the updates per second. A bare Starlette
endpoint is timed in the same run for the ratio. Not a test: it asserts nothing about time.
The notification fan-out is measured by tests/bench/bench_notify.py.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import time
from itertools import count
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Route

from app.auth.models import User
from app.db import get_engine, write_session
from app.demo import load_demo
from app.migrations import upgrade
from main import server_socket
from settings import Settings
from tests.bench.bench_pages import HOST, bare_endpoint, percentile, serve
from tests.bot.helpers import link
from tests.bot.stub import start_stub

CHAT = 555_000
SECRET = "webhook-secret-for-the-bench-0123"
SEQUENTIAL = 200
BURST = 400
THREADS = 8
_ids = count(10_000)


def leads_update() -> dict:
    """An update carrying `/leads` from the linked chat."""
    n = next(_ids)
    sender = {"id": CHAT, "is_bot": False, "first_name": "Тест", "language_code": "ru"}
    message = {
        "message_id": n,
        "date": 1764633600,
        "chat": {"id": CHAT, "type": "private", "first_name": "Тест"},
        "from": sender,
        "text": "/leads",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return {"update_id": n, "message": message}


def wait_for_answers(stub, count_needed: int, timeout: float = 60.0) -> None:
    """Wait until the stand-in has recorded `count_needed` answers."""
    deadline = time.perf_counter() + timeout
    while len(stub.sent()) < count_needed:
        if time.perf_counter() > deadline:
            raise SystemExit(f"only {len(stub.sent())} of {count_needed} answers arrived")
        time.sleep(0.0005)


def main() -> None:
    """Build, serve, measure, print."""
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, uvicorn {uvicorn.__version__}")
    stub, stub_server = start_stub()
    with tempfile.TemporaryDirectory(prefix="crm-bench-bot-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        with write_session(url) as db:
            load_demo(db, "demo12345")
            link(db, db.scalar(select(User).where(User.username == "sales")), CHAT)
        settings = Settings(
            database_url=url,
            secret_key="bench-secret-key-that-is-long-enough-for-hs256",
            data_dir=Path(tmp),
            backup_dir=Path(tmp) / "backups",
            telegram_bot_token="123456:BENCH-token",
            telegram_api_base=stub.url,
            telegram_webhook_secret=SECRET,
            telegram_mode="webhook",
            telegram_bot_username="crm_bench_bot",
            public_base_url="https://crm.example.uz",
        )
        from app.main import create_app

        bare_sock, app_sock = server_socket(HOST, 0), server_socket(HOST, 0)
        servers = [
            serve(Starlette(routes=[Route("/", bare_endpoint)]), bare_sock),
            serve(create_app(settings, check_schema=False), app_sock),
        ]
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        app_url = f"http://{HOST}:{app_sock.getsockname()[1]}"
        try:
            with httpx.Client(base_url=f"http://{HOST}:{bare_sock.getsockname()[1]}") as bare:
                started = time.perf_counter()
                for _ in range(1000):
                    bare.get("/")
                bare_rps = 1000 / (time.perf_counter() - started)
            with httpx.Client(base_url=app_url, headers=headers, timeout=60) as client:
                for _ in range(10):  # warm-up
                    client.post("/telegram/webhook", json=leads_update())
                wait_for_answers(stub, 10)
                stub.reset()
                times = []
                for n in range(1, SEQUENTIAL + 1):
                    began = time.perf_counter()
                    answer = client.post("/telegram/webhook", json=leads_update())
                    if answer.status_code != 200:
                        raise SystemExit(f"webhook answered {answer.status_code}")
                    wait_for_answers(stub, n)
                    times.append(time.perf_counter() - began)
            stub.reset()
            per_thread = BURST // THREADS

            def send_many() -> None:
                with httpx.Client(base_url=app_url, headers=headers, timeout=60) as own:
                    for _ in range(per_thread):
                        own.post("/telegram/webhook", json=leads_update())

            began = time.perf_counter()
            threads = [threading.Thread(target=send_many) for _ in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wait_for_answers(stub, per_thread * THREADS)
            burst_seconds = time.perf_counter() - began
        finally:
            for server, thread in servers:
                server.should_exit = True
                thread.join(timeout=15)
            stub_server.shutdown()
            get_engine(url).dispose()
    one_by_one = len(times) / sum(times)
    print(f"\nbare starlette: {bare_rps:.0f} req/s")
    print(
        f"/leads one at a time: {len(times)} updates, p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 95) * 1000:.1f} ms, {one_by_one:.0f} updates/s (ratio {one_by_one / bare_rps:.3f})"
    )
    burst_rate = per_thread * THREADS / burst_seconds
    print(
        f"/leads burst from {THREADS} threads: {per_thread * THREADS} updates answered in {burst_seconds:.2f} s, "
        f"{burst_rate:.0f} updates/s (ratio {burst_rate / bare_rps:.3f})"
    )


if __name__ == "__main__":
    main()
