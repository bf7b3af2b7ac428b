"""A local stand-in of the Telegram Bot API: records calls, answers like Telegram, fails on demand."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qsl

BOT_USER = {"id": 42, "is_bot": True, "first_name": "CRM", "username": "crm_test_bot"}


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)  # when the stand-in received it

    @property
    def text(self) -> str:
        """The message text sent or edited ('' for other calls)."""
        return self.params.get("text", "")

    @property
    def markup(self) -> dict:
        """The inline keyboard, parsed."""
        raw = self.params.get("reply_markup")
        return json.loads(raw) if raw else {}

    def buttons(self) -> list[dict]:
        """Every inline button, row by row."""
        return [button for row in self.markup.get("inline_keyboard", []) for button in row]


@dataclass
class BotApiStub:
    """The stand-in's state: recorded calls and queued failures per method."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: count = field(default_factory=lambda: count(100))

    def reset(self) -> None:
        """Forget calls and failures."""
        with self.lock:
            self.calls.clear()
            self.failures.clear()

    def fail(self, method: str, status: int, description: str, **parameters: object) -> None:
        """The next call of `method` answers this error (e.g. 429 with retry_after, 403 blocked)."""
        with self.lock:
            self.failures.setdefault(method, []).append((status, parameters))
            self.failures[method][-1][1]["description"] = description

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """The calls of `method` so far."""
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def breaches(self, per_second: int = 30, chat_interval: float = 1.0) -> tuple[int, int]:
        """Telegram's limits broken by the sendMessage calls so far: messages beyond `per_second`
        within any second overall, and messages to a chat less than `chat_interval` after the last."""
        calls = self.sent()
        times = sorted(c.at for c in calls)
        overall, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            if end - start + 1 > per_second:
                overall += 1
        last: dict[str, float] = {}
        per_chat = 0
        for call in sorted(calls, key=lambda c: c.at):
            chat = str(call.params.get("chat_id"))
            if chat in last and call.at - last[chat] < chat_interval:
                per_chat += 1
            last[chat] = call.at
        return overall, per_chat

    def answer(self, method: str, params: dict) -> tuple[int, dict]:
        """Record the call and answer it as Telegram would."""
        with self.lock:
            self.calls.append(Call(method, params))
            queued = self.failures.get(method)
            if queued:
                status, parameters = queued.pop(0)
                body = {"ok": False, "error_code": status, "description": parameters.pop("description")}
                if parameters:
                    body["parameters"] = parameters
                return status, body
        if method in {"sendMessage", "editMessageText"}:
            chat = {"id": int(params.get("chat_id", 0)), "type": "private", "first_name": "Test"}
            message = {"message_id": next(self.ids), "date": int(time.time()), "chat": chat, "from": BOT_USER}
            return 200, {"ok": True, "result": message | {"text": params.get("text", "")}}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}
        return 200, {"ok": True, "result": True}


def _params(content_type: str, body: bytes) -> dict:
    if content_type.startswith("multipart/"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = message.iter_parts()
        return {part.get_param("name", header="content-disposition"): part.get_content() for part in parts}
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    return dict(parse_qsl(body.decode()))


def start_stub() -> tuple[BotApiStub, ThreadingHTTPServer]:
    """Serve a stand-in on a free local port in a thread."""
    stub = BotApiStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = _params(self.headers.get("Content-Type", ""), self.rfile.read(length))
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            status, body = stub.answer(method, params)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub, server
