"""The leads list shared by the roles that see leads (row scope in LeadCRUD: sales see
their own, MOP/ROP/admin all), with search, filters, paging, export and a JSON twin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from app.auth.deps import CurrentUser, DbSession
from app.core.paging import Page, iterate_all
from app.domain.inventory.crud import complexes
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadFilter, LeadRead
from app.web.export import export_response
from app.web.templating import is_htmx, render

ExportFormat = Literal["csv", "xlsx"]
EXPORT_HEADERS = [
    "id",
    "name",
    "phone",
    "source",
    "status",
    "complex",
    "assigned",
    "touches",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "created_at",
]


def _export(db, user, f: LeadFilter, fmt: str):
    rows = (
        (
            lead.id,
            lead.name,
            lead.phone,
            lead.source.value,
            lead.status.value,
            lead.complex.name if lead.complex else "",
            lead.assigned.username if lead.assigned else "",
            lead.touches_count,
            lead.utm_source,
            lead.utm_medium,
            lead.utm_campaign,
            lead.created_at,
        )
        for lead in iterate_all(db, leads.query(user, f))
    )
    return export_response(fmt, "leads", EXPORT_HEADERS, rows)


def html_routes(role_prefix: str) -> APIRouter:
    """The leads page of one role's dashboard."""
    router = APIRouter()

    @router.get("/leads")
    def leads_page(request: Request, db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()]):
        """Leads the user may see: search by name or phone, filters, sorting, paging."""
        context = {"page": leads.page(db, user, f), "f": f, "base": role_prefix}
        if not is_htmx(request):
            context["complexes"] = complexes.all(db)
        return render(request, "features/leads/list.html", context, block="rows")

    @router.get("/leads/export")
    def leads_export(db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], format: ExportFormat = "csv"):
        """The filtered leads as CSV or XLSX."""
        return _export(db, user, f, format)

    return router


def api_routes() -> APIRouter:
    """The JSON twin of the leads page."""
    router = APIRouter()

    @router.get("/leads", response_model=Page[LeadRead])
    def list_leads(db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()]):
        """Leads the caller may see, one page; `q` searches name or phone."""
        return leads.page(db, user, f)

    @router.get("/leads/export")
    def export_leads(db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], format: ExportFormat = "csv"):
        """The filtered leads as CSV or XLSX."""
        return _export(db, user, f, format)

    return router
