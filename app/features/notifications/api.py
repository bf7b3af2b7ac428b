"""The JSON twin: GET/PUT /api/<role>/notifications/settings."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.domain.notify.crud import notify
from app.domain.notify.schemas import NotifySettingsRead, NotifySettingsUpdate

router = APIRouter(dependencies=[Depends(require(P.NOTIFY_SETTINGS))])


@router.get("/notifications/settings", response_model=NotifySettingsRead)
def notification_settings(db: DbSession, user: CurrentUser) -> NotifySettingsRead:
    """The caller's switches, one per notification kind."""
    return notify.settings(db, user)


@router.put("/notifications/settings", response_model=NotifySettingsRead)
def update_notification_settings(db: DbSession, user: CurrentUser, body: NotifySettingsUpdate) -> NotifySettingsRead:
    """Change the switches given (422 names an unknown key or a value that is not true/false)."""
    return notify.update_settings(db, user, body)
