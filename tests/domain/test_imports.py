"""Imports of apartments and leads: normalisers, mapping suggestions, every rejection reason,
the preview that changes nothing, all-or-nothing apply, idempotent re-runs, the never-overwrite
rules, audit entries under the import's id, distribution of new leads."""

from __future__ import annotations

import gc
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import delete, func, select, update

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid
from app.domain.audit.models import AuditEntry
from app.domain.distribution.crud import distribution
from app.domain.distribution.models import (
    AssignReason,
    DistributionMode,
    LeadAssignment,
    SellerTurn,
)
from app.domain.imports import engine
from app.domain.imports import normalise as norm
from app.domain.imports.crud import imports
from app.domain.imports.mapping import suggest
from app.domain.imports.models import ImportKind, ImportRow, ImportStatus, Outcome
from app.domain.imports.readers import FileUpload, count_xlsx_rows, open_table, sniff_csv
from app.domain.imports.schemas import ImportOptions, RowFilter
from app.domain.inventory.models import Apartment, ApartmentStatus, Building
from app.domain.leads.models import Lead, LeadSource
from app.domain.staff.attendance import attendance
from tests.factories import make_building, make_complex, make_lead, make_user

MB = 1024 * 1024
APARTMENT_HEADER = "ЖК;Блок;Номер;Этаж;Комнаты;Площадь;Цена за м²;Статус\n"


def upload(db, admin, tmp_path: Path, content: bytes, kind=ImportKind.APARTMENTS, filename="prices.csv", **options):
    """Upload a file and preview it; returns the import."""
    job = imports.create(db, admin, kind, FileUpload(io.BytesIO(content), filename), tmp_path, 20 * MB, 200_000)
    if options:
        imports.configure(db, admin, job.id, ImportOptions(mapping=job.mapping, **options), tmp_path)
    imports.begin(db, admin, job.id, apply=False, data_dir=tmp_path)
    return imports.run(db, admin, job.id, tmp_path)


def apply(db, admin, tmp_path: Path, job):
    """Apply a previewed import."""
    imports.begin(db, admin, job.id, apply=True, data_dir=tmp_path)
    return imports.run(db, admin, job.id, tmp_path)


def outcomes(db, job) -> dict[int, ImportRow]:
    """The import's row outcomes by line."""
    return {r.line: r for r in db.scalars(select(ImportRow).where(ImportRow.import_id == job.id))}


@pytest.fixture
def admin(db):
    """The admin who imports."""
    return make_user(db, Role.ADMIN)


@pytest.fixture
def sunrise(db, admin):
    """A complex "Sunrise" with building A of 5 floors x 4 apartments (101..504) at 1000 per m²."""
    complex_ = make_complex(db, "sunrise", name="Sunrise", actor=admin)
    make_building(db, complex_.id, "A", floors=5, units=4)
    return complex_


# ---- normalisers and suggestions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+998 90 123-45-67", "+998901234567"),
        ("998901234567", "+998901234567"),
        ("(90) 123 45 67", "+998901234567"),
        ("90 123 45 67", "+998901234567"),
        ("8 90 123 45 67", "+998901234567"),
        (998901234567.0, "+998901234567"),
    ],
)
def test_phone_spellings_become_e164(text, expected):
    assert norm.phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "", "телефон"])
def test_a_bad_phone_is_refused(text):
    with pytest.raises(ValueError):
        norm.phone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 250 000 сум", Decimal("1250000")),
        ("$34,148.40", Decimal("34148.40")),
        ("62,5", Decimal("62.5")),
        ("1.250.000", Decimal("1250000")),
        ("1 250 000,50", Decimal("1250000.50")),
        ("1,250,000", Decimal("1250000")),
        (62.5, Decimal("62.5")),
    ],
)
def test_money_and_decimal_commas(text, expected):
    assert norm.decimal(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("2", 2), ("2 к.", 2), ("2-комн.", 2), ("3 xona", 3), ("студия", 0)])
