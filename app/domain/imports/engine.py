"""The import itself: rows read in chunks, each chunk's existing rows fetched in one query,
outcomes decided in memory, then written with bulk statements (no query per row).

The same code runs for a preview (inside a savepoint that is rolled back) and for the real
import; `Run` collects the outcome of every row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from tempfile import SpooledTemporaryFile
from typing import IO, Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.permissions import Role
from app.core import clock
from app.db import insert_many, one_of
from app.domain.audit.crud import _jsonable
from app.domain.audit.models import AuditEntry
from app.domain.distribution.crud import distribution
from app.domain.imports import normalise as norm
from app.domain.imports.mapping import N_
from app.domain.imports.models import ImportJob, ImportKind, Outcome
from app.domain.inventory.crud import bump_inventory
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex
from app.domain.inventory.pricing import CENT, total_price
from app.domain.leads.models import Lead, LeadSource, LeadStatus, LeadStatusChange, lead_search_key
from app.domain.leads.search import insert_indexed

CHUNK_ROWS = 2000
APARTMENT_KEY = ("complex", "building", "number")
APARTMENT_FIELDS = ("floor", "section", "rooms", "area", "price_per_m2", "total_price", "status")
LOCKED = (ApartmentStatus.BOOKED, ApartmentStatus.SOLD)
STATUS_WORDS = {
    ApartmentStatus.FREE: (
        "free",
        "свободна",
        "свободно",
        "свободная",
        "в продаже",
        "продается",
        "продаётся",
        "bo'sh",
        "bosh",
        "sotuvda",
    ),
    ApartmentStatus.NOT_FOR_SALE: (
        "not_for_sale",
        "not for sale",
        "не в продаже",
        "снята",
        "снята с продажи",
        "закрыта",
        "sotilmaydi",
    ),
    ApartmentStatus.BOOKED: ("booked", "бронь", "забронирована", "бронирована", "reserved", "band", "bron"),
    ApartmentStatus.SOLD: ("sold", "продана", "продано", "sotilgan", "sotildi"),
}
STATUS_OF = {word: status for status, words in STATUS_WORDS.items() for word in words}


class RowError(Exception):
    """A row cannot be imported: the field (cell) and the reason (an English msgid)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(slots=True)
class RowResult:
    """The outcome of one row (slots: a run makes one per row of the file)."""

    line: int
    outcome: Outcome
    key: str = ""
    field: str = ""
    reason: str = ""
    changes: dict[str, list[Any]] | None = None
    values: Sequence[str] = ()


SPOOL_IN_MEMORY = 4 << 20  # bytes of row outcomes kept in memory before they go to a temporary file


@dataclass
class Run:
    """Everything one pass over the file decided: the counts, and each row's outcome spooled (to
    a temporary file past a few MB), so that memory stays flat however long the file is."""

    total: int = 0
    counts: dict[str, int] = dataclasses.field(default_factory=lambda: {o.value: 0 for o in Outcome})
    spool: IO[bytes] = dataclasses.field(default_factory=lambda: SpooledTemporaryFile(SPOOL_IN_MEMORY))  # noqa: SIM115 (closed by results())

    def add(self, results: list[RowResult]) -> None:
        """Count and keep a chunk's outcomes."""
        lines = []
        for r in results:
            self.counts[r.outcome.value] += 1
            lines.append(orjson.dumps((r.line, r.outcome.value, r.key, r.field, r.reason, r.changes, r.values)))
        if lines:
            self.spool.write(b"\n".join(lines) + b"\n")

    def results(self) -> Iterator[RowResult]:
        """The outcomes kept, in the file's order; the spool is closed after the last."""
        self.spool.seek(0)
        try:
            for text in self.spool:
                line, outcome, key, field, reason, changes, values = orjson.loads(text)
                yield RowResult(line, Outcome(outcome), key, field, reason, changes, values)
        finally:
            self.spool.close()


Progress = Callable[[int], None]


def _chunks(rows: Iterator[tuple[int, list[object]]]) -> Iterator[list[tuple[int, list[object]]]]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk


def _positions(headers: list[str], mapping: dict[str, str]) -> list[tuple[str, int]]:
    """(field, column index) of each mapped field whose header the file has."""
    index = {h: i for i, h in enumerate(headers)}
    return [(name, index[header]) for name, header in mapping.items() if header in index]


def _cells(positions: list[tuple[str, int]], row: list[object]) -> dict[str, object]:
    """The mapped fields of a row whose cell is not empty."""
    out: dict[str, object] = {}
    size = len(row)
    for name, i in positions:
        if i < size:
            value = row[i]
            if value is not None and (not isinstance(value, str) or value.strip()):
                out[name] = value
    return out


