"""HTML pages of contracts and of the MOP's assignment and extension queue."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.permissions import Role


def html_routes(role: Role) -> APIRouter:
    """The contract and MOP pages a role may use (being built)."""
    return APIRouter()
