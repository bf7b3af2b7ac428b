"""Hand-made work orders of March 2026 (company time, Asia/Tashkent) for the dispatch reports' tests.

Technician "Алишер" works Monday to Friday 09:00-18:00 (22 days, 198 h in March 2026); "Бобур"
works Mondays 10:00-14:00 (5 Mondays, 20 h) and has no orders; "Сардор" is inactive and idle.
Alisher's orders, with what the March report must find:
- on time: created 2 March 09:00, slot 3 March 10:00 (1 h), done 3 March 12:00 (27 h, due 9 March);
- late: priority 1 (due 3 March), created 2 March 09:00, slot 5 March 10:00 (1.5 h), done 5 March 15:00 (78 h);
- reopened: created 4 March 09:00, slot 6 March 10:00 (2 h), done 6 March 11:00, reopened 10 March 09:00,
  done again 10 March 13:00 (148 h since created, due 11 March: on time);
- February's: done 26 February 11:00 (26 h after creation); another done 27 February 14:00, reopened
  2 March 10:00 and still in progress (a reopening of March; no longer done, so in no period's done
  orders); their slots in February are not March's time;
- over the period's start: slot 28 February 23:30 for 1 h (0.5 h in March); over its end: 31 March 23:30
  for 1 h (0.5 h in March); a cancelled order on 12 March books nothing.
So March: 3 done, median 78 h, on time 2 of 3 (66.7 %), 2 reopened, 5.5 h booked of 198 h (2.8 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.dispatch.crud import work_orders
from app.domain.dispatch.models import Technician
from app.domain.dispatch.schemas import WorkOrderPatch
from tests.factories import DUE_RULES, make_technician, make_work_order

WEEKDAYS_9_TO_18 = {str(d): ["09:00", "18:00"] for d in range(5)}
TODAY = datetime(2026, 3, 20, 12, 0)  # Friday, company time


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 on the company's wall clock, in UTC."""
    return clock.from_local(datetime(2026, month, day, hour, minute))


@dataclass
class March:
    """The technicians of the scenario."""

    alisher: Technician
    bobur: Technician
    sardor: Technician


def _patch(db: Session, actor: User, order_id: int, **changes: object) -> None:
    work_orders.update(db, actor, order_id, WorkOrderPatch.model_validate(changes), DUE_RULES, None)


def _job(db: Session, traveller, actor: User, tech: Technician, created: datetime, slot: datetime, **fields) -> int:
    """An order created at `created` with the technician's slot at `slot`; returns its id."""
    traveller.move_to(created, tick=False)
    order = make_work_order(db, actor=actor, technician_id=tech.id, scheduled_start=slot.isoformat(), **fields)
    return order.id


def _finish(db: Session, traveller, actor: User, order_id: int, started: datetime, done: datetime) -> None:
    """Start the order at `started` and mark it done at `done`."""
    traveller.move_to(started, tick=False)
    _patch(db, actor, order_id, status="in_progress")
    traveller.move_to(done, tick=False)
    _patch(db, actor, order_id, status="done", completion_note="Готово")


def _reopen(db: Session, traveller, actor: User, order_id: int, when: datetime) -> None:
    traveller.move_to(when, tick=False)
    _patch(db, actor, order_id, status="in_progress")


def build_march(db: Session, traveller, actor: User) -> March:
    """Make the scenario's technicians and orders; the clock is left at 20 March 12:00."""
    alisher = make_technician(db, "Алишер", hours=WEEKDAYS_9_TO_18)
    bobur = make_technician(db, "Бобур", hours={"0": ["10:00", "14:00"]})
    sardor = make_technician(db, "Сардор", is_active=False)
    on_time = _job(db, traveller, actor, alisher, local(3, 2, 9), local(3, 3, 10))
    _finish(db, traveller, actor, on_time, local(3, 3, 10), local(3, 3, 12))
    late = _job(db, traveller, actor, alisher, local(3, 2, 9), local(3, 5, 10), priority=1, duration_minutes=90)
    _finish(db, traveller, actor, late, local(3, 5, 10), local(3, 5, 15))
    back = _job(db, traveller, actor, alisher, local(3, 4, 9), local(3, 6, 10), duration_minutes=120)
    _finish(db, traveller, actor, back, local(3, 6, 10), local(3, 6, 11))
    _reopen(db, traveller, actor, back, local(3, 10, 9))
    traveller.move_to(local(3, 10, 13), tick=False)
    _patch(db, actor, back, status="done")
    earlier = _job(db, traveller, actor, alisher, local(2, 25, 9), local(2, 26, 10))
    _finish(db, traveller, actor, earlier, local(2, 26, 10), local(2, 26, 11))
    february = _job(db, traveller, actor, alisher, local(2, 25, 9), local(2, 27, 10))
    _finish(db, traveller, actor, february, local(2, 27, 10), local(2, 27, 14))
    _reopen(db, traveller, actor, february, local(3, 2, 10))
    _job(db, traveller, actor, alisher, local(2, 20, 9), local(2, 28, 23, 30), force=True)
    _job(db, traveller, actor, alisher, local(3, 20, 9), local(3, 31, 23, 30), force=True)
    cancelled = _job(db, traveller, actor, alisher, local(3, 2, 9), local(3, 12, 10))
    traveller.move_to(local(3, 11, 9), tick=False)
    _patch(db, actor, cancelled, status="cancelled", cancel_reason="Покупатель отказался")
    traveller.move_to(clock.from_local(TODAY), tick=False)
    return March(alisher, bobur, sardor)
