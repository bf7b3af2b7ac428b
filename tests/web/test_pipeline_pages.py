"""The pipeline's HTML pages: kanban, lead page, callbacks, new lead, bookings, the apartment
card's Book form; row scope on every page and on the JSON twin; fixed query counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import Booking, BookingStatus, ExtensionStatus
from app.domain.bookings.schemas import BookingCreate
from app.domain.inventory.crud import apartments
from app.domain.inventory.models import ApartmentStatus
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead, LeadComment, LeadStatus, Temperature
from app.domain.leads.schemas import CommentCreate
from app.web.forms import local_to_utc
from app.web.i18n import current_language
from app.web.lead_page import time_left
from tests.factories import free_apartment, make_building, make_complex, make_contract, make_lead, make_user

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client_en(client_as, user_of):
    """A logged-in browser whose pages and messages are in English (the msgids), whatever the catalogs say."""

    def make(role: Role):
        user_of(role).language = "en"
        return client_as(role)

    return make


def cards_in(html: str, status: str) -> int:
    """How many kanban cards the column of `status` shows."""
    column = html.split(f'data-testid="column-{status}"', 1)[1].split('<section class="kanban-col', 1)[0]
    return column.count('data-testid="kanban-card"')


# --- pages render --------------------------------------------------------------------------


def test_every_page_renders_for_a_salesperson_with_own_data(client_en, db, user_of):
    seller = user_of(Role.SALES)
    complex_ = make_complex(db)
    make_building(db, complex_.id, floors=1, units=2)
    lead = make_lead(
        db,
        seller,
        name="Азиза Каримова",
        complex_id=complex_.id,
        temperature=Temperature.HOT,
        next_callback_at=clock.now() - timedelta(hours=3),
    )
    pipeline.comment(db, seller, lead.id, CommentCreate(text="Звонить после обеда"))
    sales = client_en(Role.SALES)
    pages = {
        "/dashboard/sales/kanban": "Азиза Каримова",
        "/dashboard/sales/callbacks": "Азиза Каримова",
        f"/dashboard/sales/leads/{lead.id}": "Звонить после обеда",
        "/dashboard/sales/leads/new": 'data-testid="lead-form"',
        "/dashboard/sales/bookings": "My bookings",
        "/dashboard/sales/leads": f'/dashboard/sales/leads/{lead.id}"',
    }
    for url, expected in pages.items():
        page = sales.get(url)
        assert page.status_code == 200, (url, page.text[:300])
        assert expected in page.text, url
        assert "/static/css/pipeline.css" in page.text, url
    callbacks = sales.get("/dashboard/sales/callbacks").text
    assert 'data-overdue="1"' in callbacks and f'href="/dashboard/sales/leads/{lead.id}"' in callbacks
    lead_page = sales.get(f"/dashboard/sales/leads/{lead.id}").text
    assert 'data-testid="lead-book-form"' in lead_page and 'data-testid="pick-apartment"' in lead_page
    assert 'data-testid="status-select"' in sales.get("/dashboard/sales/leads").text


def test_mop_sees_every_lead_but_does_not_book(client_en, db):
    seller = make_user(db, Role.SALES, full_name="Дилноза")
    lead = make_lead(db, seller, name="Клиент Дилнозы")
    flat = free_apartment(db)
    mop = client_en(Role.MOP)
    for url in (
        "/dashboard/mop/kanban",
        "/dashboard/mop/callbacks",
        "/dashboard/mop/leads/new",
        f"/dashboard/mop/leads/{lead.id}",
        "/dashboard/mop/bookings",
    ):
        assert mop.get(url).status_code == 200, url
    assert "Клиент Дилнозы" in mop.get("/dashboard/mop/kanban").text
    page = mop.get(f"/dashboard/mop/leads/{lead.id}").text
    assert "Дилноза" in page and 'data-testid="lead-book-form"' not in page
    assert mop.get("/dashboard/mop/leads/options").status_code == 403  # the MOP may not book
    moved = mop.post(f"/dashboard/mop/leads/{lead.id}/status", data={"status": "in_work", "view": "row"}, headers=HTMX)
    assert moved.status_code == 200 and "Дилноза" in moved.text  # the MOP's list shows the salesperson
    card = mop.get(f"/dashboard/mop/apartment-cards/{flat.id}", headers=HTMX).text
    assert 'data-testid="book-form"' not in card
    rop = client_en(Role.ROP)
    assert rop.get("/dashboard/rop/bookings").status_code == 200
    assert rop.get("/dashboard/rop/kanban").status_code == 404
    assert f"/dashboard/rop/leads/{lead.id}" in rop.get("/dashboard/rop/leads").text  # the ROP reads the lead page
    assert 'data-testid="status-form"' not in rop.get(f"/dashboard/rop/leads/{lead.id}").text  # but does not work it


# --- row scope -----------------------------------------------------------------------------


def test_a_salesperson_cannot_open_or_change_someone_elses_lead(client_en, db, user_of):
    user_of(Role.SALES)
    other = make_lead(db, make_user(db, Role.SALES), name="Чужой клиент")
    sales = client_en(Role.SALES)
    assert sales.get(f"/dashboard/sales/leads/{other.id}").status_code == 404
    assert sales.get(f"/api/sales/leads/{other.id}").status_code == 404
    html = sales.post(f"/dashboard/sales/leads/{other.id}/status", data={"status": "in_work", "csrf_token": sales.csrf})
    assert html.status_code == 404
    assert (
        sales.post(
            f"/dashboard/sales/leads/{other.id}/status", headers=HTMX, data={"status": "in_work", "view": "card"}
        ).status_code
        == 404
    )
    assert sales.post(f"/api/sales/leads/{other.id}/status", json={"status": "in_work"}).status_code == 404
    assert (
        sales.post(
            f"/dashboard/sales/leads/{other.id}/comments", data={"text": "hi", "csrf_token": sales.csrf}
        ).status_code
        == 404
    )
    assert sales.post(f"/api/sales/leads/{other.id}/comments", json={"text": "hi"}).status_code == 404
    assert (
        sales.post(
            f"/dashboard/sales/leads/{other.id}/edit", data={"temperature": "hot", "csrf_token": sales.csrf}
        ).status_code
        == 404
    )
    db.expire_all()
    assert db.get(Lead, other.id).status == LeadStatus.NEW
    assert not db.scalars(select(LeadComment).where(LeadComment.lead_id == other.id)).all()
    assert "Чужой клиент" not in sales.get("/dashboard/sales/kanban").text
    assert "Чужой клиент" not in sales.get("/dashboard/sales/leads/options").text


# --- kanban --------------------------------------------------------------------------------


def test_kanban_columns_page_independently(client_en, db, user_of):
    seller = user_of(Role.SALES)
    for n in range(25):
        make_lead(db, seller, name=f"New {n}")
    for n in range(3):
        make_lead(db, seller, name=f"Working {n}", status=LeadStatus.IN_WORK)
    sales = client_en(Role.SALES)
    first = sales.get("/dashboard/sales/kanban").text
    assert (cards_in(first, "new"), cards_in(first, "in_work")) == (20, 3)
    assert 'data-testid="count-new">25<' in first and 'data-testid="more-new"' in first
    assert 'data-testid="more-in_work"' not in first
    second = sales.get("/dashboard/sales/kanban", params={"page_new": 2}).text
    assert (cards_in(second, "new"), cards_in(second, "in_work")) == (5, 3)
    more = sales.get("/dashboard/sales/kanban", params={"page_new": 2, "column": "new"}, headers=HTMX)
    assert more.status_code == 200 and "<html" not in more.text and "<section" not in more.text
    assert more.text.count('data-testid="kanban-card"') == 5 and 'data-testid="more-new"' not in more.text
    filtered = sales.get("/dashboard/sales/kanban", params={"q": "Working 1"}, headers=HTMX).text
    assert filtered.lstrip().startswith('<div id="board"') and filtered.count('data-testid="kanban-card"') == 1


def test_kanban_filters_match_the_list(client_en, db, user_of):
    seller = user_of(Role.SALES)
    complex_ = make_complex(db)
    make_lead(db, seller, name="Hot one", temperature=Temperature.HOT, complex_id=complex_.id)
    make_lead(db, seller, name="Cold one", temperature=Temperature.COLD)
    sales = client_en(Role.SALES)
    hot = sales.get("/dashboard/sales/kanban", params={"temperature": "hot"}).text
    assert "Hot one" in hot and "Cold one" not in hot
    by_complex = sales.get("/dashboard/sales/kanban", params={"complex_id": complex_.id}).text
    assert "Hot one" in by_complex and "Cold one" not in by_complex
    listed = sales.get("/dashboard/sales/leads", params={"temperature": "cold"}).text
    assert "Cold one" in listed and "Hot one" not in listed


def test_status_route_refuses_what_a_person_may_not_do(client_en, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, name="Drag me")
    sales = client_en(Role.SALES)
    url = f"/dashboard/sales/leads/{lead.id}/status"
    sold = sales.post(url, data={"status": "sold", "view": "card"}, headers=HTMX)
    assert sold.status_code == 422 and sold.headers["HX-Retarget"] == "#toasts" and "toast error" in sold.text
    lost = sales.post(url, data={"status": "lost", "reason": " ", "view": "card"}, headers=HTMX)
    assert lost.status_code == 422 and "Say why the lead is lost." in lost.text
    page = sales.post(url, data={"status": "lost", "csrf_token": sales.csrf})
    assert page.status_code == 422 and "Say why the lead is lost." in page.text
    assert 'data-testid="error-reason"' in page.text  # next to the reason field
    assert 'data-testid="status-form"' in page.text
    assert sales.post(f"/api/sales/leads/{lead.id}/status", json={"status": "sold"}).status_code == 422
    moved = sales.post(url, data={"status": "in_work", "view": "card"}, headers=HTMX)
    assert moved.status_code == 200 and 'data-status="in_work"' in moved.text
    assert moved.text.lstrip().startswith("<article")
    row = sales.post(url, data={"status": "lost", "reason": "too far", "view": "row"}, headers=HTMX)
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr") and 'data-current="lost"' in row.text
    back = sales.post(url, data={"status": "in_work", "csrf_token": sales.csrf})
    assert back.status_code == 303 and back.headers["location"] == f"/dashboard/sales/leads/{lead.id}?note=status"
    assert sales.get(f"/api/sales/leads/{lead.id}").json()["status"] == "in_work"
    board = sales.get("/dashboard/sales/kanban").text
    assert cards_in(board, "in_work") == 1 and cards_in(board, "new") == 0


# --- lead page -----------------------------------------------------------------------------


def test_temperature_and_callback_are_local_times_stored_in_utc(client_en, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    sales = client_en(Role.SALES)
    done = sales.post(
        f"/dashboard/sales/leads/{lead.id}/edit",
        data={"temperature": "warm", "next_callback_at": "2030-01-10T15:30", "csrf_token": sales.csrf},
    )
    assert done.status_code == 303
    data = sales.get(f"/api/sales/leads/{lead.id}").json()
    assert data["temperature"] == "warm"
    assert datetime.fromisoformat(data["next_callback_at"]) == datetime(2030, 1, 10, 10, 30, tzinfo=UTC)  # Tashkent +5
    page = sales.get(f"/dashboard/sales/leads/{lead.id}").text
    assert 'value="2030-01-10T15:30"' in page and "1/10/2030, 3:30\u202fPM" in page
    bad = sales.post(
        f"/dashboard/sales/leads/{lead.id}/edit",
        data={"temperature": "boiling", "next_callback_at": "soon", "csrf_token": sales.csrf},
    )
    assert bad.status_code == 422
    assert 'data-testid="error-temperature"' in bad.text and 'data-testid="error-next_callback_at"' in bad.text
    cleared = sales.post(
        f"/dashboard/sales/leads/{lead.id}/edit",
        data={"temperature": "", "next_callback_at": "", "csrf_token": sales.csrf},
    )
    assert cleared.status_code == 303
    assert sales.get(f"/api/sales/leads/{lead.id}").json()["next_callback_at"] is None


def test_comment_is_appended_to_the_timeline_newest_first(client_en, db, user_of):
    seller = user_of(Role.SALES)
    sales = client_en(Role.SALES)
    made = sales.post(
        "/dashboard/sales/leads",
        data={"name": "Timeline", "phone": "+998935551122", "comment": "first call", "csrf_token": sales.csrf},
    )
    lead_id = int(made.headers["location"].split("/")[-1].split("?")[0])
    added = sales.post(f"/dashboard/sales/leads/{lead_id}/comments", data={"text": "second note"}, headers=HTMX)
    assert added.status_code == 201 and added.text.lstrip().startswith("<li") and "second note" in added.text
    assert seller.display_name in added.text
    empty = sales.post(f"/dashboard/sales/leads/{lead_id}/comments", data={"text": "  "}, headers=HTMX)
    assert empty.status_code == 422 and empty.headers["HX-Retarget"] == "#toasts"
    timeline = sales.get(f"/dashboard/sales/leads/{lead_id}").text.split('id="timeline"', 1)[1]
    assert timeline.index("second note") < timeline.index("first call")
    assert 'data-testid="timeline-status"' in timeline  # creation is in the history too


# --- new lead ------------------------------------------------------------------------------


def test_new_lead_form_errors_conflict_and_existing_lead(client_en, db, user_of):
    seller = user_of(Role.SALES)
    owner = make_user(db, Role.SALES, full_name="Азиз Каримов")
    taken = make_lead(db, owner, phone="+998901234567")
    mine = make_lead(db, seller, phone="+998907654321")
    sales = client_en(Role.SALES)
    bad = sales.post(
        "/dashboard/sales/leads", data={"name": " ", "phone": "12", "temperature": "", "csrf_token": sales.csrf}
    )
    assert bad.status_code == 422
    assert 'data-testid="error-name"' in bad.text and 'data-testid="error-phone"' in bad.text
    clash = sales.post(
        "/dashboard/sales/leads", data={"name": "Someone", "phone": "90 123 45 67", "csrf_token": sales.csrf}
    )
    assert clash.status_code == 409
    error = re.search(r'data-testid="error-phone">([^<]+)<', clash.text)
    assert error and "belongs to another salesperson" in error.group(1)
    assert "Азиз Каримов" not in clash.text  # a salesperson is not told whose lead it is
    assert 'value="Someone"' in clash.text  # the form keeps what was typed
    again = sales.post("/dashboard/sales/leads", data={"name": "Me", "phone": mine.phone, "csrf_token": sales.csrf})
    assert again.status_code == 303 and again.headers["location"] == f"/dashboard/sales/leads/{mine.id}?note=existed"
    assert 'data-testid="note-existed"' in sales.get(again.headers["location"]).text
    created = sales.post(
        "/dashboard/sales/leads",
        data={
            "name": "Brand New",
            "phone": "+998977770000",
            "source": "referral",
            "temperature": "hot",
            "csrf_token": sales.csrf,
        },
    )
    assert created.status_code == 303 and created.headers["location"].endswith("?note=created")
    found = sales.get("/api/sales/leads", params={"q": "Brand New"}).json()["items"]
    assert [(x["source"], x["temperature"], x["assigned"]["id"]) for x in found] == [("referral", "hot", seller.id)]
    assert taken.assigned_id == owner.id


# --- bookings ------------------------------------------------------------------------------


def test_booking_through_the_form_then_the_grid_shows_it_booked(client_en, db, user_of):
    seller = user_of(Role.SALES)
    flat = free_apartment(db)
    lead, rival = make_lead(db, seller, name="Buyer One"), make_lead(db, seller, name="Buyer Two")
    sales = client_en(Role.SALES)
    booked = sales.post(
        "/dashboard/sales/bookings",
        data={"apartment_id": flat.id, "lead_id": lead.id, "hours": "", "csrf_token": sales.csrf},
    )
    assert booked.status_code == 303 and booked.headers["location"] == f"/dashboard/sales/leads/{lead.id}?note=booked"
    grid = sales.get(f"/api/sales/buildings/{flat.building_id}/grid").json()
    assert [a["status"] for f in grid["floors"] for a in f["apartments"] if a["id"] == flat.id] == ["booked"]
    page = sales.get(f"/dashboard/sales/leads/{lead.id}").text
    assert 'data-testid="booking-row"' in page and 'data-testid="timeline-booking"' in page
    again = sales.post(
        "/dashboard/sales/bookings", data={"apartment_id": flat.id, "lead_id": rival.id, "csrf_token": sales.csrf}
    )
    assert again.status_code == 409 and "This apartment is not free any more." in again.text
    assert "Buyer Two" in again.text  # the rival's lead page, with the message
    card = sales.post("/dashboard/sales/bookings", data={"apartment_id": flat.id, "lead_id": rival.id}, headers=HTMX)
    assert card.status_code == 409 and "This apartment is not free any more." in card.text
    assert 'data-testid="book-form"' not in card.text
    complex_id = apartments.get(db, flat.id).building.complex_id
    picker = sales.get("/dashboard/sales/bookings/picker", params={"complex_id": complex_id}, headers=HTMX)
    free_choices = picker.text.split('data-testid="pick-apartment"', 1)[1]
    assert f'value="{flat.id}"' not in free_choices and "No free apartments here" in free_choices
    listing = sales.get("/dashboard/sales/bookings", params={"status": "active"}).text
    assert listing.count('data-testid="booking-row"') == 1 and 'data-testid="time-left"' in listing


def test_apartment_card_books_for_one_of_my_open_leads(client_en, db, user_of):
    seller = user_of(Role.SALES)
    flat = free_apartment(db)
    interested = make_lead(db, seller, name="Wants it", apartment_id=flat.id)
    make_lead(db, seller, name="Gone", status=LeadStatus.LOST)
    make_lead(db, make_user(db, Role.SALES), name="Not mine")
    sales = client_en(Role.SALES)
    card = sales.get(f"/dashboard/sales/apartment-cards/{flat.id}", headers=HTMX).text
    assert 'data-testid="book-form"' in card and f"/dashboard/sales/leads/options?apartment_id={flat.id}" in card
    options = sales.get("/dashboard/sales/leads/options", params={"apartment_id": flat.id}).text
    assert "Wants it" in options and "Gone" not in options and "Not mine" not in options
    assert re.search(rf'value="{interested.id}"\s+selected', options)
    wrong = sales.post(
        "/dashboard/sales/bookings", data={"apartment_id": flat.id, "lead_id": "", "hours": "0"}, headers=HTMX
    )
    assert wrong.status_code == 422 and 'data-testid="error-lead_id"' in wrong.text
    done = sales.post(
        "/dashboard/sales/bookings",
        data={"apartment_id": flat.id, "lead_id": interested.id, "hours": "5"},
        headers=HTMX,
    )
    assert done.status_code == 201 and 'data-testid="booked"' in done.text
    booking = db.scalar(select(Booking).where(Booking.apartment_id == flat.id))
    assert abs(booking.expires_at - booking.created_at - timedelta(hours=5)) < timedelta(seconds=30)
    assert (
        'data-testid="book-form"' not in sales.get(f"/dashboard/sales/apartment-cards/{flat.id}", headers=HTMX).text
    )  # booked now


def test_cancel_and_extension_through_the_lead_page(client_en, db, user_of):
    seller = user_of(Role.SALES)
    flat = free_apartment(db)
    lead = make_lead(db, seller)
    booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=lead.id), 72)
    sales = client_en(Role.SALES)
    base = f"/dashboard/sales/bookings/{booking.id}"
    bad = sales.post(f"{base}/extension", data={"hours": "0", "reason": "", "csrf_token": sales.csrf})
    assert bad.status_code == 422
    assert 'data-testid="error-hours"' in bad.text and 'data-testid="error-reason"' in bad.text
    asked = sales.post(f"{base}/extension", data={"hours": "24", "reason": "bank", "csrf_token": sales.csrf})
    assert asked.status_code == 303 and asked.headers["location"].endswith("?note=extension")
    twice = sales.post(f"{base}/extension", data={"hours": "24", "reason": "bank", "csrf_token": sales.csrf})
    assert twice.status_code == 409 and 'data-testid="extension-error"' in twice.text
    cancelled = sales.post(
        f"{base}/cancel", data={"next": "/dashboard/sales/bookings?status=active", "csrf_token": sales.csrf}
    )
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/dashboard/sales/bookings?status=active"
    db.expire_all()
    saved = db.get(Booking, booking.id)
    assert (saved.status, saved.extension_status) == (BookingStatus.CANCELLED, ExtensionStatus.PENDING)
    assert apartments.get(db, flat.id).status.value == "free"
    assert sales.post(f"{base}/cancel", data={"csrf_token": sales.csrf}).status_code == 409
    outside = sales.post(f"{base}/cancel", data={"next": "https://evil.example/", "csrf_token": sales.csrf})
    assert outside.status_code == 409  # still refused; and `next` never leaves the dashboard


def test_another_salespersons_booking_is_not_found(client_en, db, user_of):
    user_of(Role.SALES)
    other = make_user(db, Role.SALES)
    flat = free_apartment(db)
    booking = bookings.create(db, other, BookingCreate(apartment_id=flat.id, lead_id=make_lead(db, other).id), 72)
    sales = client_en(Role.SALES)
    refused = sales.post(f"/dashboard/sales/bookings/{booking.id}/cancel", data={"csrf_token": sales.csrf})
    assert refused.status_code == 404
    assert sales.get("/dashboard/sales/bookings").text.count('data-testid="booking-row"') == 0


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dashboard/sales/kanban", "/dashboard/sales/leads", "/dashboard/sales/callbacks"])
def test_heavy_pages_run_a_fixed_number_of_queries(client_en, db, user_of, count_queries, url):
    seller = user_of(Role.SALES)
    complex_ = make_complex(db)
    sales = client_en(Role.SALES)

    def add_leads(n: int) -> None:
        for status in (LeadStatus.NEW, LeadStatus.IN_WORK, LeadStatus.LOST):
            for _ in range(n):
                make_lead(
                    db,
                    seller,
                    status=status,
                    complex_id=complex_.id,
                    temperature=Temperature.WARM,
                    next_callback_at=clock.now() - timedelta(hours=1),
                )

    def queries() -> int:
        with count_queries() as statements:
            assert sales.get(url).status_code == 200
        return len(statements)

    add_leads(1)
    few = queries()
    add_leads(8)
    assert queries() == few


def test_lead_page_runs_a_fixed_number_of_queries(client_en, db, user_of, count_queries):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    free_apartment(db)  # the booking form's picker has a building to show from the start
    sales = client_en(Role.SALES)

    def queries() -> int:
        with count_queries() as statements:
            assert sales.get(f"/dashboard/sales/leads/{lead.id}").status_code == 200
        return len(statements)

    queries()  # warm-up: the first request also flushes the test's own setup
    few = queries()
    for n in range(5):
        pipeline.comment(db, seller, lead.id, CommentCreate(text=f"note {n}"))
        flat = free_apartment(db)
        booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=lead.id), 72)
        bookings.cancel(db, seller, booking.id, "changed mind")
    assert queries() == few


# --- helpers -------------------------------------------------------------------------------


def test_local_time_and_time_left_helpers():
    token = current_language.set("en")
    try:
        _check_helpers()
    finally:
        current_language.reset(token)


def _check_helpers():
    assert local_to_utc("2030-06-01T09:00") == "2030-06-01T04:00:00+00:00"  # Tashkent is UTC+5
    assert local_to_utc("") is None
    assert local_to_utc("nonsense") == "nonsense"  # left for the form to reject
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert time_left(now + timedelta(days=2, hours=3), now) == "2 d 3 h"
    assert time_left(now + timedelta(hours=1, minutes=5), now) == "1 h 5 min"
    assert time_left(now - timedelta(minutes=1), now) == "expired"


def card_status(html: str, apartment_id: int) -> str:
    """The status the apartment card shows after an HTMX answer swaps it in (out of band)."""
    match = re.search(
        rf'<dd id="card-status-{apartment_id}"[^>]*hx-swap-oob="true"[^>]*>'
        r'\s*<span class="apt-badge status-(\w+)">([^<]+)</span>',
        html,
    )
    assert match, html
    return f"{match.group(1)}:{match.group(2)}"


def test_the_card_shows_the_booking_after_booking_and_the_real_status_after_a_refusal(client_en, db, user_of):
    seller = user_of(Role.SALES)
    flat, other_flat = free_apartment(db), free_apartment(db)
    sales = client_en(Role.SALES)
    opened = sales.get(f"/dashboard/sales/apartment-cards/{flat.id}", headers=HTMX).text
    assert f'id="card-status-{flat.id}"' in opened and "status-free" in opened
    done = sales.post(
        "/dashboard/sales/bookings", data={"apartment_id": flat.id, "lead_id": make_lead(db, seller).id}, headers=HTMX
    )
    assert done.status_code == 201 and card_status(done.text, flat.id) == "booked:Booked"

    rival = make_user(db, Role.SALES)
    bookings.create(db, rival, BookingCreate(apartment_id=other_flat.id, lead_id=make_lead(db, rival).id), 72)
    taken = sales.post(
        "/dashboard/sales/bookings",
        data={"apartment_id": other_flat.id, "lead_id": make_lead(db, seller).id},
        headers=HTMX,
    )
    assert taken.status_code == 409 and card_status(taken.text, other_flat.id) == "booked:Booked"
    withdrawn = free_apartment(db)
    withdrawn.status = ApartmentStatus.NOT_FOR_SALE
    db.flush()
    refused = sales.post(
        "/dashboard/sales/bookings",
        data={"apartment_id": withdrawn.id, "lead_id": make_lead(db, seller).id},
        headers=HTMX,
    )
    assert refused.status_code == 409 and card_status(refused.text, withdrawn.id) == "not_for_sale:Not for sale"


def test_a_finished_booking_says_what_ended_it_not_a_fake_expiry(client_en, db, user_of):
    contract = make_contract(db)
    seller = user_of(Role.SALES)
    cancelled = bookings.create(
        db, seller, BookingCreate(apartment_id=free_apartment(db).id, lead_id=make_lead(db, seller).id), 72
    )
    bookings.cancel(db, seller, cancelled.id, "changed mind")
    mop = client_en(Role.MOP)
    listing = mop.get("/dashboard/mop/bookings").text
    when = r"\d{1,2}/\d{1,2}/\d{4}, \d{1,2}:\d\d\s[AP]M"  # English date and time, as app.web.format shows them
    ends = re.findall(r'data-testid="booking-end">([^<]+)<', listing)
    assert any(re.fullmatch(f"contract signed {when}", e) for e in ends), ends
    assert any(re.fullmatch(f"cancelled {when}", e) for e in ends), ends
    lead_page = mop.get(f"/dashboard/mop/leads/{contract.lead_id}").text
    assert re.search(f'data-testid="booking-end">contract signed {when}<', lead_page)
