"""The JSON twin of the callback board."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.core.types import Id
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import Assignment, LeadRead
from app.domain.staff.callbacks import callback_board
from app.domain.staff.models import Nudge
from app.features.callback_board.schemas import LateCallbackRead, NudgeRead, Reassign

router = APIRouter()


@router.get("/callback-board", response_model=list[LateCallbackRead])
def board(db: DbSession, user: CurrentUser, salesperson_id: Id | None = None) -> list[LateCallbackRead]:
    """Late callbacks of every salesperson (or one), the longest late first."""
    return [
        LateCallbackRead(
            lead=LeadRead.model_validate(row.lead),
            late_minutes=int(row.late_by.total_seconds() // 60),
            nudged_at=row.nudged_at,
        )
        for row in callback_board.board(db, user, salesperson_id)
    ]


@router.post("/callback-board/{lead_id:int}/nudge", response_model=NudgeRead, status_code=201)
def nudge(db: DbSession, user: CurrentUser, lead_id: Id) -> Nudge:
    """Remind the salesperson of the late callback (409 when it is not late any more)."""
    return callback_board.nudge(db, user, lead_id)


@router.post("/callback-board/{lead_id:int}/reassign", response_model=LeadRead)
def reassign(db: DbSession, user: CurrentUser, lead_id: Id, body: Reassign) -> object:
    """Give the lead to another active salesperson."""
    pipeline.assign(db, user, Assignment(lead_ids=[lead_id], salesperson_id=body.salesperson_id))
    return pipeline.get(db, user, lead_id)