def test_rooms(text, expected):
    assert norm.rooms(text) == expected


def test_dates():
    assert norm.day("05.11.2026") == date(2026, 11, 5)
    assert norm.day("2026-11-05") == date(2026, 11, 5)
    with pytest.raises(ValueError):
        norm.day("31.02.2026")


def test_suggestions_from_russian_english_and_uzbek_headers():
    assert suggest(ImportKind.APARTMENTS, ["ЖК", "Блок", "Номер", "Этаж", "Площадь", "Цена за м²", "Цена"]) == {
        "complex": "ЖК",
        "building": "Блок",
        "number": "Номер",
        "floor": "Этаж",
        "area": "Площадь",
        "price_per_m2": "Цена за м²",
        "total_price": "Цена",
    }
    assert (
        suggest(ImportKind.APARTMENTS, ["Complex", "Building", "Number", "Floor", "Area (m2)", "Price per m2"])["area"]
        == "Area (m2)"
    )
    assert suggest(ImportKind.LEADS, ["Telefon raqami", "Ismi", "Menejer"]) == {
        "phone": "Telefon raqami",
        "name": "Ismi",
        "assigned": "Menejer",
    }


# ---- reading files ---------------------------------------------------------------------------


def test_csv_encodings_and_delimiters_are_sniffed(tmp_path):
    text = "Телефон;Имя\n+998901234567;Алишер\n"
    for encoding, data in (
        ("utf-8-sig", b"\xef\xbb\xbf" + text.encode()),
        ("utf-8", text.encode()),
        ("cp1251", text.encode("cp1251")),
    ):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(data)
        assert sniff_csv(path) == (encoding, ";")
        table = open_table(path)
        assert table.headers == ["Телефон", "Имя"]
        assert list(table.rows) == [(2, ["+998901234567", "Алишер"])]
    comma = tmp_path / "comma.csv"
    comma.write_text("phone,name\n")
    assert sniff_csv(comma)[1] == ","


