"""Floor grids: validating, versioning, restoring and copying drawn floor layouts,
and the grid view of a building (drawn layout where one exists, plain rows otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.core.errors import Invalid, InvalidMany, NotFound
from app.domain.audit.crud import audit
from app.domain.inventory.crud import apartments, buildings, bump_inventory, must_edit_inventory
from app.domain.inventory.models import Apartment, Building, FloorGrid
from app.domain.inventory.schemas import MAX_GRID_COLS, MAX_GRID_ROWS, GridCell, GridCopy, GridLayout


def _problem(index: int, message: str, **params: int) -> dict:
    return {"loc": ["body", "cells", index], "msg": message, "params": params}


def grid_problems(
    layout: GridLayout, floor_apartments: dict[int, Apartment], building_apartment_ids: set[int], floor: int
) -> list[dict]:
    """Every problem of a layout: cells outside the grid, overlaps, bad or repeated apartments."""
    problems: list[dict] = []
    for name, value, most in (("cols", layout.cols, MAX_GRID_COLS), ("rows", layout.rows, MAX_GRID_ROWS)):
        if not isinstance(value, int) or not 1 <= value <= most:
            message = (
                "Columns: a whole number from 1 to %(max)s."
                if name == "cols"
                else "Rows: a whole number from 1 to %(max)s."
            )
            problems.append({"loc": ["body", name], "msg": message, "params": {"max": most}})
    if problems:
        return problems  # the size is wrong: cells cannot be checked against it
    owner: dict[tuple[int, int], int] = {}
    seen_apartments: dict[int, int] = {}
    for index, cell in enumerate(layout.cells):
        if cell.x + cell.w > layout.cols or cell.y + cell.h > layout.rows:
            problems.append(_problem(index, "Cell %(n)s goes outside the grid.", n=index + 1))
        else:
            clash = None
            for x in range(cell.x, cell.x + cell.w):
                for y in range(cell.y, cell.y + cell.h):
                    if (x, y) in owner and clash is None:
                        clash = owner[(x, y)]
                    owner.setdefault((x, y), index)
            if clash is not None:
                problems.append(_problem(index, "Cell %(n)s overlaps cell %(other)s.", n=index + 1, other=clash + 1))
        if cell.apartment_id is None:
            continue
        if cell.apartment_id in seen_apartments:
            problems.append(
                _problem(
                    index,
                    "Cell %(n)s repeats the apartment of cell %(other)s.",
                    n=index + 1,
                    other=seen_apartments[cell.apartment_id] + 1,
                )
            )
        seen_apartments.setdefault(cell.apartment_id, index)
        if cell.apartment_id not in building_apartment_ids:
            problems.append(_problem(index, "Cell %(n)s is bound to an apartment of another building.", n=index + 1))
        elif cell.apartment_id not in floor_apartments:
            problems.append(
                _problem(
                    index, "Cell %(n)s is bound to an apartment of another floor (%(floor)s).", n=index + 1, floor=floor
                )
            )
    return problems


@dataclass
class CellView:
    """A cell of a drawn floor as a grid page shows it."""

    x: int
    y: int
    w: int
    h: int
    apartment: Apartment | None


@dataclass
class FloorView:
    """One floor of a building's grid: a drawn layout or the plain list of its apartments."""

    floor: int
    cols: int = 0
    rows: int = 0
    cells: list[CellView] = field(default_factory=list)
    apartments: list[Apartment] = field(default_factory=list)

    @property
    def drawn(self) -> bool:
        """True when the floor has a saved layout."""
        return bool(self.cells)


