"""HTML pages of the lead pipeline (kanban, lead page, callbacks, new lead, bookings)."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.permissions import Role


def html_routes(role: Role) -> APIRouter:
    """The pipeline pages a role may use (being built)."""
    return APIRouter()