def test_xlsx_reads_values_and_stops_after_the_data(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер", "Площадь", "Цена"])
    sheet.append(["101", 50, "=B2*1000"])
    sheet["A5000"] = None  # a stated size larger than the data
    sheet.cell(row=1048576, column=1).value = ""
    path = tmp_path / "book.xlsx"
    book.save(path)
    table = open_table(path)
    assert table.headers == ["Номер", "Площадь", "Цена"]
    rows = list(table.rows)
    assert [line for line, _ in rows] == [2]


def _workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_quick_xlsx_row_count_agrees_with_the_reader(tmp_path):
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер", "Площадь", "Цена"])
    sheet.append(["101", 50, "=B2*1000"])
    sheet.append([None, None, None])  # a blank row in the middle
    sheet.append(["", None, None])  # an empty string: a blank row too
    sheet.append(["103", 40.5, 1000])
    sheet["A9"].font = Font(bold=True)  # a formatted cell with no value
    sheet["A5000"] = None  # a stated size larger than the data
    streamed = openpyxl.Workbook(write_only=True)  # inline strings, no stated size
    rows = streamed.create_sheet()
    for row in (["Телефон", "ФИО"], ["+998901234567", "Али"], [None, None], ["+998901234568", ""]):
        rows.append(row)
    for name, book_ in (("plain.xlsx", book), ("streamed.xlsx", streamed)):
        path = tmp_path / name
        path.write_bytes(_workbook_bytes(book_))
        assert len(list(open_table(path).rows)) == 2
        assert count_xlsx_rows(path, 1000) == 2


def test_an_xlsx_with_more_rows_than_allowed_is_refused_at_upload(db, admin, tmp_path):
    book = openpyxl.Workbook()
    for i in range(6):
        book.active.append([f"+99890123456{i}", "Али"])
    upload = FileUpload(io.BytesIO(_workbook_bytes(book)), "leads.xlsx")
    with pytest.raises(Invalid, match="more than"):
        imports.create(db, admin, ImportKind.LEADS, upload, tmp_path, MB, 4)
    upload = FileUpload(io.BytesIO(_workbook_bytes(book)), "leads.xlsx")
    assert imports.create(db, admin, ImportKind.LEADS, upload, tmp_path, MB, 5).total_rows == 5


# ---- apartments ------------------------------------------------------------------------------


@pytest.mark.parametrize("spooled_in_memory", [engine.SPOOL_IN_MEMORY, 16], ids=["in-memory", "on-disk"])
def test_preview_changes_nothing_and_counts_each_outcome(db, admin, sunrise, tmp_path, monkeypatch, spooled_in_memory):
    monkeypatch.setattr(engine, "SPOOL_IN_MEMORY", spooled_in_memory)  # 16 bytes: the outcomes go to a file
    content = (
        APARTMENT_HEADER
        + "Sunrise;A;601;5;2 к.;62,5;1 250 000 сум;свободна\n"  # new (floor 5 exists)
        + "Sunrise;A;101;1;2;60;1000;\n"  # same as stored
        + "Sunrise;A;102;1;2;60;1 100;\n"  # price changed
        + "Nowhere;A;1;1;1;30;1000;\n"  # unknown complex
    ).encode()
    before = db.scalar(select(func.count()).select_from(Apartment))
    job = upload(db, admin, tmp_path, content)
    assert job.status == ImportStatus.PREVIEW
    assert job.counts == {"create": 1, "update": 1, "unchanged": 1, "reject": 1}
    assert db.scalar(select(func.count()).select_from(Apartment)) == before
    rows = outcomes(db, job)
    assert [rows[line].outcome for line in (2, 3, 4, 5)] == [
        Outcome.CREATE,
        Outcome.UNCHANGED,
        Outcome.UPDATE,
        Outcome.REJECT,
    ]
    assert rows[2].key == "Sunrise / A / 601"
    assert rows[4].changes["price_per_m2"] == ["1000.00", "1100.00"]
    assert rows[5].reason == "Unknown complex." and rows[5].field == "complex"
    assert rows[5].values[0] == "Nowhere"
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")) == 0


def test_apply_writes_it_and_a_second_run_is_all_unchanged(db, admin, sunrise, tmp_path):
    content = (
        APARTMENT_HEADER + "Sunrise;A;601;5;2 к.;62,5;1 250 000 сум;\n" + "Sunrise;A;102;1;2;60;1 100;\n"
    ).encode()
    job = apply(db, admin, tmp_path, upload(db, admin, tmp_path, content))
    assert job.status == ImportStatus.DONE
    assert job.counts["create"] == 1 and job.counts["update"] == 1
    new = db.scalar(select(Apartment).where(Apartment.number == "601"))
    assert (new.rooms, new.area, new.price_per_m2, new.total_price) == (
        2,
        Decimal("62.50"),
        Decimal("1250000.00"),
        Decimal("78125000.00"),
    )
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
    assert {e.after["import_id"] for e in entries} == {job.id}
    assert len(entries) == 2
    again = apply(db, admin, tmp_path, upload(db, admin, tmp_path, content))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "reject": 0}
    changed = content.replace(b"1 100", b"1 200")
    third = apply(db, admin, tmp_path, upload(db, admin, tmp_path, changed))
    assert third.counts == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    assert db.scalar(select(Apartment.price_per_m2).where(Apartment.number == "102")) == Decimal("1200.00")


def test_an_applied_import_cannot_be_applied_again(db, admin, sunrise, tmp_path):
    job = apply(
        db, admin, tmp_path, upload(db, admin, tmp_path, (APARTMENT_HEADER + "Sunrise;A;101;1;2;60;900;\n").encode())
    )
    with pytest.raises(Conflict):
        imports.begin(db, admin, job.id, apply=True, data_dir=tmp_path)


