"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.core import clock
from app.core.paging import Page, apply_sort, paginate
from app.domain.audit.models import AuditEntry
from app.domain.audit.schemas import AuditFilter


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy of a snapshot value (Decimal, dates, enums)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


class AuditCRUD:
    """Append entries in the caller's transaction; page through them for admins."""

    sort_columns = {"at": AuditEntry.at, "entity": AuditEntry.entity, "action": AuditEntry.action}

    def record(
        self,
        db: Session,
        actor: User | None,
        entity: str,
        entity_id: object,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry in the same transaction as the change it describes."""
        entry = AuditEntry(
            actor_id=actor.id if actor else None,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )
        db.add(entry)
        db.flush()
        return entry

    def page(self, db: Session, f: AuditFilter) -> Page[AuditEntry]:
        """One page of entries matching the filter, newest first by default."""
        return paginate(db, self.query(f), f.page, f.page_size)

    def query(self, f: AuditFilter) -> Select:
        """The filtered, sorted entries with their actors joined (for pages and exports)."""
        q = select(AuditEntry).options(joinedload(AuditEntry.actor))
        if f.actor:
            q = q.join(User, AuditEntry.actor_id == User.id).where(User.username == f.actor.strip().lower())
        if f.entity:
            q = q.where(AuditEntry.entity == f.entity)
        if f.entity_id:
            q = q.where(AuditEntry.entity_id == f.entity_id)
        if f.action:
            q = q.where(AuditEntry.action == f.action)
        if f.actor_id:
            q = q.where(AuditEntry.actor_id == f.actor_id)
        start, end = clock.day_range(f.date_from, f.date_to)
        if start:
            q = q.where(AuditEntry.at >= start)
        if end:
            q = q.where(AuditEntry.at < end)
        if f.q:
            like = f"%{f.q}%"
            q = q.where(or_(AuditEntry.entity_id.ilike(like), AuditEntry.entity.ilike(like)))
        return apply_sort(q, f.sort, self.sort_columns, "-at").order_by(AuditEntry.id.desc())

    def entities(self, db: Session) -> list[str]:
        """Entity names present in the log, for the filter select."""
        return list(db.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))

    def recent_by(self, db: Session, actor: User, limit: int = 10) -> list[AuditEntry]:
        """The actor's latest changes, for their home page."""
        q = (
            select(AuditEntry)
            .where(AuditEntry.actor_id == actor.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        return list(db.scalars(q))


audit = AuditCRUD()
