"""Router factories shared by every role: the guard, and the home page with its twin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from app.auth.deps import CurrentUser, DbSession, role_guard
from app.auth.permissions import P, Role, has_permission
from app.domain.staff.crud import staff
from app.domain.staff.schemas import HomeSummary
from app.roles import contracts_html, lead_lists, pipeline, pipeline_html, staff_grid
from app.web.templating import render


def html_router(role: Role) -> APIRouter:
    """The HTML router of `role` under /dashboard/<role>, guarded, with its home page."""
    router = APIRouter(
        prefix=f"/dashboard/{role.value}", dependencies=[Depends(role_guard(role))], include_in_schema=False
    )

    @router.get("/")
    def home_page(request: Request, db: DbSession, user: CurrentUser):
        """The role's home: counters, team and the user's recent actions."""
        summary = staff.home(db, user, role)
        return render(request, "features/home/home.html", {"summary": summary, "role": role})

    if has_permission(role, P.INVENTORY_READ):
        router.include_router(staff_grid.html_routes(f"/dashboard/{role.value}"))
    if has_permission(role, P.LEADS_READ):
        router.include_router(lead_lists.html_routes(f"/dashboard/{role.value}"))
    router.include_router(pipeline_html.html_routes(role))
    router.include_router(contracts_html.html_routes(role))
    return router


def api_router(role: Role) -> APIRouter:
    """The JSON twin of `role` under /api/<role>, guarded, with its home data."""
    router = APIRouter(prefix=f"/api/{role.value}", dependencies=[Depends(role_guard(role))], tags=[role.value])

    @router.get("/", response_model=HomeSummary)
    def home(db: DbSession, user: CurrentUser):
        """The role's home data: counters, team and the user's recent actions."""
        return staff.home(db, user, role)

    if has_permission(role, P.INVENTORY_READ):
        router.include_router(staff_grid.api_routes())
    if has_permission(role, P.LEADS_READ):
        router.include_router(lead_lists.api_routes())
    router.include_router(pipeline.api_routes(role))
    return router
