"""A local stand-in of the Google Sheets API v4 and Google's OAuth token endpoint: serves the
spreadsheets it is given, records the requests, and fails on demand (e.g. 429 once, 403)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class SheetsStub:
    """The stand-in's state: spreadsheets {id: {tab: rows}}, recorded requests, queued failures."""

    url: str = ""
    sheets: dict[str, dict[str, list[list[object]]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, list[str]], str]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Forget spreadsheets, requests and failures."""
        with self.lock:
            self.sheets.clear()
            self.requests.clear()
            self.failures.clear()
            self.forbidden.clear()

    def fail_next(self, status: int) -> None:
        """The next Sheets request (not the token one) answers this status."""
        with self.lock:
            self.failures.append(status)

    def calls(self, kind: str) -> list[tuple[str, str, dict[str, list[str]], str]]:
        """The recorded requests of a kind: "token", "meta" or "values"."""
        return [r for r in self.requests if r[0] == kind]


def _error(status: int) -> dict:
    names = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 400: "INVALID_ARGUMENT"}
    return {"error": {"code": status, "message": f"stub error {status}", "status": names.get(status, "UNKNOWN")}}


def _handler(stub: SheetsStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            with stub.lock:
                stub.requests.append(("token", self.path, {}, ""))
            self._send(200, {"access_token": "stub-token", "expires_in": 3600, "token_type": "Bearer"})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            pieces = [unquote(p) for p in parts.path.split("/") if p]
            kind = "values" if len(pieces) >= 5 and pieces[3] == "values" else "meta"
            with stub.lock:
                stub.requests.append((kind, parts.path, query, self.headers.get("Authorization", "")))
                failure = stub.failures.pop(0) if stub.failures else None
                book = stub.sheets.get(pieces[2]) if len(pieces) >= 3 else None
                denied = len(pieces) >= 3 and pieces[2] in stub.forbidden
            if failure is not None:
                return self._send(failure, _error(failure))
            if pieces[:2] != ["v4", "spreadsheets"] or len(pieces) < 3:
                return self._send(404, _error(404))
            if denied:
                return self._send(403, _error(403))
            if book is None:
                return self._send(404, _error(404))
            if kind == "meta":
                tabs = [{"properties": {"sheetId": i, "title": t}} for i, t in enumerate(book)]
                return self._send(200, {"spreadsheetId": pieces[2], "properties": {"title": "Stub"}, "sheets": tabs})
            tab = pieces[4].strip("'").replace("''", "'")
            if tab not in book:
                return self._send(400, _error(400))
            return self._send(200, {"range": pieces[4], "majorDimension": "ROWS", "values": book[tab]})

    return Handler


def start_stub() -> tuple[SheetsStub, ThreadingHTTPServer]:
    """Serve a stand-in on a free local port, in a thread."""
    stub = SheetsStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub, server


def service_account_file(folder: Path, token_uri: str) -> Path:
    """A service account key file (a fresh RSA key) whose token_uri is the stand-in's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "crm-test",
        "private_key_id": "stub",
        "private_key": pem,
        "client_email": "importer@crm-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    target = folder / "service-account.json"
    target.write_text(json.dumps(info))
    return target
