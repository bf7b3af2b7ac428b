"""FastAPI dependencies: the database session, the current user, role and permission guards."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.auth import csrf
from app.auth.models import User
from app.auth.permissions import Role, can, dashboard_permission
from app.auth.proxies import client_ip
from app.auth.sessions import session_user
from app.auth.tokens import TokenClaims, read_token
from app.core.errors import CSRFError, Forbidden, NotAuthenticated
from app.db import DB_REQUEST_SLOTS
from app.web.i18n import current_language
from settings import Settings

SESSION_COOKIE = "crm_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COMMIT_THREADS = 16


@dataclass(frozen=True)
class Viewer:
    """A plain snapshot of the logged-in user for templates (safe after a rollback)."""

    id: int
    username: str
    display_name: str
    role: Role
    language: str
    is_active: bool = True
    full_name: str = ""

    @classmethod
    def of(cls, user: User) -> Viewer:
        """Copy what the layout shows from `user`."""
        return cls(user.id, user.username, user.display_name, user.role, user.language, user.is_active, user.full_name)


def client_address(request: Request) -> str:
    """The caller's IP address, what throttling counts by: the one place that decides it.

    The TCP peer, unless the peer is one of TRUSTED_PROXIES: then the right-most address in
    X-Forwarded-For that is not a trusted proxy (what the client itself wrote is ignored).
    """
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.settings.trusted_networks
    return client_ip(peer, request.headers.getlist("x-forwarded-for"), trusted) if trusted else peer


def get_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
    return request.app.state.settings


@dataclass
class _LoopResources:
    """Per event loop: request slots for the database, a commit thread limiter, SQLite's write gate."""

    db_slots: anyio.CapacityLimiter
    commit_limiter: anyio.CapacityLimiter
    sqlite_write_gate: anyio.Lock


_loop_resources: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _resources() -> _LoopResources:
    loop = asyncio.get_running_loop()
    if loop not in _loop_resources:
        _loop_resources[loop] = _LoopResources(
            anyio.CapacityLimiter(DB_REQUEST_SLOTS), anyio.CapacityLimiter(COMMIT_THREADS), anyio.Lock()
        )
    return _loop_resources[loop]


def _finish(session: Session, writes: bool) -> None:
    """Commit a write session, then close; a read session just closes (one thread hop)."""
    try:
        if writes:
            session.commit()
    finally:
        session.close()


@asynccontextmanager
async def _db_slot(gate: anyio.Lock | None) -> AsyncIterator[None]:
    """Hold one of DB_REQUEST_SLOTS; a writer on SQLite passes the write gate first, so the
    writers queued behind it hold no slot and readers never wait on the gate."""
    resources = _resources()
    async with AsyncExitStack() as stack:
        if gate is not None:
            await stack.enter_async_context(gate)
        await stack.enter_async_context(resources.db_slots)
        yield


LOCK_FREE = "crm_lock_free"


