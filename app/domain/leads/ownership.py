"""Deals follow the lead: a lead's bookings and contracts belong to the lead's salesperson.

Row scope for salespeople reads `Booking.salesperson_id` and `Contract.salesperson_id`, so when
the MOP gives a lead to someone else (or merges it into another salesperson's lead) those rows
are moved to the new owner in the same transaction, each move audited. Moving was chosen over
refusing to reassign a booked lead because that is how a sales office works: a manager hands a
client over when the salesperson is away, leaves or is overloaded, and the new owner continues
the deal (extends the booking, signs the contract, follows the payments). Refusing would leave
the booking stranded with someone who no longer works the client, or force a cancellation that
frees the apartment the buyer is waiting for. The audit log keeps who held each deal before.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain.audit.crud import audit
from app.domain.bookings.models import Booking
from app.domain.contracts.models import Contract


def hand_over_deals(db: Session, actor: User, lead_id: int, salesperson: User | None) -> int:
    """Make `salesperson` the salesperson of every booking and contract of the lead; returns how many moved."""
    if salesperson is None:
        return 0
    salesperson_id = salesperson.id
    moved = 0
    for model, entity in ((Booking, "booking"), (Contract, "contract")):
        rows = db.scalars(
            select(model)
            .where(model.lead_id == lead_id, model.salesperson_id.is_distinct_from(salesperson_id))
            .order_by(model.id)
        ).all()
        for row in rows:
            before = {"lead_id": lead_id, "salesperson_id": row.salesperson_id}
            row.salesperson = salesperson
            db.flush()
            audit.record(
                db, actor, entity, row.id, "assign", before, {"lead_id": lead_id, "salesperson_id": salesperson_id}
            )
            moved += 1
    return moved
