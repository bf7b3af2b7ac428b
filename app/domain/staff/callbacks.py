"""The MOP's callback board: every salesperson's late callbacks, how late, and a nudge the
salesperson sees on their home page until they deal with the callback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, can
from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound
from app.domain.audit.crud import audit
from app.domain.leads.models import Lead
from app.domain.leads.rules import OPEN_STATUSES
from app.domain.staff.models import Nudge

BOARD_LIMIT = 500
NUDGE_DAYS = 7  # a nudge older than this is no longer shown


@dataclass
class LateCallback:
    """A lead whose callback time has passed: how late, and when the MOP last nudged about it."""

    lead: Lead
    late_by: timedelta
    nudged_at: datetime | None


def _late() -> list:
    """Open leads with a salesperson whose callback time is past."""
    return [
        Lead.assigned_id.is_not(None),
        Lead.next_callback_at.is_not(None),
        Lead.next_callback_at < clock.now(),
        Lead.status.in_(OPEN_STATUSES),
    ]


class CallbackBoardCRUD:
    """Late callbacks of the whole team (MOP, admin) and the nudges about them."""

    def board(self, db: Session, actor: User, salesperson_id: int | None = None) -> list[LateCallback]:
        """Every late callback (of one salesperson when given), the longest late first."""
        self._may_supervise(actor)
        q = (
            select(Lead)
            .where(*_late())
            .options(joinedload(Lead.assigned), joinedload(Lead.complex))
            .order_by(Lead.next_callback_at, Lead.id)
            .limit(BOARD_LIMIT)
        )
        if salesperson_id:
            q = q.where(Lead.assigned_id == salesperson_id)
        rows = list(db.scalars(q))
        nudged = (
            dict(
                db.execute(
                    select(Nudge.lead_id, func.max(Nudge.at))
                    .where(Nudge.lead_id.in_([r.id for r in rows]))
                    .group_by(Nudge.lead_id)
                ).all()
            )
            if rows
            else {}
        )
        now = clock.now()
        return [LateCallback(lead, now - lead.next_callback_at, nudged.get(lead.id)) for lead in rows]

    def late_counts(self, db: Session) -> dict[int, int]:
        """{salesperson id: late callbacks} for the team table."""
        rows = db.execute(select(Lead.assigned_id, func.count()).where(*_late()).group_by(Lead.assigned_id))
        return {user_id: n for user_id, n in rows}

    def nudge(self, db: Session, actor: User, lead_id: int) -> Nudge:
        """Remind the lead's salesperson of their late callback (shown on their home page)."""
        self._may_supervise(actor)
        lead = db.get(Lead, lead_id)
        if lead is None:
            raise NotFound("Lead not found.")
        if db.scalar(select(Lead.id).where(Lead.id == lead_id, *_late())) is None:
            raise Conflict("This callback is not late any more.")
        note = Nudge(lead_id=lead.id, salesperson_id=lead.assigned_id, by_id=actor.id, at=clock.now())
        db.add(note)
        db.flush()
        audit.record(db, actor, "lead", lead.id, "nudge", None, {"salesperson_id": lead.assigned_id})
        return note

    def nudges_for(self, db: Session, salesperson: User) -> list[Nudge]:
        """The salesperson's nudges of the last days whose callback is still late, newest first, one per lead."""
        since = clock.now() - timedelta(days=NUDGE_DAYS)
        latest = (
            select(func.max(Nudge.id))
            .join(Lead, Lead.id == Nudge.lead_id)
            .where(
                Nudge.salesperson_id == salesperson.id, Nudge.at >= since, Lead.assigned_id == salesperson.id, *_late()
            )
            .group_by(Nudge.lead_id)
        )
        q = (
            select(Nudge)
            .where(Nudge.id.in_(latest))
            .options(joinedload(Nudge.by), joinedload(Nudge.lead))
            .order_by(Nudge.at.desc())
        )
        return list(db.scalars(q))

    @staticmethod
    def _may_supervise(actor: User) -> None:
        if not can(actor, P.LEADS_ASSIGN):
            raise Forbidden("Only the MOP watches the team's callbacks.")


callback_board = CallbackBoardCRUD()