def lock_free(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an unsafe route that must not queue for SQLite's write lock up front: it reads first and
    writes at most a row (stopping an import while the import's transaction holds the lock)."""
    setattr(endpoint, LOCK_FREE, True)
    return endpoint


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session per request; the request boundary commits, an error rolls back.

    Sync endpoints, dependencies and even response validation share one thread pool. If every
    thread were blocked on a lock (a row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) or on
    the connection pool, the transaction holding the lock could never finish. So: at most
    DB_REQUEST_SLOTS requests hold a session at once (others wait without a thread), the pool
    holds a connection for each slot, commits run on a thread limiter of their own, and on
    SQLite writes in one process pass a gate one at a time (before taking a slot). The
    connection is checked out in the endpoint's thread, never on the event loop. The booking
    race and the pool tests drive exactly this.
    """
    state = request.app.state
    writes = request.method not in SAFE_METHODS
    locks_up_front = writes and not getattr(request.scope.get("endpoint"), LOCK_FREE, False)
    factory = state.write_sessions if locks_up_front else state.read_sessions
    resources = _resources()
    gate = resources.sqlite_write_gate if locks_up_front and state.settings.is_sqlite else None
    limiter = resources.commit_limiter
    async with _db_slot(gate):
        session = factory()
        try:
            yield session
            await anyio.to_thread.run_sync(_finish, session, writes, limiter=limiter)
        except BaseException:
            await anyio.to_thread.run_sync(session.close, limiter=limiter)  # closing rolls back
            raise


DbSession = Annotated[Session, Depends(get_db, scope="function")]


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session for hot async pages: it takes a slot like `get_db` and checks its
    connection out in a worker thread (waiting there, never on the event loop, for at most
    DB_POOL_TIMEOUT), so the page's tiny queries then run in the event loop on a connection
    already in hand; it is closed in a thread too."""
    limiter = _resources().commit_limiter
    async with _db_slot(None):
        session = request.app.state.read_sessions()
        try:
            await anyio.to_thread.run_sync(session.connection)
            yield session
        finally:
            await anyio.to_thread.run_sync(session.close, limiter=limiter)


ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]


def _credentials(request: Request) -> tuple[str | None, str | None]:
    """(token, how it came: "bearer" or "cookie") from the request."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "bearer"
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, "cookie") if cookie else (None, None)


def optional_user(request: Request, db: DbSession) -> User | None:
    """The authenticated, active user whose token version is current, else None."""
    if hasattr(request.state, "user"):
        return request.state.user
    token, via = _credentials(request)
    request.state.auth_via = via
    claims = read_token(get_settings(request).secret_key, token) if token else None
    user = session_user(db, claims) if claims else None
    request.state.user = user
    request.state.viewer = Viewer.of(user) if user else None
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def require_user(user: OptionalUser) -> User:
    """The current user; anonymous requests get 401 (JSON) or a redirect to /login (HTML).

    From here on the request speaks the user's profile language, whatever the language cookie
    says. Async on purpose: set in the request's own context (not a worker thread's copy), the
    language reaches the handler, its messages and the error handlers alike.
    """
    if user is None:
        raise NotAuthenticated("Please log in.")
    current_language.set(user.language)
    return user


CurrentUser = Annotated[User, Depends(require_user)]


def require(permission: str) -> Callable[[User], User]:
    """A dependency that lets through only users whose role holds `permission`."""

    def checker(user: CurrentUser) -> User:
        if not can(user, permission):
            raise Forbidden("You do not have access to this page.")
        return user

    checker.__name__ = f"require_{permission.replace(':', '_')}"
    checker.permission = permission  # read by the mount table's checks and the permission matrix
    return checker


def role_guard(role: Role) -> Callable[[User], User]:
    """The guard mounted on a role's routers: that role, or admin."""
    return require(dashboard_permission(role))


def token_claims(request: Request) -> TokenClaims | None:
    """The claims of the request's valid cookie/bearer JWT (no database lookup)."""
    token, _ = _credentials(request)
    return read_token(get_settings(request).secret_key, token) if token else None


def session_user_id(request: Request) -> int | None:
    """The user id a valid cookie/bearer JWT names (no database lookup); CSRF tokens bind to it."""
    claims = token_claims(request)
    return claims.user_id if claims else None


async def csrf_protect(request: Request) -> None:
    """Reject unsafe cookie-authenticated or HTML requests without a valid CSRF token.

    Needs no database: the token is bound to the user id the session JWT names; whether that
    user is still active is checked by the route's own authentication.
    """
    if request.method in SAFE_METHODS:
        return
    if _credentials(request)[1] == "bearer":
        return
    if request.url.path == "/telegram/webhook":
        return  # Telegram proves itself with the webhook's secret header, checked by the route
    user_id = session_user_id(request)
    if request.url.path.startswith("/api/") and user_id is None:
        return  # anonymous JSON carries no ambient session; protected routes answer 401
    token = request.headers.get(csrf.HEADER)
    if not token and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        token = form.get(csrf.FORM_FIELD)
    nonce = request.cookies.get(csrf.NONCE_COOKIE)
    if not csrf.csrf_token_valid(get_settings(request).secret_key, token, nonce, user_id):
        raise CSRFError("The form has expired or was not sent from this site. Reload the page and try again.")
