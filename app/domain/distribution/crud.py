"""Automatic distribution: each new lead goes at once to a salesperson on shift, in strict
weighted turn (smooth weighted round robin), skipping the absent, the deactivated and those who
reached their daily cap; a returning client stays with their salesperson; with nobody on shift
the lead waits and goes out when salespeople check in, oldest first.

Race safety: every automatic decision first takes the settings row's lock (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite every write transaction is BEGIN IMMEDIATE, one writer at a time), so the
choice, the turn's bookkeeping and the assignment happen in one transaction, one decision after
another. The assignment itself is a conditional UPDATE (... WHERE assigned_id IS NULL), so a lead
the MOP assigned by hand in the meantime is never given to a second salesperson.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.permissions import P, Role, can
from app.core import clock
from app.core.errors import Forbidden, Invalid
from app.db import insert_many, one_of
from app.domain.audit.crud import audit
from app.domain.distribution.models import (
    AssignReason,
    DistributionMode,
    DistributionSettings,
    LeadAssignment,
    SellerTurn,
)
from app.domain.distribution.schemas import DistributionUpdate
from app.domain.leads.events import assigned_event
from app.domain.leads.models import Lead, LeadStatus
from app.domain.staff.models import Shift

SETTINGS_ID = 1
QUEUE_STATUSES = (LeadStatus.NEW, LeadStatus.IN_WORK)
TAKES_A_TURN = (AssignReason.TURN, AssignReason.CAP_SKIPPED, AssignReason.QUEUE)  # counted against the cap
WAITING = (AssignReason.WAITING_ABSENT, AssignReason.WAITING_CAP)
DRAIN_LIMIT = 1000  # waiting leads handed out in one go
NEVER = datetime.min.replace(tzinfo=UTC)


Decision = tuple[int, int | None, AssignReason, list[int] | None]  # lead id, salesperson id, reason, skipped


def _decision_after(seller_id: int | None, reason: AssignReason, skipped: list[int] | None) -> dict:
    """An automatic decision's after-snapshot in the audit log."""
    after: dict = {"assigned_id": seller_id, "reason": reason.value}
    if skipped:
        after["skipped"] = skipped
    return after


@dataclass
class SellerSetting:
    """A salesperson as the distribution page shows them."""

    user: User
    weight: int = 1
    daily_cap: int | None = None
    on_shift: bool = False
    since: datetime | None = None
    assigned_today: int = 0


@dataclass
class DistributionView:
    """The mode and every active salesperson's weight, cap, shift and leads of today."""

    mode: DistributionMode
    sellers: list[SellerSetting] = field(default_factory=list)
    waiting: int = 0

    @property
    def weights(self) -> dict[int, int]:
        """{user id: weight}."""
        return {s.user.id: s.weight for s in self.sellers}

    @property
    def daily_cap(self) -> dict[int, int | None]:
        """{user id: daily cap, None for no cap}."""
        return {s.user.id: s.daily_cap for s in self.sellers}


@dataclass
class AssignmentView:
    """One automatic decision in a lead's history."""

    at: datetime
    reason: AssignReason
    salesperson: User | None
    skipped: list[str] = field(default_factory=list)


