"""`python main.py` serving for real: migrates SQLite first, says it serves only once a worker
answers, keep-alive requests to a multi-worker server are not held back by delayed ACKs
(TCP_NODELAY on accepted sockets), and the server does not let a client choose its address."""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from main import server_socket

pytestmark = pytest.mark.served

ROOT = Path(__file__).resolve().parent.parent
DELAYED_ACK_MS = 40  # what a request waits on Linux when Nagle meets a delayed ACK
START_SECONDS = 60  # generous: workers import the whole app, on a machine that may be busy
ANSWER_SECONDS = 2  # a started server answers /health at once; a worker still importing takes longer
SERVING_LINE = "Serving on http://"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float) -> int:
    """The status of GET `path` on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Served:
    """A running `python main.py`: its port, data folder and every line it prints."""

    def __init__(self, process: subprocess.Popen, port: int, data_dir: Path) -> None:
        self.process, self.port, self.data_dir = process, port, data_dir
        self.output: list[str] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, text: str) -> str:
        """The first printed line containing `text`; fails if the process ends or is silent too long."""
        deadline = time.monotonic() + START_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"server exited: {''.join(self.output)}")
            if text in line:
                return line
        pytest.fail(f"no {text!r} within {START_SECONDS} s: {''.join(self.output)}")

    def wait_until_healthy(self) -> None:
        """Poll /health until it answers 200."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited: {''.join(self.output)}")
            try:
                if get(self.port, "/health", timeout=5) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"/health did not answer within {START_SECONDS} s: {''.join(self.output)}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_server(tmp_path) -> Iterator[Callable[[int], Served]]:
    """Start `python main.py` with N workers on a free port and a fresh SQLite database."""
    started: list[Served] = []

    def start(workers: int, **extra_env: str) -> Served:
        port = free_port()
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": "",
            "WORKERS": str(workers),
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        process = subprocess.Popen(
            [sys.executable, "main.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(Served(process, port, tmp_path))
        return started[-1]

    try:
        yield start
    finally:
        for served in started:
            served.stop()


def test_server_socket_names_tcp_and_refuses_until_a_server_listens():
    sock = server_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        with pytest.raises(ConnectionRefusedError):  # at once, not after the workers have imported the app
            socket.create_connection(sock.getsockname(), timeout=5).close()
    finally:
        sock.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_serving_line_is_printed_once_health_answers(start_server, workers):
    served = start_server(workers)
    line = served.wait_for_line(SERVING_LINE)
    assert f":{served.port} " in line
    assert get(served.port, "/health", timeout=ANSWER_SECONDS) == 200


def test_keep_alive_requests_to_two_workers_are_not_delayed(start_server):
    served = start_server(2)
    served.wait_until_healthy()
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    timings = []
    for _ in range(25):
        started = time.perf_counter()
        conn.request("GET", "/health/db")
        response = conn.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, body
    conn.close()
    later = timings[5:]  # every request after the first rides the same connection; skip the warm-up
    # each stalled request waits at least the delayed ACK; the median of 20 ignores a busy moment
    assert statistics.median(later) < DELAYED_ACK_MS * 3 / 4, timings
    assert (served.data_dir / "crm.db").exists()  # the embedded database was created and migrated


def test_a_client_rotating_x_forwarded_for_is_still_throttled(start_server):
    """Only TRUSTED_PROXIES may forward an address; the server itself believes no header."""
    served = start_server(1, TRUST_PROXY="true", TRUSTED_PROXIES="10.9.9.9", LOGIN_MAX_FAILURES_PER_IP="2")
    served.wait_until_healthy()
    statuses = []
    for n in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        body = json.dumps({"username": f"nobody{n}", "password": "wrong-guess"})
        headers = {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{n}"}
        conn.request("POST", "/api/auth/token", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        conn.close()
    assert statuses == [401, 401, 429]
