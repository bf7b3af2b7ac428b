"""Command line entry: `python main.py` serves; demo, createuser, migrate, backup, restore, telegram-webhook."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing settings reads the environment: main() does that, inside its error handling
    from sqlalchemy.orm import Session

    from settings import Settings


def server_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket created with IPPROTO_TCP, left for the server to start listening on.

    uvicorn binds multi-worker sockets with protocol 0, so asyncio never sets TCP_NODELAY on
    accepted connections and each keep-alive request after the first waits ~43 ms on the
    client's delayed ACK (uvicorn issue 3149). Naming the protocol fixes that.

    The socket does not listen yet: uvicorn's server calls listen() on it once its app has
    started, so until a worker can answer, a connection is refused at once instead of waiting
    in the backlog while the workers still import the app.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def announce_when_listening(sock: socket.socket, message: str) -> threading.Thread:
    """Print `message` from a background thread once a server listens on `sock` (so it answers)."""

    def wait() -> None:
        try:
            while not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                time.sleep(0.05)
        except OSError:  # the socket was closed: the server stopped before it served
            return
        print(message, flush=True)

    thread = threading.Thread(target=wait, name="announce-serving", daemon=True)
    thread.start()
    return thread


def prepare_database(settings: Settings) -> None:
    """Migrate the embedded SQLite database; refuse a PostgreSQL schema behind the code, and any ahead of it."""
    from app.migrations import ensure_up_to_date, upgrade

    if settings.is_sqlite:
        upgrade(settings.database_url)
    else:
        ensure_up_to_date(settings.database_url)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the app on HOST:PORT with WORKERS processes."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    try:
        prepare_database(settings)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    os.environ["CRM_SCHEMA_CHECKED"] = "1"  # the workers need not check again (app.asgi.SCHEMA_CHECKED_ENV)
    host, port = args.host or settings.host, args.port or settings.port
    workers = args.workers or settings.workers
    config = uvicorn.Config(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,  # the app reads forwarded headers itself, from TRUSTED_PROXIES only
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    sock = server_socket(host, port)
    announce_when_listening(sock, f"Serving on http://{host}:{port} with {workers} worker(s)")
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Upgrade the database schema to the newest revision."""
    from app.migrations import SchemaAheadError, upgrade

    try:
        upgrade(settings.database_url)
    except SchemaAheadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("Database is up to date.")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, then load demo data (safe to run twice)."""
    from app.db import write_session
    from app.demo import load_demo
    from app.migrations import SchemaAheadError, upgrade

    try:
        upgrade(settings.database_url)
    except SchemaAheadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with write_session(settings.database_url) as db:
        created = load_demo(db, settings.demo_password)
        link = demo_service_link(db, settings)
    print(f"Demo data loaded; new users: {', '.join(created) or 'none (already there)'}.")
    if link:
        print(f"A buyer's service link (no login): {link}")
    return 0


def demo_service_link(db: Session, settings: Settings) -> str | None:
    """The address of the first active buyer link of the demo, or None."""
    from sqlalchemy import select

    from app.domain.dispatch.models import ServiceLink
    from app.domain.dispatch.service_links import service_links

    link = db.scalar(select(ServiceLink).where(ServiceLink.revoked_at.is_(None)).order_by(ServiceLink.id))
    if link is None:
        return None
    base = settings.public_base_url or f"http://{settings.host}:{settings.port}"
    return f"{base}/service/{service_links.token(settings.secret_key, link)}"


def cmd_createuser(settings: Settings, args: argparse.Namespace) -> int:
    """Create a staff user (asks for the password when not given)."""
    from pydantic import ValidationError

    from app.auth.crud import users
    from app.auth.schemas import UserCreate
    from app.core.errors import AppError
    from app.db import write_session

    password = args.password or getpass.getpass("Password: ")
    try:
        data = UserCreate(
            username=args.username, full_name=args.full_name, role=args.role, phone=args.phone, password=password
        )
        with write_session(settings.database_url) as db:
            user = users.create(db, None, data)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"error: {error['loc'][0]}: {error['msg']}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"Created {user.username} ({user.role.value}).")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Back up the database into BACKUP_DIR, keeping the newest BACKUP_KEEP files."""
    from tasks.backup import run_backup

    path = run_backup(settings)
    print(f"Backup written: {path}")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    """Copy a SQLite backup back over the database (everything stopped), keeping the current one."""
    from tasks.backup import RestoreError, restore_sqlite

    if not settings.is_sqlite:
        print(
            "error: restore copies back SQLite backups; restore a PostgreSQL dump with pg_restore "
            '(README, "Restoring a backup").',
            file=sys.stderr,
        )
        return 2
    try:
        safety = restore_sqlite(settings, args.file)
    except RestoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Restored {args.file}.")
    if safety:
        print(f"The database as it was before is kept in {safety}.")
    print("Start the app again: it migrates the restored database if the backup is older than the code.")
    return 0


def cmd_routes(settings: Settings, args: argparse.Namespace) -> int:
    """Print every dashboard route with the feature handler that answers it (METHOD PATH -> module:function)."""
    from app.roles import route_table

    for method, path, handler in route_table(args.role):
        print(f"{method:6} {path:70} {handler}")
    return 0


def cmd_telegram_webhook(settings: Settings, args: argparse.Namespace) -> int:
    """Set, delete or describe the Telegram webhook (PUBLIC_BASE_URL + /telegram/webhook)."""
    from bot.cli import telegram_webhook

    code, message = telegram_webhook(settings, args.action)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(prog="main.py", description="Residential CRM")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve the web app (the default)")
    sub.add_parser("migrate", help="upgrade the database schema")
    sub.add_parser("demo", help="load demo users and data (safe to rerun)")
    sub.add_parser("backup", help="back up the database now")
    restore = sub.add_parser("restore", help="copy a SQLite backup back (stop the app first)")
    restore.add_argument("file", type=Path, help="a backup made by `python main.py backup`")
    routes = sub.add_parser("routes", help="list the dashboard routes and the handler of each")
    routes.add_argument("--role", choices=["admin", "sales", "mop", "rop", "finance", "dispatcher"])
    webhook = sub.add_parser("telegram-webhook", help="set, delete or show the Telegram webhook")
    webhook.add_argument("action", choices=["set", "delete", "info"])
    create = sub.add_parser("createuser", help="create a staff user")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["admin", "sales", "mop", "rop", "finance", "dispatcher"])
    create.add_argument("--full-name", default="")
    create.add_argument("--phone", default="")
    create.add_argument("--password", help="omit to be asked")
    return parser


COMMANDS = {
    "serve": cmd_serve,
    None: cmd_serve,
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "createuser": cmd_createuser,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "routes": cmd_routes,
    "telegram-webhook": cmd_telegram_webhook,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command named on the command line."""
    args = build_parser().parse_args(argv)
    try:
        from settings import settings
    except RuntimeError as exc:  # settings.ConfigError: unsafe production settings
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    sys.exit(main())