def test_booked_and_sold_apartments_are_never_overwritten(db, admin, sunrise, tmp_path):
    db.execute(
        Apartment.__table__.update().where(Apartment.number == "101").values(status=ApartmentStatus.BOOKED.value)
    )
    db.execute(Apartment.__table__.update().where(Apartment.number == "102").values(status=ApartmentStatus.SOLD.value))
    content = (
        APARTMENT_HEADER
        + "Sunrise;A;101;1;2;60;1000;свободна\n"  # would free a booked one
        + "Sunrise;A;102;1;2;60;2000;\n"  # would reprice a sold one
        + "Sunrise;A;103;1;2;60;1000;продана\n"  # a file cannot sell
        + "Sunrise;A;104;1;2;60;1000;\n"  # unchanged free one
    ).encode()
    job = apply(db, admin, tmp_path, upload(db, admin, tmp_path, content))
    rows = outcomes(db, job)
    assert [rows[n].outcome for n in (2, 3, 4, 5)] == [Outcome.REJECT] * 3 + [Outcome.UNCHANGED]
    assert rows[2].reason == rows[3].reason == "The apartment is booked or sold: a file may not change it."
    assert rows[4].field == "status"
    statuses = dict(
        db.execute(select(Apartment.number, Apartment.status).where(Apartment.number.in_(["101", "102", "103"]))).all()
    )
    assert statuses == {"101": ApartmentStatus.BOOKED, "102": ApartmentStatus.SOLD, "103": ApartmentStatus.FREE}
    assert db.scalar(select(Apartment.price_per_m2).where(Apartment.number == "102")) == Decimal("1000.00")


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("Sunrise;A;701;7;2;60;1000;", "floor", "The floor is above the building's top floor."),
        ("Sunrise;A;601;5;2;60;0;", "price_per_m2", "The price is zero."),
        ("Sunrise;A;601;5;2;0;1000;", "area", "The area must be above zero."),
        ("Sunrise;A;601;5;много;50;1000;", "rooms", "Not a number of rooms."),
        ("Sunrise;A;601;5;2;пятьдесят;1000;", "area", "Not a number."),
        ("Sunrise;A;601;5;2;60;1000;непонятно", "status", "Unknown status."),
        ("Sunrise;B;1;1;2;50;1000;", "building", "Unknown building (tick “create buildings” to add it)."),
        ("Sunrise;A;;5;2;60;1000;", "number", "This cell is empty."),
        ("Sunrise;A;601;5;;50;1000;", "rooms", "This cell is empty."),
        ("Sunrise;A;601;5;2;60;;", "price_per_m2", "This cell is empty."),
    ],
)
def test_every_apartment_rejection_names_its_cell(db, admin, sunrise, tmp_path, line, field, reason):
    job = upload(db, admin, tmp_path, (APARTMENT_HEADER + line + "\n").encode())
    row = outcomes(db, job)[2]
    assert (row.outcome, row.field, row.reason) == (Outcome.REJECT, field, reason)
    assert row.key == " / ".join(cell for cell in line.split(";")[:3] if cell)  # as the file wrote it


def test_a_duplicate_key_within_the_file_is_rejected(db, admin, sunrise, tmp_path):
    content = (APARTMENT_HEADER + "Sunrise;A;601;5;2;60;1000;\n" + "sunrise;a;601;5;3;60;1000;\n").encode()
    rows = outcomes(db, upload(db, admin, tmp_path, content))
    assert rows[2].outcome == Outcome.CREATE
    assert rows[3].reason == "The same apartment is already in an earlier row of the file."


def test_buildings_are_created_when_asked(db, admin, sunrise, tmp_path):
    content = (APARTMENT_HEADER + "Sunrise;C;101;1;2;50;1000;\n" + "Sunrise;C;901;9;2;50;1000;\n").encode()
    job = apply(db, admin, tmp_path, upload(db, admin, tmp_path, content, create_buildings=True))
    assert job.counts["create"] == 2
    building = db.scalar(select(Building).where(Building.name == "C"))
    assert building.floors == 9


