"""Where each dashboard counter leads: the list that shows what it counts, with the same filter."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from app.auth.models import User
from app.auth.permissions import P, Role, can, has_permission
from app.core import clock
from app.domain.leads.schemas import CallbackWhen
from app.domain.staff.crud import CHANGES_DAYS


def _url(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def counter_link(role: Role | str, key: str, user: User) -> str | None:
    """The address of the list behind counter `key` on `role`'s dashboard, or None when `user` has none."""
    role = Role(role)
    base = f"/dashboard/{role.value}"
    today = clock.today()
    if key.startswith("active_") and has_permission(role, P.USERS_READ):
        return _url(f"{base}/users", role=key.removeprefix("active_"), active="true")
    if key in ("leads_new", "leads_in_work") and has_permission(role, P.LEADS_READ):
        return _url(f"{base}/leads", status=key.removeprefix("leads_"))
    if key == "callbacks_due":
        if has_permission(role, P.LEADS_WRITE):
            return _url(f"{base}/callbacks", when=CallbackWhen.DUE.value)
        if has_permission(role, P.LEADS_READ):
            return _url(f"{base}/leads", callback_due="true")
    if key == "bookings_active" and has_permission(role, P.BOOKINGS_READ):
        return _url(f"{base}/bookings", status="active")
    if key == "contracts_month" and has_permission(role, P.CONTRACTS_READ):
        return _url(f"{base}/contracts", signed_from=clock.month_start(today).isoformat())
    if key == "contracts_overdue" and can(user, P.FINANCE_READ):
        return "/dashboard/finance/debts"
    if key == "leads_unassigned" and has_permission(role, P.LEADS_ASSIGN):
        return _url(f"{base}/assign", unassigned="true")
    if key == "on_shift_sales" and has_permission(role, P.ATTENDANCE_READ_ALL):
        return f"{base}/attendance"
    if key == "callbacks_late" and has_permission(role, P.LEADS_ASSIGN):
        return f"{base}/callback-board"
    if key == "extensions_pending" and has_permission(role, P.EXTENSIONS_DECIDE):
        return f"{base}/extensions"
    if key in ("changes_7d", "my_changes_7d") and can(user, P.AUDIT_READ):
        since = (today - timedelta(days=CHANGES_DAYS - 1)).isoformat()
        mine = {"actor_id": user.id} if key == "my_changes_7d" else {}
        return _url("/dashboard/admin/audit", **mine, date_from=since)
    return None
