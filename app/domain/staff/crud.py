"""The home data of each role's dashboard, built from what exists so far."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.crud import users
from app.auth.models import User
from app.auth.permissions import P, Role, has_permission
from app.db import utcnow
from app.domain.audit.crud import audit
from app.domain.audit.models import AuditEntry
from app.domain.staff.schemas import HomeSummary, RecentAction, TeamMember

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
        counters = {f"active_{r.value}": counts[r] for r in team_roles}
        since = utcnow() - timedelta(days=7)
        counters["my_changes_7d"] = db.scalar(
            select(func.count()).where(AuditEntry.actor_id == actor.id, AuditEntry.at >= since)
        ) or 0
        if has_permission(actor.role, P.AUDIT_READ):
            counters["changes_7d"] = db.scalar(select(func.count()).where(AuditEntry.at >= since)) or 0
        return HomeSummary(
            role=role,
            counters=counters,
            team=[TeamMember.model_validate(u) for u in team],
            recent_actions=[RecentAction.model_validate(e) for e in audit.recent_by(db, actor)],
        )


staff = StaffCRUD()
