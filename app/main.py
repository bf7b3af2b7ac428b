"""The FastAPI application: routers, middleware, error handlers, static files."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app import health, roles
from app.auth import routes as auth_routes
from app.auth.deps import csrf_protect
from app.core import cache, clock
from app.db import session_factory, write_session_factory
from app.public import api as public_api
from app.public import html as public_html
from app.public import service as public_service
from app.public.fastpath import PublicPageFastPath
from app.web.guards import CatchAllMiddleware, InputGuardMiddleware
from app.web.handlers import install_error_handlers
from app.web.middleware import RequestContextMiddleware
from app.web.openapi import ERROR_RESPONSES
from app.web.static import VersionedStaticFiles
from app.web.templating import TEMPLATES_DIR
from bot import webhook as telegram_webhook
from settings import Settings
from settings import settings as default_settings
from tasks import notify as _notify_jobs  # noqa: F401 - subscribes the notification jobs to domain events

STATIC_DIR = TEMPLATES_DIR.parent / "static"


def configure_logging(level: str) -> None:
    """Plain structured lines on stderr (the access log writes JSON messages)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def create_app(settings: Settings | None = None, *, check_schema: bool = True) -> FastAPI:
    """Build the application for `settings` (the environment's by default)."""
    settings = settings or default_settings
    clock.use_time_zone(settings.time_zone)
    cache.configure(settings.redis_url, settings.report_cache_seconds, settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if check_schema:
            from app.migrations import ensure_up_to_date

            ensure_up_to_date(settings.database_url)
        yield
        runtime = getattr(app.state, "telegram", None)  # the webhook's bot, built on first use
        if runtime is not None:
            await runtime.bot.session.close()

    app = FastAPI(
        title="Residential CRM",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(csrf_protect)],
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},  # no OpenTelemetry: skip its per-request check
    )
    app.state.settings = settings
    pool = (settings.db_pool_size, settings.db_pool_timeout)
    app.state.read_sessions = session_factory(settings.database_url, *pool)
    app.state.write_sessions = write_session_factory(settings.database_url, *pool)
    install_error_handlers(app)
    app.add_middleware(PublicPageFastPath)  # inside the next ones: the CSRF nonce and language are set
    app.add_middleware(CatchAllMiddleware)  # a 500 keeps the connection open
    app.add_middleware(InputGuardMiddleware, settings=settings)  # body limits, NUL in the address
    app.add_middleware(RequestContextMiddleware, settings=settings)
    app.mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=settings.media_dir), name="media")
    app.include_router(health.router)
    app.include_router(auth_routes.html_router)
    app.include_router(auth_routes.api_router, responses=ERROR_RESPONSES)
    app.include_router(public_api.router, responses=ERROR_RESPONSES)
    app.include_router(public_service.api_router, responses=ERROR_RESPONSES)
    app.include_router(public_service.router)
    app.include_router(public_html.router)
    app.include_router(telegram_webhook.router)
    roles.mount(app)
    return app