def test_a_failing_apply_leaves_no_partial_data(db, admin, sunrise, tmp_path):
    job = upload(db, admin, tmp_path, (APARTMENT_HEADER + "Sunrise;A;601;5;2;60;1000;\n").encode())
    (tmp_path / "imports" / job.path).unlink()  # the file vanished between preview and apply
    job = apply(db, admin, tmp_path, job)
    assert job.status == ImportStatus.FAILED
    assert db.scalar(select(func.count()).where(Apartment.number == "601")) == 0


def test_a_cancelled_running_apply_stops_and_keeps_nothing(db, admin, sunrise, tmp_path):
    lines = "".join(f"Sunrise;A;{700 + i};5;2;60;1000;\n" for i in range(3))
    job = upload(db, admin, tmp_path, (APARTMENT_HEADER + lines).encode())
    imports.begin(db, admin, job.id, apply=True, data_dir=tmp_path)
    assert imports.cancel(db, admin, job.id, tmp_path).status == ImportStatus.APPLYING  # asked to stop
    assert imports.stopping(job, tmp_path)
    job = imports.run(db, admin, job.id, tmp_path)
    assert job.status == ImportStatus.CANCELLED
    assert db.scalar(select(func.count()).where(Apartment.number.in_(["700", "701", "702"]))) == 0
    assert not imports.stopping(job, tmp_path)
    assert gc.get_freeze_count() == 0


def test_a_stop_left_after_a_finished_run_does_not_cancel_the_next(db, admin, sunrise, tmp_path):
    job = upload(db, admin, tmp_path, (APARTMENT_HEADER + "Sunrise;A;710;5;2;60;1000;\n").encode())
    (tmp_path / "imports" / f"{job.id}.stop").touch()  # a cancel that arrived as the preview ended
    job = apply(db, admin, tmp_path, job)
    assert job.status == ImportStatus.DONE
    with pytest.raises(Conflict):
        imports.cancel(db, admin, job.id, tmp_path)


def test_a_previewed_import_is_cancelled_at_once(db, admin, sunrise, tmp_path):
    job = upload(db, admin, tmp_path, (APARTMENT_HEADER + "Sunrise;A;720;5;2;60;1000;\n").encode())
    assert imports.cancel(db, admin, job.id, tmp_path).status == ImportStatus.CANCELLED
    with pytest.raises(Conflict):
        imports.begin(db, admin, job.id, apply=True, data_dir=tmp_path)


def test_the_mapping_is_saved_and_reused_for_the_same_source(db, admin, sunrise, tmp_path):
    content = "Квартира №;Корпус;Объект;Этаж;Комн;Кв.м;Стоимость м2\nx\n".encode()
    first = upload(db, admin, tmp_path, content, filename="Price list.csv")
    mapping = {"number": "Квартира №", "building": "Корпус", "complex": "Объект", "price_per_m2": "Стоимость м2"}
    imports.configure(db, admin, first.id, ImportOptions(mapping=mapping), tmp_path)
    second = imports.create(
        db, admin, ImportKind.APARTMENTS, FileUpload(io.BytesIO(content), "price list.csv"), tmp_path, MB, 10
    )
    assert second.mapping == mapping


def test_files_are_refused_before_any_work(db, admin, tmp_path):
    with pytest.raises(Invalid):
        imports.create(db, admin, ImportKind.LEADS, FileUpload(io.BytesIO(b"x" * 2000), "big.csv"), tmp_path, 1000, 10)
    with pytest.raises(Invalid):
        imports.create(db, admin, ImportKind.LEADS, FileUpload(io.BytesIO(b"a\n1\n2\n3\n"), "a.csv"), tmp_path, MB, 2)
    with pytest.raises(Invalid):
        imports.create(db, admin, ImportKind.LEADS, FileUpload(io.BytesIO(b"MZ"), "a.exe"), tmp_path, MB, 2)
    assert list((tmp_path / "imports").glob("*")) == []


def test_only_admins_import(db, tmp_path):
    with pytest.raises(Forbidden):
        imports.recent(db, make_user(db, Role.MOP))


