"""The sales pipeline's routes, shared by the roles whose permissions include them:
lead work (sales, MOP, admin), assignment and extension decisions (MOP, admin), bookings
(sales, admin), contracts (sales, ROP, admin; cancelling: admin). Each HTML page has its
JSON twin over the same CRUD call; row scope lives in the CRUD classes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.auth.deps import CurrentUser, DbSession, get_settings
from app.auth.permissions import P, Role, has_permission
from app.core.paging import Page
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import (
    BookingCancel,
    BookingCreate,
    BookingFilter,
    BookingRead,
    ExtensionDecision,
    ExtensionRequest,
)
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCancel, ContractCreate, ContractFilter, ContractRead
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead
from app.domain.leads.schemas import (
    Assignment,
    CallbackWhen,
    CommentCreate,
    LeadCreate,
    LeadEdit,
    LeadFilter,
    LeadRead,
    MergeLeads,
    StatusChange,
)
from app.domain.pipeline.merge import merge_leads
from app.roles.pipeline_exports import contracts_export
from app.roles.pipeline_schemas import CommentRead, KanbanColumn, LeadDetail


def lead_detail(db, lead: Lead) -> LeadDetail:
    """A lead with its whole story for the lead page and its twin."""
    story = pipeline.timeline(db, lead)
    return LeadDetail(
        **LeadRead.model_validate(lead).model_dump(),
        comments=story["comments"],
        history=story["changes"],
        touches=story["touches"],
        bookings=bookings.for_lead(db, lead.id),
        contracts=contracts.for_lead(db, lead.id),
    )


def kanban_columns(db, user, f: LeadFilter, request: Request) -> list[KanbanColumn]:
    """The board's columns, each paged by its own `page_<status>` query parameter."""
    pages = {
        key[5:]: int(value)
        for key, value in request.query_params.items()
        if key.startswith("page_") and value.isdigit() and int(value) > 0
    }
    columns = pipeline.kanban(db, user, f, pages=pages)
    return [
        KanbanColumn(status=status, total=page.total, page=page.page, page_size=page.page_size, items=page.items)
        for status, page in columns.items()
    ]


def api_routes(role: Role) -> APIRouter:
    """The JSON twin of the pipeline pages a role may use."""
    router = APIRouter()
    if has_permission(role, P.LEADS_WRITE):
        _lead_work_api(router)
    if has_permission(role, P.LEADS_ASSIGN):
        _assign_api(router)
    if has_permission(role, P.BOOKINGS_READ):
        _bookings_api(router, role)
    if has_permission(role, P.EXTENSIONS_DECIDE):
        _extensions_api(router)
    if has_permission(role, P.CONTRACTS_READ):
        _contracts_api(router, role)
    return router


def _lead_work_api(router: APIRouter) -> None:
    @router.post(
        "/leads",
        response_model=LeadRead,
        status_code=201,
        responses={
            200: {"description": "the caller's existing lead with this phone"},
            409: {"description": "the phone belongs to someone else's lead"},
        },
    )
    def create_lead(db: DbSession, user: CurrentUser, body: LeadCreate):
        """Enter a lead by hand: 201 new, 200 the caller's existing lead, 409 naming the owner."""
        lead, created = pipeline.create(db, user, body)
        if created:
            return lead
        return JSONResponse(LeadRead.model_validate(lead).model_dump(mode="json"), status_code=200)

    @router.get("/kanban", response_model=list[KanbanColumn])
    def kanban(request: Request, db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()]):
        """The board: one column per status, each paged (`page_new=2`, ...)."""
        return kanban_columns(db, user, f, request)

    @router.get("/callbacks", response_model=list[LeadRead])
    def callbacks(db: DbSession, user: CurrentUser, when: CallbackWhen = CallbackWhen.DUE):
        """Open leads whose callback falls in `when` (due: overdue and today; overdue, today, tomorrow, week, all)."""
        return pipeline.callbacks(db, user, when)

    @router.get("/leads/{lead_id:int}", response_model=LeadDetail)
    def get_lead(db: DbSession, user: CurrentUser, lead_id: int):
        """One lead with comments, history, requests, bookings and contracts."""
        return lead_detail(db, pipeline.get(db, user, lead_id))

    @router.post("/leads/{lead_id:int}/status", response_model=LeadRead)
    def change_status(db: DbSession, user: CurrentUser, lead_id: int, body: StatusChange):
        """Move a lead along the pipeline (422 for a transition that is not allowed)."""
        return pipeline.change_status(db, user, lead_id, body)

    @router.post("/leads/{lead_id:int}/comments", response_model=CommentRead, status_code=201)
    def add_comment(db: DbSession, user: CurrentUser, lead_id: int, body: CommentCreate):
        """Add a note to a lead."""
        return pipeline.comment(db, user, lead_id, body)

    @router.post("/leads/{lead_id:int}/edit", response_model=LeadRead)
    def edit_lead(db: DbSession, user: CurrentUser, lead_id: int, body: LeadEdit):
        """Set temperature and next callback."""
        return pipeline.edit(db, user, lead_id, body)


