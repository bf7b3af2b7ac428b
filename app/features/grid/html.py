"""The staff apartment grid (шахматка): the index of buildings, a building's live grid, an apartment card."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.deps import CurrentUser, DbSession
from app.auth.permissions import P, can
from app.core import clock
from app.core.types import Id, Int
from app.domain.bookings.crud import bookings
from app.domain.dispatch.handovers import handovers
from app.domain.finance.reports import overdue_days_by_apartment
from app.domain.inventory.crud import buildings, complexes
from app.domain.inventory.grids import floor_grids
from app.features.grid.views import apartment_card, grid_index
from app.web.feature import DashboardBase
from app.web.live import POLL_SECONDS, unchanged
from app.web.templating import render

router = APIRouter()


@router.get("/grid")
def grid_index_page(request: Request, db: DbSession, base: DashboardBase) -> HTMLResponse:
    """Complexes and their buildings, each linking to its grid."""
    return render(request, "features/grid/index.html", {"complexes": grid_index(db), "base": base})


@router.get("/buildings/{building_id}/grid")
def building_grid_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, building_id: Id, since: Int | None = None
) -> Response:
    """A building's grid, top floor first, coloured by status, with overdue payments and open defects;
    polled for live changes."""
    building = buildings.get(db, building_id)
    version = complexes.version_of_building(db, building_id)
    shows_defects = can(user, P.WORK_ORDERS_READ)
    if shows_defects:  # the overlay follows defect orders too
        version = handovers.grid_version(db, user, building_id, version)
    if (nothing := unchanged(version, since)) is not None:
        return nothing
    floors = floor_grids.building_view(db, building)
    bookings.show_expired_as_free(db, [a for f in floors for a in f.apartments])
    ids = [a.id for f in floors for a in f.apartments]
    overdue = overdue_days_by_apartment(db, ids, clock.today())
    defects = handovers.open_defects(db, user, ids) if shows_defects else None
    context = {
        "building": building,
        "floors": floors,
        "version": version,
        "overdue": overdue,
        "defects": defects,
        "base": base,
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "features/grid/building.html", context, block="live")


@router.get("/apartment-cards/{apartment_id}")
def apartment_card_page(request: Request, db: DbSession, apartment_id: Id) -> HTMLResponse:
    """The apartment card shown in a modal."""
    return render(
        request, "features/grid/apartment_card.html", {"card": apartment_card(db, apartment_id)}, block="card"
    )