class FloorGridCRUD:
    """Versioned floor layouts of buildings."""

    def current(self, db: Session, building_id: int, floor: int) -> FloorGrid | None:
        """The newest saved layout of a floor, or None."""
        q = (
            select(FloorGrid)
            .where(FloorGrid.building_id == building_id, FloorGrid.floor == floor)
            .options(joinedload(FloorGrid.created_by))
            .order_by(FloorGrid.version.desc())
            .limit(1)
        )
        return db.scalar(q)

    def version(self, db: Session, building_id: int, floor: int, version: int) -> FloorGrid:
        """One saved version of a floor's layout, or NotFound."""
        q = (
            select(FloorGrid)
            .where(FloorGrid.building_id == building_id, FloorGrid.floor == floor, FloorGrid.version == version)
            .options(joinedload(FloorGrid.created_by))
        )
        found = db.scalar(q)
        if found is None:
            raise NotFound("This layout version does not exist.")
        return found

    def history(self, db: Session, building_id: int, floor: int) -> list[FloorGrid]:
        """Every saved version of a floor's layout, newest first."""
        q = (
            select(FloorGrid)
            .where(FloorGrid.building_id == building_id, FloorGrid.floor == floor)
            .options(joinedload(FloorGrid.created_by))
            .order_by(FloorGrid.version.desc())
        )
        return list(db.scalars(q))

    def save(self, db: Session, actor: User, building_id: int, floor: int, layout: GridLayout) -> FloorGrid:
        """Validate and store a layout as the floor's next version; InvalidMany lists every problem."""
        must_edit_inventory(actor)
        building = buildings.get(db, building_id)
        self.check_floor(building, floor)
        all_apartments = apartments.for_building(db, building_id)
        on_floor = {a.id: a for a in all_apartments if a.floor == floor}
        problems = grid_problems(layout, on_floor, {a.id for a in all_apartments}, floor)
        if problems:
            raise InvalidMany("The layout has problems.", problems)
        last = (
            db.scalar(
                select(func.max(FloorGrid.version)).where(
                    FloorGrid.building_id == building_id, FloorGrid.floor == floor
                )
            )
            or 0
        )
        grid = FloorGrid(
            building_id=building_id,
            floor=floor,
            version=last + 1,
            cols=layout.cols,
            rows=layout.rows,
            cells=[c.model_dump() for c in layout.cells],
            created_by=actor,
        )
        db.add(grid)
        bump_inventory(db, [building.complex_id])
        db.flush()
        audit.record(
            db,
            actor,
            "floor_grid",
            f"{building_id}:{floor}",
            "save",
            None,
            {"version": grid.version, "cells": len(layout.cells)},
        )
        return grid

    def restore(self, db: Session, actor: User, building_id: int, floor: int, version: int) -> FloorGrid:
        """Save an earlier version again as the newest one."""
        old = self.version(db, building_id, floor, version)
        layout = GridLayout(cols=old.cols, rows=old.rows, cells=[GridCell(**c) for c in old.cells])
        return self.save(db, actor, building_id, floor, layout)

    def copy(self, db: Session, actor: User, building_id: int, floor: int, data: GridCopy) -> list[FloorGrid]:
        """Copy a floor's newest layout to a range of floors, binding the apartment at the same
        position (by number order) on each target floor."""
        must_edit_inventory(actor)
        building = buildings.get(db, building_id)
        source = self.current(db, building_id, floor)
        if source is None:
            raise Invalid("Save this floor's layout before copying it.")
        low, high = sorted((data.to_floor_from, data.to_floor_to))
        if high > building.floors:
            raise Invalid("The building has only %(floors)s floors.", field="to_floor_to", floors=building.floors)
        by_floor: dict[int, list[Apartment]] = {}
        for apartment in apartments.for_building(db, building_id):
            by_floor.setdefault(apartment.floor, []).append(apartment)
        source_order = [a.id for a in _by_number(by_floor.get(floor, []))]
        saved = []
        for target in range(low, high + 1):
            if target == floor:
                continue
            target_order = [a.id for a in _by_number(by_floor.get(target, []))]
            cells = []
            for cell in source.cells:
                bound = cell.get("apartment_id")
                position = source_order.index(bound) if bound in source_order else None
                new_id = target_order[position] if position is not None and position < len(target_order) else None
                cells.append(GridCell(**{**cell, "apartment_id": new_id}))
            saved.append(
                self.save(db, actor, building_id, target, GridLayout(cols=source.cols, rows=source.rows, cells=cells))
            )
        return saved

    def building_view(self, db: Session, building: Building) -> list[FloorView]:
        """The building's floors, top first, each drawn by its newest layout or listed plainly."""
        all_apartments = apartments.for_building(db, building.id)
        by_id = {a.id: a for a in all_apartments}
        newest = (
            select(FloorGrid.floor, func.max(FloorGrid.version).label("version"))
            .where(FloorGrid.building_id == building.id)
            .group_by(FloorGrid.floor)
            .subquery()
        )
        grids = db.scalars(
            select(FloorGrid)
            .join(newest, (FloorGrid.floor == newest.c.floor) & (FloorGrid.version == newest.c.version))
            .where(FloorGrid.building_id == building.id)
        ).all()
        grid_by_floor = {g.floor: g for g in grids}
        floors = []
        for number in range(building.floors, 0, -1):
            view = FloorView(floor=number)
            grid = grid_by_floor.get(number)
            if grid and grid.cells:
                view.cols, view.rows = grid.cols, grid.rows
                view.cells = [
                    CellView(c["x"], c["y"], c["w"], c["h"], by_id.get(c.get("apartment_id"))) for c in grid.cells
                ]
            view.apartments = _by_number([a for a in all_apartments if a.floor == number])
            floors.append(view)
        return floors

    @staticmethod
    def check_floor(building: Building, floor: int) -> None:
        """NotFound unless `floor` is one of the building's floors."""
        if not 1 <= floor <= building.floors:
            raise NotFound("This floor does not exist in the building.")


def _number_key(apartment: Apartment) -> tuple[int, str]:
    digits = "".join(ch for ch in apartment.number if ch.isdigit())
    return (int(digits) if digits else 0, apartment.number)


def _by_number(items: list[Apartment]) -> list[Apartment]:
    return sorted(items, key=_number_key)


floor_grids = FloorGridCRUD()