def _assign_api(router: APIRouter) -> None:
    @router.post("/leads/assign")
    def assign(db: DbSession, user: CurrentUser, body: Assignment):
        """Give leads to a salesperson: {"changed": n}."""
        return {"changed": pipeline.assign(db, user, body)}

    @router.post("/leads/merge", response_model=LeadRead)
    def merge(db: DbSession, user: CurrentUser, body: MergeLeads):
        """Fold a duplicate lead into the one that stays; its comments, history and bookings move."""
        return merge_leads(db, user, body)


def _bookings_api(router: APIRouter, role: Role) -> None:
    @router.get("/bookings", response_model=Page[BookingRead])
    def list_bookings(db: DbSession, user: CurrentUser, f: Annotated[BookingFilter, Query()]):
        """Bookings the caller may see."""
        return bookings.page(db, user, f)

    if not has_permission(role, P.BOOKINGS_WRITE):
        return

    @router.post(
        "/bookings",
        response_model=BookingRead,
        status_code=201,
        responses={409: {"description": "the apartment is not free"}},
    )
    def create_booking(request: Request, db: DbSession, user: CurrentUser, body: BookingCreate):
        """Book a free apartment for one of the caller's leads (409 when it is taken)."""
        return bookings.create(db, user, body, get_settings(request).booking_hours)

    @router.post("/bookings/{booking_id:int}/cancel", response_model=BookingRead)
    def cancel_booking(db: DbSession, user: CurrentUser, booking_id: int, body: BookingCancel):
        """Cancel an active booking; the apartment is free again."""
        return bookings.cancel(db, user, booking_id, body.reason)

    @router.post("/bookings/{booking_id:int}/extension", response_model=BookingRead)
    def request_extension(db: DbSession, user: CurrentUser, booking_id: int, body: ExtensionRequest):
        """Ask the MOP for more hours."""
        return bookings.request_extension(db, user, booking_id, body)


def _extensions_api(router: APIRouter) -> None:
    @router.get("/extensions", response_model=list[BookingRead])
    def pending_extensions(db: DbSession, user: CurrentUser):
        """Extension requests waiting for a decision."""
        return bookings.pending_extensions(db, user)

    @router.post("/bookings/{booking_id:int}/extension/decision", response_model=BookingRead)
    def decide_extension(db: DbSession, user: CurrentUser, booking_id: int, body: ExtensionDecision):
        """Approve or reject an extension request."""
        return bookings.decide_extension(db, user, booking_id, body.approve)


def _contracts_api(router: APIRouter, role: Role) -> None:
    @router.get("/contracts", response_model=Page[ContractRead])
    def list_contracts(db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()]):
        """Contracts the caller may see."""
        return contracts.page(db, user, f)

    @router.get("/contracts/export")
    def export_contracts(
        db: DbSession, user: CurrentUser, f: Annotated[ContractFilter, Query()], format: Literal["csv", "xlsx"] = "csv"
    ):
        """The filtered contracts as CSV or XLSX."""
        return contracts_export(db, user, f, format)

    @router.get("/contracts/{contract_id:int}", response_model=ContractRead)
    def get_contract(db: DbSession, user: CurrentUser, contract_id: int):
        """One contract with its payment schedule."""
        return contracts.get(db, user, contract_id)

    if has_permission(role, P.CONTRACTS_WRITE):

        @router.post("/contracts", response_model=ContractRead, status_code=201)
        def create_contract(request: Request, db: DbSession, user: CurrentUser, body: ContractCreate):
            """Make the contract of an active booking; the schedule is generated."""
            return contracts.create(db, user, body, get_settings(request).sales_discount_limit_percent)

    if has_permission(role, P.CONTRACTS_CANCEL):

        @router.post("/contracts/{contract_id:int}/cancel", response_model=ContractRead)
        def cancel_contract(db: DbSession, user: CurrentUser, contract_id: int, body: ContractCancel):
            """Cancel a contract (admin); the apartment is free again."""
            return contracts.cancel(db, user, contract_id, body.reason)
