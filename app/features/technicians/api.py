"""The JSON twin of the technicians pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.types import Id
from app.domain.dispatch.crud import technicians
from app.domain.dispatch.models import Technician
from app.domain.dispatch.schemas import TechnicianRead, TechnicianWrite

router = APIRouter()
WRITE = [Depends(require(P.TECHNICIANS_WRITE))]


@router.get("/technicians", response_model=list[TechnicianRead])
def list_technicians(db: DbSession, user: CurrentUser) -> list[Technician]:
    """Every technician, the active ones first."""
    return technicians.all(db, user)


@router.post("/technicians", response_model=TechnicianRead, status_code=201, dependencies=WRITE)
def create_technician(db: DbSession, user: CurrentUser, body: TechnicianWrite) -> Technician:
    """Add a technician: skills, colour, working hours per weekday ("0" Monday .. "6" Sunday)."""
    return technicians.create(db, user, body)


@router.get("/technicians/{technician_id:int}", response_model=TechnicianRead)
def get_technician(db: DbSession, user: CurrentUser, technician_id: Id) -> Technician:
    """One technician."""
    return technicians.get(db, user, technician_id)


@router.put("/technicians/{technician_id:int}", response_model=TechnicianRead, dependencies=WRITE)
def update_technician(db: DbSession, user: CurrentUser, technician_id: Id, body: TechnicianWrite) -> Technician:
    """Replace a technician's details (deactivate with `is_active: false`)."""
    return technicians.update(db, user, technician_id, body)