# ---- leads -----------------------------------------------------------------------------------


def test_leads_one_per_phone_created_completed_or_rejected(db, admin, sunrise, tmp_path):
    seller = make_user(db, Role.SALES, username="dilnoza", full_name="Дильноза")
    known = make_lead(db, phone="+998901110000", name="")
    content = (
        "Телефон;ФИО;Менеджер;ЖК\n"
        "+998 90 123-45-67;Алишер;Дильноза;Sunrise\n"
        "90 111 00 00;Бобур;;\n"  # the known lead gets its name
        "12345;Плохой;;\n"
        "998901234567;Повтор;;\n"
        "+998901230000;Кто-то;Никто;\n"
        "+998901230001;Где-то;;Nowhere\n"
    ).encode("cp1251")
    job = apply(db, admin, tmp_path, upload(db, admin, tmp_path, content, kind=ImportKind.LEADS, filename="leads.csv"))
    rows = outcomes(db, job)
    assert [rows[n].outcome for n in range(2, 8)] == [
        Outcome.CREATE,
        Outcome.UPDATE,
        Outcome.REJECT,
        Outcome.REJECT,
        Outcome.REJECT,
        Outcome.REJECT,
    ]
    assert rows[4].reason == "Not a phone number."
    assert rows[5].reason == "The same phone is already in an earlier row of the file."
    assert rows[6].reason == "Unknown salesperson."
    assert rows[7].reason == "Unknown complex."
    lead = db.scalar(select(Lead).where(Lead.phone == "+998901234567"))
    assert (lead.name, lead.source, lead.assigned_id, lead.complex_id) == (
        "Алишер",
        LeadSource.SHEET,
        seller.id,
        sunrise.id,
    )
    db.refresh(known)
    assert known.name == "Бобур"
    again = apply(
        db, admin, tmp_path, upload(db, admin, tmp_path, content, kind=ImportKind.LEADS, filename="leads.csv")
    )
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "reject": 4}


def test_new_leads_are_distributed_like_any_new_lead(db, admin, tmp_path):
    distribution.settings(db).mode = DistributionMode.AUTO
    first, second = make_user(db, Role.SALES), make_user(db, Role.SALES)
    for seller in (first, second):
        attendance.check_in(db, seller)
    content = b"phone,name\n+998901000001,A\n+998901000002,B\n+998901000003,C\n+998901000004,D\n"
    apply(db, admin, tmp_path, upload(db, admin, tmp_path, content, kind=ImportKind.LEADS, filename="l.csv"))
    owners = db.scalars(select(Lead.assigned_id).where(Lead.phone.like("+99890100000%")).order_by(Lead.id)).all()
    assert sorted(owners.count(s.id) for s in (first, second)) == [2, 2]


def _decisions(db, lead_ids):
    """Each lead's salesperson and its automatic decision (reason, those skipped), in id order."""
    rows = db.execute(
        select(Lead.id, Lead.assigned_id, LeadAssignment.reason, LeadAssignment.skipped)
        .join(LeadAssignment, LeadAssignment.lead_id == Lead.id)
        .where(Lead.id.in_(lead_ids))
        .order_by(Lead.id)
    )
    return [(assigned, reason, skipped) for _, assigned, reason, skipped in rows]


