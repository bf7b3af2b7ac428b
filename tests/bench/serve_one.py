"""Serve one app in this process with uvicorn, as `python main.py` serves one worker (for wrk runs).

    python -m tests.bench.serve_one bare PORT [BODY_FILE]   # a one-route Starlette app: "/" -> "ok",
                                                          # "/sized" -> the bytes of BODY_FILE
    python -m tests.bench.serve_one app PORT                # the CRM (DATABASE_URL, DATA_DIR, ... from the environment)

Both are served alike: one process, a socket made by main.server_socket, uvicorn's defaults,
no access log. Used by bench_public --wrk; not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from main import server_socket

HOST = "127.0.0.1"


def bare_app(body_file: str | None) -> Starlette:
    """The bare endpoint, and one answering as many bytes as a given page."""
    body = Path(body_file).read_bytes() if body_file else b""

    async def ok(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def sized(request: Request) -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    return Starlette(routes=[Route("/", ok), Route("/sized", sized)])


def main() -> None:
    """Serve the app named on the command line until interrupted."""
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "bare":
        app = bare_app(sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        import app.asgi  # what `python main.py` workers import

        app = app.asgi.app
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[server_socket(HOST, port)])


if __name__ == "__main__":
    main()
