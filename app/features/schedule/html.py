"""The schedule board: a week (technicians x days) or a day (hourly rows x technicians) with the
unassigned queue; drops and buttons post here, polled for live changes like the apartment grid."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, get_settings, require
from app.auth.models import User
from app.auth.permissions import P
from app.core.errors import AppError
from app.domain.dispatch.crud import technicians, work_orders
from app.domain.dispatch.rules import ScheduleConflict
from app.domain.dispatch.schemas import WorkOrderPatch
from app.features.schedule.board import (
    BoardDrop,
    BoardView,
    Placement,
    RenderedBoard,
    board_cache,
    board_context,
    board_key,
    page_context,
    patch_context,
    patch_of,
)
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, validate_form
from app.web.i18n import gettext
from app.web.live import POLL_SECONDS, unchanged
from app.web.templating import base_context, env, is_htmx, render

router = APIRouter()
WRITE = [Depends(require(P.WORK_ORDERS_WRITE))]
BOARD = "features/schedule/board.html"
LIVE = "features/schedule/_live.html"
PATCH = "features/schedule/_patch.html"
DROP_FIELDS = ("view", "date", "order_id", "version", "technician_id", "day", "time", "duration_minutes", "shift")


def _view(request: Request) -> BoardView:
    """The board asked for by the query (`view`, `date`, or the older `week`); nonsense shows this week."""
    query = request.query_params
    view, _errors = validate_form(BoardView, {"view": query.get("view", "week"), "date": query.get("date")})
    if view is None:
        view, _errors = validate_form(BoardView, {"date": query.get("week")})
    return view or BoardView()


def _live_html(request: Request, db: Session, user: User, view: BoardView, base: str, version: int) -> Markup:
    """The live part of the board at `version`: from memory, or rendered now (once) and kept."""

    def rendered() -> RenderedBoard:
        context = board_context(db, user, view, base, version) | {"poll_seconds": POLL_SECONDS}
        html = env.get_template(LIVE).render(base_context(request) | context)
        return RenderedBoard(Markup(html))  # noqa: S704 (an autoescaped template's output)

    return board_cache(request.app.state).get_or_render(board_key(version, view, base, user), rendered).html


@router.get("/schedule")
def schedule_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """The board; with `since` (the version the page shows) HTMX gets 204 until something changes."""
    since = request.query_params.get("since", "")
    version = work_orders.board_version(db, user)
    if (nothing := unchanged(version, int(since) if since.isdigit() and len(since) < 12 else None)) is not None:
        return nothing
    view = _view(request)
    context = {"live_html": _live_html(request, db, user, view, base, version)}
    if not is_htmx(request):  # the whole page: the assign dialog lists the technicians
        context |= page_context(view, base, user) | {"staff": technicians.all(db, user)}
    return render(request, BOARD, context, block="live")


def _dialog(
    request: Request, status: int, message: str, resend: dict | None = None, conflicts: tuple | list = ()
) -> Response:
    """The answer to a refused drop: a dialog with the reason (and "assign anyway" for a slot conflict)."""
    context = {"message": message, "resend": resend or {}, "conflicts": list(conflicts)}
    headers = {"HX-Retarget": "#modal-body", "HX-Reswap": "innerHTML"}
    return render(request, "features/schedule/dialog.html", context, status_code=status, headers=headers)


@router.post("/schedule/drop", dependencies=WRITE)
def drop(request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """Place, move, resize or unassign an order; answers the lanes and queue it changed, or a dialog with the reason."""
    posted = {k: form.get(k) for k in DROP_FIELDS if form.get(k) not in (None, "")}
    posted |= {"unassign": bool(form.get("unassign")), "force": bool(form.get("force"))}
    data, errors = validate_form(BoardDrop, posted)
    try:
        if data is None:
            return _dialog(request, 422, next(iter(errors.values())))
        patch, errors = validate_form(WorkOrderPatch, patch_of(db, user, data))
        if patch is None:
            return _dialog(request, 422, next(iter(errors.values())))
        shown = work_orders.board_version(db, user)
        was = Placement.of(work_orders.get(db, user, data.order_id))
        with db.begin_nested():
            row = work_orders.update(db, user, data.order_id, patch, get_settings(request).work_order_due, None)
    except ScheduleConflict as exc:
        return _dialog(request, 409, gettext(exc.message), posted | {"force": "1"}, exc.reasons)
    except AppError as exc:
        return _dialog(request, exc.status_code, gettext(exc.message, **exc.params))
    current = form.get("board_version") == str(shown)  # the page showed everything up to this drop
    context = patch_context(db, user, data, base, was, Placement.of(row), current)
    return render(request, PATCH, context)
