"""The callback board page: late callbacks grouped by salesperson, how late, nudge or reassign."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession
from app.core.types import Id
from app.domain.leads.crud import pipeline
from app.domain.leads.schemas import Assignment
from app.domain.staff.callbacks import callback_board
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, first_error, submit_with_status
from app.web.handlers import error_response
from app.web.i18n import gettext
from app.web.templating import is_htmx, render, see_other

router = APIRouter()


def late_by(delta: timedelta) -> str:
    """How late a callback is, as people say it: "2 d 3 h", "3 h 15 min", "12 min"."""
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return gettext("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return gettext("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    return gettext("%(minutes)s min", minutes=minutes)


@router.get("/callback-board")
def board_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, salesperson_id: Id | None = None
) -> Response:
    """Every salesperson's late callbacks, the longest late first."""
    context = {
        "rows": callback_board.board(db, user, salesperson_id),
        "team": users.salespeople(db),
        "salesperson_id": salesperson_id,
        "late_by": late_by,
        "base": base,
        "done": request.query_params.get("done", ""),
    }
    return render(request, "features/callback_board/board.html", context)


@router.post("/callback-board/{lead_id:int}/nudge")
def nudge(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, lead_id: Id) -> Response:
    """Remind the salesperson; HTMX gets a toast, a plain form the board again."""
    callback_board.nudge(db, user, lead_id)
    if is_htmx(request):
        context = {"message": gettext("The salesperson is reminded."), "kind": "success"}
        headers = {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
        return render(request, "ui/toast.html", context, status_code=201, headers=headers)
    return see_other(f"{base}/callback-board?done=nudged")


@router.post("/callback-board/{lead_id:int}/reassign")
def reassign(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, lead_id: Id
) -> Response:
    """Give the late lead to the chosen salesperson and go back to the board."""
    values = {"lead_ids": [lead_id], "salesperson_id": form.get("salesperson_id") or ""}
    _, _, errors, status = submit_with_status(db, Assignment, values, lambda d: pipeline.assign(db, user, d))
    if errors:
        message = gettext("Choose a salesperson.") if not values["salesperson_id"] else first_error(errors)
        return error_response(request, status, message)
    return see_other(f"{base}/callback-board?done=reassigned")
