"""`python main.py` serving for real: migrates SQLite first, and keep-alive requests to a
multi-worker server are not held back by delayed ACKs (TCP_NODELAY on accepted sockets)."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from main import listening_socket

ROOT = Path(__file__).resolve().parent.parent
DELAYED_ACK_MS = 40  # what a request waits on Linux when Nagle meets a delayed ACK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`python main.py` with two workers on a free port and a fresh SQLite database."""
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "WORKERS": "2",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "",
    }
    process = subprocess.Popen(
        [sys.executable, "main.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"server exited: {process.stdout.read()}")
            time.sleep(0.1)
    try:
        yield port, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_listening_socket_names_tcp():
    sock = listening_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_keep_alive_requests_to_two_workers_are_not_delayed(served):
    port, data_dir = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    timings = []
    for _ in range(12):
        started = time.perf_counter()
        conn.request("GET", "/health/db")
        response = conn.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, body
    conn.close()
    later = timings[2:]  # every request after the first rides the same connection
    assert statistics.median(later) < DELAYED_ACK_MS / 2, timings
    assert (data_dir / "crm.db").exists()  # the embedded database was created and migrated