@pytest.mark.parametrize(
    ("weights", "caps", "waited_minutes", "waiting"),
    [
        ((2, 1, 1), (4, 2, 3), (None, None, None), 2),  # weighted; 4 + 2 + 3 given, then all at their cap
        ((1, 1, 1), (None, None, 2), (1, 2, 3), 0),  # equal weights: ties go to who waited longest
    ],
    ids=["weights-and-caps", "ties"],
)
def test_imported_leads_get_the_turns_caps_and_ties_one_at_a_time_would_give(
    db, admin, tmp_path, weights, caps, waited_minutes, waiting
):
    distribution.settings(db).mode = DistributionMode.AUTO
    sellers = [make_user(db, Role.SALES) for _ in range(3)]
    make_user(db, Role.SALES)  # expected, not on shift
    now = clock.now()

    def start_turns():
        for seller, weight, cap, minutes in zip(sellers, weights, caps, waited_minutes, strict=True):
            last = now - timedelta(minutes=minutes) if minutes else None
            db.merge(SellerTurn(user_id=seller.id, weight=weight, daily_cap=cap, credit=0, last_assigned_at=last))
        db.flush()

    start_turns()
    for seller in sellers:
        attendance.check_in(db, seller)
    content = "phone,name\n" + "".join(f"+99890300{i:04d},Клиент {i}\n" for i in range(11))
    apply(db, admin, tmp_path, upload(db, admin, tmp_path, content.encode(), kind=ImportKind.LEADS, filename="l.csv"))
    ids = db.scalars(select(Lead.id).where(Lead.phone.like("+99890300%")).order_by(Lead.id)).all()
    in_bulk = _decisions(db, ids)
    assert [a for a, _, _ in in_bulk].count(None) == waiting
    assert AssignReason.CAP_SKIPPED in {r for _, r, _ in in_bulk}
    # the same leads, the same turns from the start, given one at a time by the per-lead path
    db.execute(delete(LeadAssignment).where(LeadAssignment.lead_id.in_(ids)))
    db.execute(update(Lead).where(Lead.id.in_(ids)).values(assigned_id=None))
    start_turns()
    db.expire_all()
    for lead in db.scalars(select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id)):
        distribution._give(db, lead, AssignReason.TURN, record_waiting=True)
    assert _decisions(db, ids) == in_bulk


def test_thousands_of_new_leads_wait_when_nobody_is_on_shift(db, admin, tmp_path):
    distribution.settings(db).mode = DistributionMode.AUTO
    make_user(db, Role.SALES)  # expected, not checked in
    content = "phone,name\n" + "".join(f"+99890200{i:04d},Клиент {i}\n" for i in range(2500))
    job = upload(db, admin, tmp_path, content.encode(), kind=ImportKind.LEADS, filename="l.csv")
    job = apply(db, admin, tmp_path, job)
    assert job.counts["create"] == 2500
    assert distribution.waiting_count(db) == 2500
    new_ids = select(Lead.id).where(Lead.phone.like("+99890200%"))
    waiting = select(func.count()).where(
        LeadAssignment.lead_id.in_(new_ids), LeadAssignment.reason == AssignReason.WAITING_ABSENT
    )
    assert db.scalar(waiting) == 2500  # one decision per lead, across the batches
    logged = select(func.count(func.distinct(AuditEntry.entity_id))).where(
        AuditEntry.entity == "lead", AuditEntry.action == "auto_assign"
    )
    assert db.scalar(logged) == 2500
    assert gc.get_freeze_count() == 0  # the run handed its objects back to the garbage collector


def test_rows_are_listed_by_outcome(db, admin, sunrise, tmp_path):
    content = (APARTMENT_HEADER + "Sunrise;A;601;5;2;60;1000;\nNowhere;A;1;1;1;30;1000;\n").encode()
    job = upload(db, admin, tmp_path, content)
    page = imports.rows(db, admin, job.id, RowFilter(outcome=Outcome.REJECT))
    assert [r.line for r in page.items] == [3]


def test_xlsx_import_of_apartments(db, admin, sunrise, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ЖК", "Блок", "Номер", "Этаж", "Комнаты", "Площадь", "Цена за м²"])
    sheet.append(["Sunrise", "A", 601, 5, "3-комн.", 80.5, 1500])
    data = io.BytesIO()
    book.save(data)
    job = apply(db, admin, tmp_path, upload(db, admin, tmp_path, data.getvalue(), filename="prices.xlsx"))
    assert job.counts["create"] == 1
    new = db.scalar(select(Apartment).where(Apartment.number == "601"))
    assert (new.rooms, new.area, new.price_per_m2) == (3, Decimal("80.50"), Decimal("1500.00"))
