"""Liveness and database health endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> Response:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/db")
def health_db(request: Request) -> Response:
    """The database answers a query: 200, or 503 with the reason."""
    try:
        with request.app.state.read_sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0][:200]
        return JSONResponse({"status": "error", "reason": reason}, status_code=503)
    return {"status": "ok", "database": "ok"}
