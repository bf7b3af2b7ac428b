"""The home data of each role's dashboard, built from what exists so far."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.crud import users
from app.auth.models import User
from app.auth.permissions import P, Role, can, has_permission
from app.core import clock
from app.domain.audit.crud import audit
from app.domain.audit.models import AuditEntry
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus, ExtensionStatus
from app.domain.contracts.crud import contracts
from app.domain.contracts.models import Contract, ContractStatus, Instalment
from app.domain.contracts.schemas import ContractFilter
from app.domain.dispatch.crud import work_orders
from app.domain.distribution.crud import distribution
from app.domain.inventory.models import Apartment, Building
from app.domain.leads.crud import leads, pipeline
from app.domain.leads.models import Lead, LeadStatus
from app.domain.reports.home import rop_home
from app.domain.staff.attendance import attendance
from app.domain.staff.callbacks import callback_board
from app.domain.staff.schemas import HomeBooking, HomeLead, HomeNudge, HomeSummary, OnShift, RecentAction, TeamMember

EXPIRING_HOURS = 24  # a salesperson's home lists bookings running out within this
CHANGES_DAYS = 7  # "changes in 7 days": today and the six company days before it
# Which colleagues each role works with on its home page.
TEAM_OF: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: tuple(Role),
    Role.SALES: (Role.MOP, Role.ROP),
    Role.MOP: (Role.SALES,),
    Role.ROP: (Role.SALES, Role.MOP),
    Role.FINANCE: (Role.ROP,),
    Role.DISPATCHER: (Role.DISPATCHER,),
}


class StaffCRUD:
    """Read-only views of the team for the dashboards."""

    def home(self, db: Session, actor: User, role: Role) -> HomeSummary:
        """The home summary of `role`'s dashboard as `actor` sees it."""
        team_roles = TEAM_OF[role]
        team = db.scalars(
            select(User)
            .where(User.role.in_(team_roles), User.is_active.is_(True))
            .order_by(User.role, User.full_name, User.username)
            .limit(50)
        ).all()
        counts = users.counts_by_role(db)
        sells_only = has_permission(role, P.LEADS_WRITE) and not has_permission(role, P.TEAM_READ)
        counters = {} if sells_only else {f"active_{r.value}": counts[r] for r in team_roles}
        since = clock.day_start(clock.today() - timedelta(days=CHANGES_DAYS - 1))  # today and the 6 days before
        counters["my_changes_7d"] = (
            db.scalar(select(func.count()).where(AuditEntry.actor_id == actor.id, AuditEntry.at >= since)) or 0
        )
        if can(actor, P.AUDIT_READ):
            counters["changes_7d"] = db.scalar(select(func.count()).where(AuditEntry.at >= since)) or 0
        counters = self._work(db, actor, role) | counters
        summary = HomeSummary(
            role=role,
            counters=counters,
            team=[TeamMember.model_validate(u) for u in team],
            recent_actions=[RecentAction.model_validate(e) for e in audit.recent_by(db, actor)],
        )
        if has_permission(role, P.SALES_KPI):  # plan progress and the funnel above the counters
            summary.rop = rop_home(db, actor)
        if has_permission(role, P.WORK_ORDERS_READ_ALL):  # the day's orders, the overdue ones and the queue
            summary.dispatch = work_orders.home(db, actor)
        if has_permission(role, P.LEADS_ASSIGN):
            self._floor(db, summary)
        elif sells_only:
            self._my_day(db, actor, summary)
        return summary

    @staticmethod
    def _floor(db: Session, summary: HomeSummary) -> None:
        """The MOP's floor: unassigned leads, who is on shift, late callbacks (also per salesperson), extensions."""
        shifts = attendance.on_shift(db)
        summary.on_shift = [
            OnShift(user_id=s.user_id, name=s.user.display_name, role=s.user.role, since=s.checked_in_at)
            for s in shifts
        ]
        late = callback_board.late_counts(db)
        present = {s.user_id for s in shifts}
        for member in summary.team:
            member.on_shift = member.id in present
            member.late_callbacks = late.get(member.id, 0)
        pending = select(Booking).where(
            Booking.status == BookingStatus.ACTIVE, Booking.extension_status == ExtensionStatus.PENDING
        )
        summary.counters = {
            "leads_unassigned": distribution.waiting_count(db),
            "on_shift_sales": len(attendance.on_shift(db, Role.SALES)),
            "callbacks_late": sum(late.values()),
            "extensions_pending": db.scalar(select(func.count()).select_from(pending.subquery())) or 0,
        } | summary.counters

    @staticmethod
    def _my_day(db: Session, actor: User, summary: HomeSummary) -> None:
        """A salesperson's day: callbacks due today (and late), bookings running out within 24 h, nudges."""
        summary.callbacks_today = [HomeLead.model_validate(lead) for lead in pipeline.callbacks(db, actor, limit=50)]
        now = clock.now()
        expiring = db.scalars(
            bookings.visible(actor)
            .where(
                Booking.status == BookingStatus.ACTIVE,
                Booking.expires_at > now,
                Booking.expires_at <= now + timedelta(hours=EXPIRING_HOURS),
            )
            .options(
                joinedload(Booking.apartment).joinedload(Apartment.building).joinedload(Building.complex),
                joinedload(Booking.lead),
            )
            .order_by(Booking.expires_at)
            .limit(50)
        ).all()
        summary.bookings_expiring = [
            HomeBooking(
                id=b.id,
                lead_id=b.lead_id,
                lead_name=b.lead.name,
                apartment=f"{b.apartment.number} · {b.apartment.building.complex.name}",
                expires_at=b.expires_at,
            )
            for b in expiring
        ]
        summary.nudges = [
            HomeNudge(
                at=n.at,
                by=n.by.display_name if n.by else "",
                lead_id=n.lead_id,
                lead_name=n.lead.name,
                next_callback_at=n.lead.next_callback_at,
            )
            for n in callback_board.nudges_for(db, actor)
        ]

    @staticmethod
    def _work(db: Session, actor: User, role: Role) -> dict[str, int]:
        """What is waiting for the user on this dashboard, counted within what they may see."""

        def count(query: Select) -> int:
            return db.scalar(select(func.count()).select_from(query.subquery())) or 0

        work: dict[str, int] = {}
        now = clock.now()
        if has_permission(role, P.LEADS_READ):
            visible = leads.visible(actor)
            work["leads_new"] = count(visible.where(Lead.status == LeadStatus.NEW))
            work["leads_in_work"] = count(visible.where(Lead.status == LeadStatus.IN_WORK))
            work["callbacks_due"] = count(pipeline.callbacks_query(actor))
        if has_permission(role, P.BOOKINGS_READ):
            work["bookings_active"] = count(
                bookings.visible(actor).where(Booking.status == BookingStatus.ACTIVE, Booking.expires_at > now)
            )
        if has_permission(role, P.CONTRACTS_READ):
            month = ContractFilter(signed_from=clock.month_start(clock.today()))
            work["contracts_month"] = count(contracts.filtered(actor, month))
        if has_permission(role, P.FINANCE_READ):
            overdue = (
                select(Instalment.contract_id)
                .join(Contract, Contract.id == Instalment.contract_id)
                .where(
                    Contract.status == ContractStatus.ACTIVE,
                    Instalment.due_date < clock.today(),
                    Instalment.paid < Instalment.amount,
                )
                .distinct()
            )
            work["contracts_overdue"] = count(overdue)
        return work


staff = StaffCRUD()
