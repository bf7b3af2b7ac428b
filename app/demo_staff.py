"""Demo attendance and distribution: a month of shifts for the demo staff (some late arrivals, a
forgotten check-out) and automatic distribution on, with a weight and a cap to show (safe to rerun)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import clock
from app.domain.distribution.crud import distribution
from app.domain.distribution.models import DistributionMode, SellerTurn
from app.domain.staff.models import Shift

DAYS = 30
STAFF = ("sales", "sales2", "mop", "rop", "finance", "dispatcher")


def _at(day: object, hour: int, minute: int) -> datetime:
    """A moment on the company's wall clock of `day`, in UTC."""
    return clock.from_local(datetime.combine(day, time(hour, minute)))


def load_demo_staff(db: Session) -> int:
    """A month of weekday shifts before today for the demo staff, and distribution in automatic
    mode (sales2 with weight 2 and a cap of 15 a day); returns the shifts created (0 when loaded)."""
    people = {u.username: u for u in db.scalars(select(User).where(User.username.in_(STAFF)))}
    seller = people.get("sales")
    if seller is None or db.scalar(select(Shift.id).where(Shift.user_id == seller.id).limit(1)):
        return 0
    rng = random.Random(10)  # the same month every time
    today = clock.today()
    created = 0
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for username, person in people.items():
            if rng.random() < 0.08:
                continue  # a day off
            late = rng.random() < 0.15
            start = _at(day, 9 if late else 8, rng.randint(5, 40) if late else rng.randint(35, 59))
            forgot = username == "sales2" and offset == 9
            end = clock.day_end(day) if forgot else _at(day, 18, rng.randint(0, 45))
            db.add(Shift(user_id=person.id, day=day, checked_in_at=start, checked_out_at=end, closed_by_system=forgot))
            created += 1
    row = distribution.settings(db)
    row.mode = DistributionMode.AUTO
    if "sales2" in people and db.get(SellerTurn, people["sales2"].id) is None:
        db.add(SellerTurn(user_id=people["sales2"].id, weight=2, daily_cap=15, credit=0))
    db.flush()
    return created