def _parse(name: str, value: object, parser: Callable[[object], Any]) -> Any:
    try:
        return parser(value)
    except ValueError as exc:
        raise RowError(name, str(exc)) from exc


_PLAIN = (int, str, float, bool, type(None))


def _flat(snapshot: dict) -> dict:
    """A JSON-safe copy of a flat snapshot (plain values pass as they are)."""
    return {k: v if isinstance(v, _PLAIN) else _jsonable(v) for k, v in snapshot.items()}


def _audit_rows(actor: User, job: ImportJob, entity: str, items: list[tuple[int, dict | None, dict]]) -> list[dict]:
    now = clock.now()
    return [
        {
            "at": now,
            "actor_id": actor.id,
            "entity": entity,
            "entity_id": str(entity_id),
            "action": "import",
            "before": _flat(before) if before is not None else None,
            "after": _flat({**after, "import_id": job.id}),
        }
        for entity_id, before, after in items
    ]


class ApartmentImport:
    """Apartments by complex + building + number: created, updated (never a booked or sold one), or rejected."""

    def __init__(self, db: Session, actor: User, job: ImportJob) -> None:
        self.db, self.actor, self.job = db, actor, job
        self.dialect = db.get_bind().dialect.name
        self.complexes: dict[str, Complex] = {}
        for c in db.scalars(select(Complex)):
            self.complexes[c.name.strip().lower()] = c
            self.complexes.setdefault(c.slug.lower(), c)
        self.buildings: dict[tuple[int, str], Building] = {
            (b.complex_id, b.name.strip().lower()): b for b in db.scalars(select(Building))
        }
        self.seen: set[tuple[int, str]] = set()
        self.now = clock.now()  # the time of the chunk being written
        self.created: set[int] = set()
        self.touched: set[int] = set()

    def parse(self, cells: dict[str, object]) -> dict[str, Any]:
        """The typed values of a row's cells; RowError for the first bad one."""
        data: dict[str, Any] = {}
        for name in ("complex", "building", "number"):
            if name not in cells:
                raise RowError(name, N_("This cell is empty."))
            data[name] = norm.text(cells[name])
        parsers: dict[str, Callable[[object], Any]] = {
            "floor": norm.integer,
            "section": norm.integer,
            "rooms": norm.rooms,
            "area": norm.decimal,
            "price_per_m2": norm.money,
            "total_price": norm.money,
        }
        for name, parser in parsers.items():
            if name in cells:
                data[name] = _parse(name, cells[name], parser)
        if "status" in cells:
            status = STATUS_OF.get(norm.text(cells["status"]).lower())
            if status is None:
                raise RowError("status", N_("Unknown status."))
            data["status"] = status
        if "area" in data:
            if data["area"] <= 0 or data["area"] >= Decimal("1000000"):
                raise RowError("area", N_("The area must be above zero."))
            data["area"] = data["area"].quantize(CENT)
        for name in ("price_per_m2", "total_price"):
            if name in data and data[name] <= 0:
                raise RowError(name, N_("The price is zero."))
        if "rooms" in data and not 0 <= data["rooms"] <= 20:
            raise RowError("rooms", N_("Not a number of rooms."))
        if "floor" in data and not -5 <= data["floor"] <= 100:
            raise RowError("floor", N_("The floor is out of range."))
        if "section" in data and not 1 <= data["section"] <= 50:
            raise RowError("section", N_("The section is out of range."))
        if len(data["number"]) > 20:
            raise RowError("number", N_("The apartment number is too long."))
        return data

    def _building(self, data: dict[str, Any]) -> Building:
        complex_ = self.complexes.get(data["complex"].lower())
        if complex_ is None:
            raise RowError("complex", N_("Unknown complex."))
        key = (complex_.id, data["building"].lower())
        building = self.buildings.get(key)
        if building is None:
            if not self.job.create_buildings:
                raise RowError("building", N_("Unknown building (tick “create buildings” to add it)."))
            if len(data["building"]) > 100:
                raise RowError("building", N_("The building name is too long."))
            building = Building(
                complex_id=complex_.id,
                name=data["building"],
                floors=min(100, max(1, data.get("floor", 1))),
                sections=data.get("section", 1),
            )
            self.db.add(building)
            self.db.flush()
            self.buildings[key] = building
            self.touched.add(complex_.id)
            self.created.add(building.id)
        elif building.id in self.created:  # a building this file adds grows with its rows
            building.floors = min(100, max(building.floors, data.get("floor", 1)))
            building.sections = min(50, max(building.sections, data.get("section", 1)))
        return building

    def chunk(
        self, rows: list[tuple[int, list[object]]], headers: list[str], mapping: dict[str, str]
    ) -> list[RowResult]:
        """Decide and write one chunk of rows."""
        parsed: list[tuple[int, list[object], dict[str, Any] | None, RowResult | None]] = []
        positions = _positions(headers, mapping)
        self.now = clock.now()
        for line, row in rows:
            cells = _cells(positions, row)
            try:
                data = self.parse(cells)
                data["building_obj"] = self._building(data)
                key = (data["building_obj"].id, data["number"])
                if key in self.seen:
                    raise RowError("number", N_("The same apartment is already in an earlier row of the file."))
                self.seen.add(key)
                parsed.append((line, row, data, None))
            except RowError as exc:
                parsed.append((line, row, None, _reject(line, row, exc, key_cells(cells, APARTMENT_KEY))))
        self.db.flush()
        wanted = [d for _, _, d, _ in parsed if d is not None]
        existing: dict[tuple[int, str], Apartment] = {}
        if wanted:
            columns = [getattr(Apartment, c) for c in ("id", "building_id", "number", *APARTMENT_FIELDS)]
            q = select(*columns).where(
                one_of(Apartment.building_id, {d["building_obj"].id for d in wanted}, self.dialect),
                one_of(Apartment.number, {d["number"] for d in wanted}, self.dialect),
            )
            existing = {(a.building_id, a.number): a for a in self.db.execute(q)}
        results: list[RowResult] = []
        creates: list[dict] = []
        create_results: list[RowResult] = []
        updates: list[dict] = []
        audits: list[tuple[int, dict | None, dict]] = []
        for line, row, data, rejected in parsed:
            if rejected is not None:
                results.append(rejected)
                continue
            building = data.pop("building_obj")
            key_text = f"{data['complex']} / {data['building']} / {data['number']}"
            try:
                current = existing.get((building.id, data["number"]))
                if current is None:
                    values = self._new(building, data)
                    creates.append(values)
                    result = RowResult(line, Outcome.CREATE, key_text)
                    create_results.append(result)
                    results.append(result)
                else:
                    changes = self._changes(current, building, data)
                    if not changes:
                        results.append(RowResult(line, Outcome.UNCHANGED, key_text))
                        continue
                    updates.append({"id": current.id, **{k: v[1] for k, v in changes.items()}})
                    audits.append(
                        (current.id, {k: v[0] for k, v in changes.items()}, {k: v[1] for k, v in changes.items()})
                    )
                    self.touched.add(building.complex_id)
                    results.append(RowResult(line, Outcome.UPDATE, key_text, changes=_jsonable(changes)))
            except RowError as exc:
                results.append(_reject(line, row, exc, key_text))
        if creates:
            before = self.db.scalar(select(func.coalesce(func.max(Apartment.id), 0)))
            insert_rows(self.db, Apartment, creates)
            made = self.db.execute(  # the rows just made (and, on PostgreSQL, any made meanwhile)
                select(Apartment.building_id, Apartment.number, Apartment.id).where(Apartment.id > before)
            )
            by_key = {(b, n): i for b, n, i in made}
            ids = [by_key[(c["building_id"], c["number"])] for c in creates]
            audits += [
                (i, None, {k: v for k, v in c.items() if k != "building_id"}) for i, c in zip(ids, creates, strict=True)
            ]
        if updates:
            self.db.execute(update(Apartment), updates)
        if audits:
            insert_rows(self.db, AuditEntry, _audit_rows(self.actor, self.job, "apartment", audits))
        return results

    def _new(self, building: Building, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("floor", "rooms", "area"):
            if name not in data:
                raise RowError(name, N_("This cell is empty."))
        if data.get("status") in LOCKED:
            raise RowError("status", N_("Bookings and contracts set “booked” and “sold”, not a file."))
        self._check_floor(building, data)
        per_m2, total = self._prices(data["area"], data.get("price_per_m2"), data.get("total_price"))
        self.touched.add(building.complex_id)
        return {
            "building_id": building.id,
            "number": data["number"],
            "floor": data["floor"],
            "section": data.get("section", 1),
            "rooms": data["rooms"],
            "area": data["area"],
            "price_per_m2": per_m2,
            "total_price": total,
            "status": data.get("status", ApartmentStatus.FREE),
            "updated_at": self.now,
        }

    def _changes(self, current: Any, building: Building, data: dict[str, Any]) -> dict[str, list[Any]]:
        area = data.get("area", current.area)
        if "price_per_m2" in data or "total_price" in data:
            per_m2, total = self._prices(area, data.get("price_per_m2"), data.get("total_price"))
        else:
            per_m2, total = current.price_per_m2, total_price(area, current.price_per_m2)
        wanted = {**{k: data[k] for k in APARTMENT_FIELDS if k in data}, "price_per_m2": per_m2, "total_price": total}
        changes = {k: [getattr(current, k), v] for k, v in wanted.items() if getattr(current, k) != v}
        if not changes:
            return {}
        if current.status in LOCKED:
            field_name = "status" if "status" in changes else next(iter(changes))
            raise RowError(field_name, N_("The apartment is booked or sold: a file may not change it."))
        if "status" in changes and changes["status"][1] in LOCKED:
            raise RowError("status", N_("Bookings and contracts set “booked” and “sold”, not a file."))
        if "floor" in changes:
            self._check_floor(building, data)
        return changes

    @staticmethod
    def _check_floor(building: Building, data: dict[str, Any]) -> None:
        if data["floor"] > building.floors:
            raise RowError("floor", N_("The floor is above the building's top floor."))
        if data.get("section", 1) > building.sections:
            raise RowError("section", N_("The building has fewer sections."))

    @staticmethod
    def _prices(area: Decimal, per_m2: Decimal | None, total: Decimal | None) -> tuple[Decimal, Decimal]:
        """(price per m², total): from the price per m² when given, else from the total."""
        if per_m2 is None:
            if total is None:
                raise RowError("price_per_m2", N_("This cell is empty."))
            per_m2 = (total / area).quantize(CENT)
        return per_m2, total_price(area, per_m2)

    def finish(self) -> None:
        """Mark the complexes whose inventory changed (grids and caches key on it)."""
        bump_inventory(self.db, self.touched)


class LeadImport:
    """Leads by phone (E.164), one lead per phone: new ones created and distributed, known ones completed."""

    def __init__(self, db: Session, actor: User, job: ImportJob) -> None:
        self.db, self.actor, self.job = db, actor, job
        self.dialect = db.get_bind().dialect.name
        self.sellers: dict[str, int] = {}
        for u in db.scalars(select(User).where(User.role == Role.SALES, User.is_active.is_(True))):
            self.sellers[u.username.lower()] = u.id
            self.sellers.setdefault(u.display_name.strip().lower(), u.id)
        self.complexes: dict[str, int] = {}
        for c in db.scalars(select(Complex)):
            self.complexes[c.name.strip().lower()] = c.id
            self.complexes.setdefault(c.slug.lower(), c.id)
        self.seen: set[str] = set()
        self.new_ids: list[int] = []

    def parse(self, cells: dict[str, object]) -> dict[str, Any]:
        """The typed values of a row's cells; RowError for the first bad one."""
        if "phone" not in cells:
            raise RowError("phone", N_("This cell is empty."))
        data: dict[str, Any] = {"phone": _parse("phone", cells["phone"], norm.phone)}
        data["name"] = norm.text(cells.get("name"))[:200]
        if "assigned" in cells:
            seller = self.sellers.get(norm.text(cells["assigned"]).lower())
            if seller is None:
                raise RowError("assigned", N_("Unknown salesperson."))
            data["assigned_id"] = seller
        if "complex" in cells:
            complex_id = self.complexes.get(norm.text(cells["complex"]).lower())
            if complex_id is None:
                raise RowError("complex", N_("Unknown complex."))
            data["complex_id"] = complex_id
        return data

    def chunk(
        self, rows: list[tuple[int, list[object]]], headers: list[str], mapping: dict[str, str]
    ) -> list[RowResult]:
        """Decide and write one chunk of rows."""
        parsed: list[tuple[int, list[object], dict[str, Any] | None, RowResult | None]] = []
        positions = _positions(headers, mapping)
        for line, row in rows:
            cells = _cells(positions, row)
            try:
                data = self.parse(cells)
                if data["phone"] in self.seen:
                    raise RowError("phone", N_("The same phone is already in an earlier row of the file."))
                self.seen.add(data["phone"])
                parsed.append((line, row, data, None))
            except RowError as exc:
                parsed.append((line, row, None, _reject(line, row, exc, key_cells(cells, ("phone",)))))
        phones = [d["phone"] for _, _, d, _ in parsed if d is not None]
        columns = (Lead.id, Lead.phone, Lead.name, Lead.complex_id, Lead.assigned_id)
        found = self.db.execute(select(*columns).where(one_of(Lead.phone, phones, self.dialect))) if phones else []
        existing = {lead.phone: lead for lead in found}
        results: list[RowResult] = []
        creates: list[dict] = []
        updates: list[dict] = []
        audits: list[tuple[int, dict | None, dict]] = []
        now = clock.now()
        for line, _row, data, rejected in parsed:
            if rejected is not None:
                results.append(rejected)
                continue
            current = existing.get(data["phone"])
            if current is None:
                creates.append(
                    {
                        "name": data["name"],
                        "phone": data["phone"],
                        "source": LeadSource.SHEET,
                        "status": LeadStatus.NEW,
                        "complex_id": data.get("complex_id"),
                        "assigned_id": data.get("assigned_id"),
                        "search_key": lead_search_key(data["name"], data["phone"]),
                        "last_touch_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                results.append(RowResult(line, Outcome.CREATE, data["phone"]))
                continue
            changes = self._changes(current, data)
            if not changes:
                results.append(RowResult(line, Outcome.UNCHANGED, data["phone"]))
                continue
            after = {k: v[1] for k, v in changes.items()}
            values = {"id": current.id, **after, "updated_at": now}
            if "name" in after:
                values["search_key"] = lead_search_key(after["name"], current.phone)
            updates.append(values)
            audits.append((current.id, {k: v[0] for k, v in changes.items()}, after))
            results.append(RowResult(line, Outcome.UPDATE, data["phone"], changes=_jsonable(changes)))
        if creates:
            before = self.db.scalar(select(func.coalesce(func.max(Lead.id), 0)))
            insert_indexed(self.db, creates)
            made = self.db.execute(select(Lead.phone, Lead.id).where(Lead.id > before))  # as for apartments
            by_phone = dict(made.all())
            ids = [by_phone[c["phone"]] for c in creates]
            insert_rows(
                self.db,
                LeadStatusChange,
                [
                    {"lead_id": i, "from_status": None, "to_status": LeadStatus.NEW, "by_id": self.actor.id, "at": now}
                    for i in ids
                ],
            )
            audits += [
                (i, None, {k: c[k] for k in ("name", "phone", "source", "status", "complex_id", "assigned_id")})
                for i, c in zip(ids, creates, strict=True)
            ]
            self.new_ids += [i for i, c in zip(ids, creates, strict=True) if c["assigned_id"] is None]
        if updates:
            self.db.execute(update(Lead), updates)
        if audits:
            insert_rows(self.db, AuditEntry, _audit_rows(self.actor, self.job, "lead", audits))
        return results

    @staticmethod
    def _changes(current: Any, data: dict[str, Any]) -> dict[str, list[Any]]:
        """What a file may complete on a known lead: a name it lacks, a complex, a salesperson when it has none."""
        changes: dict[str, list[Any]] = {}
        if data["name"] and data["name"] != current.name:
            changes["name"] = [current.name, data["name"]]
        if data.get("complex_id") and data["complex_id"] != current.complex_id:
            changes["complex_id"] = [current.complex_id, data["complex_id"]]
        if data.get("assigned_id") and current.assigned_id is None:
            changes["assigned_id"] = [None, data["assigned_id"]]
        return changes

    def finish(self) -> None:
        """Give the new unassigned leads out like any new lead (automatic distribution)."""
        if self.new_ids:
            self.db.expire_all()
            distribution.route_new_leads(self.db, self.new_ids)


def insert_rows(db: Session, model: type, rows: list[dict]) -> None:
    """Insert many rows in bulk (`app.db.insert_many`: no ORM bookkeeping, no RETURNING)."""
    insert_many(db, model.__table__, rows)


def _reject(line: int, row: list[object], exc: RowError, key: str = "") -> RowResult:
    return RowResult(line, Outcome.REJECT, key, exc.field, exc.reason, values=[norm.text(v) for v in row])


def key_cells(cells: dict[str, object], fields: tuple[str, ...]) -> str:
    """A rejected row's key as the file wrote it (its key cells joined), so the admin finds the row."""
    return " / ".join(norm.text(cells[f]) for f in fields if f in cells)[:300]


PROCESSORS = {ImportKind.APARTMENTS: ApartmentImport, ImportKind.LEADS: LeadImport}


def run(
    db: Session,
    actor: User,
    job: ImportJob,
    headers: list[str],
    rows: Iterator[tuple[int, list[object]]],
    progress: Progress | None = None,
    processors: dict[ImportKind, type] | None = None,
) -> Run:
    """One pass over the rows: decide and write each chunk; report rows done after each chunk."""
    processor = (processors or PROCESSORS)[job.kind](db, actor, job)
    outcome = Run()
    for chunk in _chunks(rows):
        outcome.add(processor.chunk(chunk, headers, job.mapping))
        outcome.total += len(chunk)
        if progress is not None:
            progress(outcome.total)
    processor.finish()
    db.flush()
    return outcome