class DistributionCRUD:
    """The distribution settings and the automatic assignment of leads."""

    # ---- settings -------------------------------------------------------------------------------

    def settings(self, db: Session, lock: bool = False) -> DistributionSettings:
        """The settings row (made on first use); `lock` takes its row lock for the transaction."""
        q = select(DistributionSettings).where(DistributionSettings.id == SETTINGS_ID)
        row = db.scalar(q.with_for_update() if lock else q)
        if row is None:
            try:
                with db.begin_nested():
                    db.add(DistributionSettings(id=SETTINGS_ID, mode=DistributionMode.AUTO))
                    db.flush()
            except IntegrityError:
                pass
            row = db.scalar(q.with_for_update() if lock else q)
        return row

    def view(self, db: Session, actor: User) -> DistributionView:
        """The distribution page: mode, weights, caps, who is on shift, leads given today, queue length."""
        self._may_manage(actor)
        mode = self.settings(db).mode
        sellers = db.scalars(
            select(User)
            .where(User.role == Role.SALES, User.is_active.is_(True))
            .order_by(User.full_name, User.username)
        ).all()
        turns = {t.user_id: t for t in db.scalars(select(SellerTurn))}
        shifts = {
            s.user_id: s.checked_in_at
            for s in db.scalars(select(Shift).where(Shift.checked_out_at.is_(None), Shift.day == clock.today()))
        }
        counts = self._assigned_today(db, [u.id for u in sellers])
        rows = []
        for user in sellers:
            turn = turns.get(user.id)
            rows.append(
                SellerSetting(
                    user=user,
                    weight=turn.weight if turn else 1,
                    daily_cap=turn.daily_cap if turn else None,
                    on_shift=user.id in shifts,
                    since=shifts.get(user.id),
                    assigned_today=counts.get(user.id, 0),
                )
            )
        return DistributionView(mode=mode, sellers=rows, waiting=self.waiting_count(db))

    def update(self, db: Session, actor: User, data: DistributionUpdate) -> DistributionView:
        """Set the mode and weights/caps of salespeople; switching to automatic hands out the queue."""
        self._may_manage(actor)
        row = self.settings(db, lock=True)
        sellers = set(db.scalars(select(User.id).where(User.role == Role.SALES, User.is_active.is_(True))))
        for name, values in (("weights", data.weights), ("daily_cap", data.daily_cap)):
            unknown = sorted(set(values or {}) - sellers)
            if unknown:
                raise Invalid("Not an active salesperson: %(ids)s.", field=name, ids=", ".join(map(str, unknown)))
        before = self._config(db, row)
        if data.mode is not None:
            row.mode = data.mode
            row.updated_by_id = actor.id
        for user_id, weight in (data.weights or {}).items():
            self._turn(db, user_id).weight = weight
        for user_id, cap in (data.daily_cap or {}).items():
            self._turn(db, user_id).daily_cap = cap
        db.flush()
        after = self._config(db, row)
        if after != before:
            audit.record(db, actor, "distribution", SETTINGS_ID, "update", before, after)
        if row.mode == DistributionMode.AUTO:
            self._drain(db)
        return self.view(db, actor)

    # ---- automatic assignment -------------------------------------------------------------------

    def route_lead(self, db: Session, lead: Lead, returning: bool = False) -> None:
        """The hook called where a lead is created (or a returning client's request arrives):
        keep a returning client with their salesperson, else give the lead out in turn."""
        if returning and lead.assigned_id is not None:
            owner = db.get(User, lead.assigned_id)
            if owner is not None and owner.is_active:
                self._record(db, lead, owner, AssignReason.RETURNING, previous=owner.id)
                return
        elif lead.assigned_id is not None:
            return  # entered by a salesperson for themselves
        row = self.settings(db, lock=True)
        if row.mode != DistributionMode.AUTO:
            return
        self._drain(db, exclude=lead.id)  # the ones waiting longer go first
        self._give(db, lead, AssignReason.TURN, record_waiting=True)

    def route_new_leads(self, db: Session, lead_ids: list[int]) -> None:
        """Give out leads created in bulk (an import) as `route_lead` gives out one, in their order,
        with one look at the settings; those nobody can take wait in the queue."""
        row = self.settings(db, lock=True)
        if row.mode != DistributionMode.AUTO or not lead_ids:
            return
        self._drain(db, below=min(lead_ids))  # the ones waiting longer go first
        sellers = self._eligible(db)
        if not sellers:  # nobody on shift: they all wait
            self._record_many(db, [(i, None, AssignReason.WAITING_ABSENT, None) for i in lead_ids])
            return
        self._give_new_in_turn(db, sorted(lead_ids), sellers)

    def on_check_in(self, db: Session, seller: User) -> int:
        """A salesperson came on shift: they take their share of the waiting leads (the oldest), the
        rest waits for the colleagues still to come, so the queue is spread, not all to the first in;
        returns how many they got."""
        row = self.settings(db, lock=True)
        if row.mode != DistributionMode.AUTO:
            return 0
        on_shift = self._eligible(db)
        if seller.id not in {u.id for u in on_shift}:
            return 0  # not a salesperson: nothing to hand out
        waiting = self.waiting_count(db)
        if not waiting:
            return 0
        active = db.scalar(
            select(func.count()).where(User.role == Role.SALES, User.is_active.is_(True), User.id != seller.id)
        )
        others_on_shift = len(on_shift) - 1
        still_to_come = max(0, (active or 0) - others_on_shift)
        share = math.ceil(waiting / (still_to_come + 1))
        return self._drain(db, limit=share, only=seller)

    def waiting_count(self, db: Session) -> int:
        """Open leads nobody holds: the MOP's unassigned queue."""
        return db.scalar(select(func.count()).where(Lead.assigned_id.is_(None), Lead.status.in_(QUEUE_STATUSES))) or 0

    def history(self, db: Session, lead_id: int) -> list[AssignmentView]:
        """The automatic decisions about a lead, oldest first, with the names of those skipped."""
        rows = db.scalars(
            select(LeadAssignment)
            .where(LeadAssignment.lead_id == lead_id)
            .options(joinedload(LeadAssignment.salesperson))
            .order_by(LeadAssignment.at, LeadAssignment.id)
        ).all()
        ids = {i for r in rows for i in r.skipped or []}
        names = {u.id: u.display_name for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
        return [
            AssignmentView(r.at, r.reason, r.salesperson, [names[i] for i in r.skipped or [] if i in names])
            for r in rows
        ]

    # ---- inside one locked transaction -----------------------------------------------------------

    def _drain(
        self,
        db: Session,
        exclude: int | None = None,
        limit: int = DRAIN_LIMIT,
        only: User | None = None,
        below: int | None = None,
    ) -> int:
        """Give waiting leads out in turn (or to `only`), oldest first, while someone can take them."""
        q = (
            select(Lead)
            .where(Lead.assigned_id.is_(None), Lead.status.in_(QUEUE_STATUSES))
            .order_by(Lead.created_at, Lead.id)
            .limit(limit)
        )
        if exclude is not None:
            q = q.where(Lead.id != exclude)
        if below is not None:
            q = q.where(Lead.id < below)
        given = 0
        for lead in db.scalars(q).all():
            if not self._give(db, lead, AssignReason.QUEUE, only=only):
                break
            given += 1
        return given

    def _give(
        self, db: Session, lead: Lead, reason: AssignReason, record_waiting: bool = False, only: User | None = None
    ) -> bool:
        """Pick the next salesperson in turn (among `only` when given) and assign the lead to them;
        False when nobody can take it."""
        sellers = [u for u in self._eligible(db) if only is None or u.id == only.id]
        if not sellers:
            if record_waiting:
                self._record(db, lead, None, AssignReason.WAITING_ABSENT)
            return False
        turns = [self._turn(db, u.id) for u in sellers]
        chosen, capped = self._pick(turns, self._assigned_today(db, [u.id for u in sellers]))
        if chosen is None:
            if record_waiting:
                self._record(db, lead, None, AssignReason.WAITING_CAP, [t.user_id for t in capped])
            return False
        previous = lead.assigned_id
        result = db.execute(
            update(Lead)
            .where(Lead.id == lead.id, Lead.assigned_id.is_(None) if previous is None else Lead.assigned_id == previous)
            .values(assigned_id=chosen.user_id)
        )
        if result.rowcount != 1:
            return True  # someone assigned it meanwhile: it is not waiting any more
        chosen.last_assigned_at = clock.now()
        db.flush()
        db.refresh(lead, ["assigned_id"])
        if reason == AssignReason.TURN and capped:
            reason = AssignReason.CAP_SKIPPED
        seller = next(u for u in sellers if u.id == chosen.user_id)
        self._record(db, lead, seller, reason, [t.user_id for t in capped] or None, previous)
        if previous is not None:
            from app.domain.leads.ownership import hand_over_deals

            hand_over_deals(db, None, lead.id, seller)
        return True

    @classmethod
    def _pick(cls, turns: list[SellerTurn], counts: dict[int, int]) -> tuple[SellerTurn | None, list[SellerTurn]]:
        """(whose turn it is, None when nobody may take a lead; those at their daily cap), given the
        leads each got today (`counts`)."""
        capped = [t for t in turns if t.daily_cap is not None and counts.get(t.user_id, 0) >= t.daily_cap]
        open_turns = [t for t in turns if t not in capped and t.weight > 0]
        return (cls._next_in_turn(open_turns) if open_turns else None), capped

    @staticmethod
    def _next_in_turn(turns: list[SellerTurn]) -> SellerTurn:
        """Smooth weighted round robin: everyone gains their weight, the richest takes the lead and
        pays the total (ties: the one who waited longest, then the lowest id). Equal weights: strict turn."""
        total = sum(t.weight for t in turns)
        for t in turns:
            t.credit += t.weight
        chosen = min(turns, key=lambda t: (-t.credit, t.last_assigned_at or NEVER, t.user_id))
        chosen.credit -= total
        return chosen

    def _eligible(self, db: Session) -> list[User]:
        """Active salespeople on shift now, by id."""
        return list(
            db.scalars(
                select(User)
                .join(Shift, Shift.user_id == User.id)
                .where(
                    User.role == Role.SALES,
                    User.is_active.is_(True),
                    Shift.checked_out_at.is_(None),
                    Shift.day == clock.today(),
                )
                .order_by(User.id)
            )
        )

    def _turn(self, db: Session, user_id: int) -> SellerTurn:
        """A salesperson's turn row (weight 1, no cap until the MOP sets them)."""
        turn = db.get(SellerTurn, user_id)
        if turn is None:
            turn = SellerTurn(user_id=user_id, weight=1, daily_cap=None, credit=0)
            db.add(turn)
            db.flush()
        return turn

    def _assigned_today(self, db: Session, user_ids: list[int]) -> dict[int, int]:
        """Leads each salesperson got by turn today (what the daily cap counts)."""
        if not user_ids:
            return {}
        rows = db.execute(
            select(LeadAssignment.salesperson_id, func.count())
            .where(
                LeadAssignment.salesperson_id.in_(user_ids),
                LeadAssignment.reason.in_(TAKES_A_TURN),
                LeadAssignment.at >= clock.day_start(clock.today()),
            )
            .group_by(LeadAssignment.salesperson_id)
        )
        return {user_id: n for user_id, n in rows}

    def _record(
        self,
        db: Session,
        lead: Lead,
        seller: User | None,
        reason: AssignReason,
        skipped: list[int] | None = None,
        previous: int | None = None,
    ) -> None:
        """The decision in the lead's history and the audit log."""
        db.add(
            LeadAssignment(
                lead_id=lead.id, salesperson_id=seller.id if seller else None, reason=reason, skipped=skipped
            )
        )
        db.flush()
        after = _decision_after(seller.id if seller else None, reason, skipped)
        audit.record(db, None, "lead", lead.id, "auto_assign", {"assigned_id": previous}, after)
        if seller is not None and reason != AssignReason.RETURNING:
            assigned_event(db, lead.id, seller.id)

    def _give_new_in_turn(self, db: Session, lead_ids: list[int], sellers: list[User]) -> None:
        """`_give` for many new, unassigned leads at once, with the same choices one at a time would
        make (the turn, the caps, the ties), decided in memory; then one UPDATE per salesperson and
        the history and audit rows in bulk."""
        turns = [self._turn(db, u.id) for u in sellers]
        counts = self._assigned_today(db, [u.id for u in sellers])
        now = clock.now()
        given: dict[int, list[int]] = {}
        decisions: list[Decision] = []
        for n, lead_id in enumerate(lead_ids):
            chosen, capped = self._pick(turns, counts)
            if chosen is None:
                decisions.append((lead_id, None, AssignReason.WAITING_CAP, [t.user_id for t in capped]))
                continue
            chosen.last_assigned_at = now + timedelta(microseconds=n)  # the order one at a time would give
            counts[chosen.user_id] = counts.get(chosen.user_id, 0) + 1
            given.setdefault(chosen.user_id, []).append(lead_id)
            reason = AssignReason.CAP_SKIPPED if capped else AssignReason.TURN
            decisions.append((lead_id, chosen.user_id, reason, [t.user_id for t in capped] or None))
        dialect = db.get_bind().dialect.name
        for user_id, ids in given.items():
            db.execute(
                update(Lead)
                .where(one_of(Lead.id, ids, dialect), Lead.assigned_id.is_(None))
                .values(assigned_id=user_id, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        self._record_many(db, decisions)
        for lead_id, seller_id, _, _ in decisions:
            if seller_id is not None:
                assigned_event(db, lead_id, seller_id)
        db.flush()  # the turns' credit and last turn

    @staticmethod
    def _record_many(db: Session, decisions: list[Decision]) -> None:
        """What `_record` writes, for many new leads' decisions in bulk (a batch at a time: memory
        stays flat)."""
        for start in range(0, len(decisions), DRAIN_LIMIT):
            batch = decisions[start : start + DRAIN_LIMIT]
            insert_many(
                db,
                LeadAssignment.__table__,
                [{"lead_id": i, "salesperson_id": s, "reason": r, "skipped": k} for i, s, r, k in batch],
            )
            entries = [(i, {"assigned_id": None}, _decision_after(s, r, k)) for i, s, r, k in batch]
            audit.record_many(db, None, "lead", "auto_assign", entries)

    @staticmethod
    def _config(db: Session, row: DistributionSettings) -> dict:
        turns = db.scalars(select(SellerTurn).order_by(SellerTurn.user_id)).all()
        return {
            "mode": row.mode.value,
            "weights": {str(t.user_id): t.weight for t in turns},
            "daily_cap": {str(t.user_id): t.daily_cap for t in turns},
        }

    @staticmethod
    def _may_manage(actor: User) -> None:
        if not can(actor, P.DISTRIBUTION_MANAGE):
            raise Forbidden("Only the MOP manages lead distribution.")


distribution = DistributionCRUD()
