"""The JSON twin of the lead pages: the list, export, a lead with its story, entering and working leads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.paging import Page
from app.core.types import Id
from app.domain.bookings.crud import bookings
from app.domain.contracts.crud import contracts
from app.domain.distribution.crud import distribution
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.models import Lead
from app.domain.leads.schemas import CommentCreate, LeadCreate, LeadEdit, LeadFilter, LeadRead, StatusChange
from app.features.leads.exports import leads_export
from app.features.leads.schemas import CommentRead, LeadDetail
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
WRITE = [Depends(require(P.LEADS_WRITE))]


def lead_detail(db: DbSession, lead: Lead) -> LeadDetail:
    """A lead with its whole story."""
    story = pipeline.timeline(db, lead)
    return LeadDetail(
        **LeadRead.model_validate(lead).model_dump(),
        comments=story["comments"],
        history=story["changes"],
        touches=story["touches"],
        bookings=bookings.for_lead(db, lead.id),
        contracts=contracts.for_lead(db, lead.id),
        assignments=distribution.history(db, lead.id),
    )


@router.get("/leads", response_model=Page[LeadRead])
def list_leads(db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()]) -> Page:
    """Leads the caller may see, one page; `q` searches name or phone."""
    return leads.page(db, user, f)


@router.get("/leads/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_leads(
    db: DbSession, user: CurrentUser, f: Annotated[LeadFilter, Query()], format: ExportFormat = "csv"
) -> Response:
    """The filtered leads as CSV or XLSX."""
    return leads_export(db, user, f, format)


@router.post(
    "/leads",
    response_model=LeadRead,
    status_code=201,
    dependencies=WRITE,
    responses={
        200: {"description": "the caller's existing lead with this phone"},
        409: {"description": "the phone belongs to someone else's lead"},
    },
)
def create_lead(db: DbSession, user: CurrentUser, body: LeadCreate) -> Lead | JSONResponse:
    """Enter a lead by hand: 201 new, 200 the caller's existing lead, 409 naming the owner."""
    lead, created = pipeline.create(db, user, body)
    if created:
        return lead
    return JSONResponse(LeadRead.model_validate(lead).model_dump(mode="json"), status_code=200)


@router.get("/leads/{lead_id:int}", response_model=LeadDetail)
def get_lead(db: DbSession, user: CurrentUser, lead_id: Id) -> LeadDetail:
    """One lead with comments, history, requests, bookings and contracts."""
    return lead_detail(db, pipeline.get(db, user, lead_id))


@router.post("/leads/{lead_id:int}/status", response_model=LeadRead, dependencies=WRITE)
def change_status(db: DbSession, user: CurrentUser, lead_id: Id, body: StatusChange) -> Lead:
    """Move a lead along the pipeline (422 for a transition that is not allowed)."""
    return pipeline.change_status(db, user, lead_id, body)


@router.post("/leads/{lead_id:int}/comments", response_model=CommentRead, status_code=201, dependencies=WRITE)
def add_comment(db: DbSession, user: CurrentUser, lead_id: Id, body: CommentCreate) -> object:
    """Add a note to a lead."""
    return pipeline.comment(db, user, lead_id, body)


@router.post("/leads/{lead_id:int}/edit", response_model=LeadRead, dependencies=WRITE)
def edit_lead(db: DbSession, user: CurrentUser, lead_id: Id, body: LeadEdit) -> Lead:
    """Set temperature and next callback."""
    return pipeline.edit(db, user, lead_id, body)
