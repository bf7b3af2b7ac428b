"""Contract pages: the form prefilled from a booking with a live schedule, creating in one
transaction (errors next to the fields, nothing saved), the contract page and its JSON twin,
row scope, read-only finance, admin cancelling, the list and the print stylesheet."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role
from app.auth.service import session_token
from app.domain.bookings.crud import bookings
from app.domain.bookings.models import BookingStatus
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.models import Contract
from app.domain.inventory.models import Apartment, ApartmentStatus, Building, Complex
from app.domain.leads.models import LeadStatus
from tests.conftest import csrf_from
from tests.factories import free_apartment, make_lead, make_user

AMOUNT = re.compile(r'data-testid="instalment-amount">([^<]+)<')
PRICE = Decimal("60000")  # free_apartment: 60 m² at 1 000 per m², UZS


def book(db, seller):
    """A free apartment booked for a new lead of `seller`."""
    apartment = free_apartment(db)
    lead = make_lead(db, seller, name="Азиз Каримов")
    booking = bookings.create(db, seller, BookingCreate(apartment_id=apartment.id, lead_id=lead.id), 72)
    return apartment, lead, booking


def terms(booking, csrf: str, **fields) -> dict:
    """A filled contract form."""
    values = {
        "booking_id": str(booking.id),
        "buyer_full_name": "Каримов Азиз Рустамович",
        "buyer_passport": "ab1234567",
        "buyer_phone": "+998 90 123 45 67",
        "buyer_address": "Ташкент",
        "discount": "0",
        "discount_reason": "",
        "down_payment": "17 999",
        "months": "12",
        "start_date": "2026-12-01",
        "csrf_token": csrf,
    }
    return {**values, **fields}


def amounts(html: str) -> list[Decimal]:
    """The schedule's amounts as the page prints them."""
    return [Decimal(re.sub(r"[^\d.]", "", text)) for text in AMOUNT.findall(html)]


def browser_for(app, user) -> TestClient:
    """A logged-in browser for a particular user."""
    browser = TestClient(app, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, session_token(app.state.settings, user))
    browser.csrf = csrf_from(browser, "/profile")
    browser.headers["X-CSRF-Token"] = browser.csrf
    return browser


def contracts_of(db, booking) -> int:
    return db.scalar(select(func.count()).select_from(Contract).where(Contract.booking_id == booking.id))


def test_form_shows_the_booking_price_and_prefills_the_lead(client_as, user_of, db):
    _, lead, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    page = sales.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id})
    assert page.status_code == 200
    price = re.search(r'data-testid="booking-price">([^<]+)<', page.text).group(1)
    assert re.sub(r"\D", "", price) == "60000"
    assert f'value="{lead.name}"' in page.text and f'value="{lead.phone}"' in page.text
    assert "5%" in page.text  # the salesperson's discount limit is shown
    assert page.text.count('data-testid="preview-row"') == 13  # 30% down + 12 months by default
    picker = sales.get("/dashboard/sales/contracts/new")
    assert picker.status_code == 200 and f"booking_id={booking.id}" in picker.text


def test_preview_fragment_recomputes_the_schedule_and_warns(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    query = {"booking_id": booking.id, "down_payment": "10 000", "months": "6", "start_date": "2026-01-31"}
    fragment = sales.get("/dashboard/sales/contracts/preview", params=query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.count('data-testid="preview-row"') == 7
    assert "28.02.2026" in fragment.text  # month end is clamped
    too_big = sales.get(
        "/dashboard/sales/contracts/preview", params={**query, "discount": "6000", "discount_reason": "VIP"}
    )
    assert 'data-testid="preview-problem"' in too_big.text
    incomplete = sales.get("/dashboard/sales/contracts/preview", params={"booking_id": booking.id})
    assert incomplete.status_code == 200 and 'data-testid="preview-row"' not in incomplete.text


def test_creating_through_the_form_shows_a_schedule_that_adds_up(client_as, user_of, db):
    apartment, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    made = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf))
    assert made.status_code == 303, made.text[:500]
    url = made.headers["location"]
    contract_id = int(re.search(r"/contracts/(\d+)", url).group(1))
    page = sales.get(url)
    assert page.status_code == 200
    assert 'data-testid="saved"' in page.text and "AB1234567" in page.text
    rows = amounts(page.text)
    assert len(rows) == 13 and rows[0] == Decimal("17999")
    assert rows[1:-1] == [Decimal("3500")] * 11 and rows[-1] == Decimal("3501")  # the remainder goes last
    assert sum(rows) == PRICE
    assert re.sub(r"\D", "", re.search(r'data-testid="schedule-sum">([^<]+)<', page.text).group(1)) == "60000"
    twin = sales.get(f"/api/sales/contracts/{contract_id}").json()
    assert Decimal(twin["total"]) == sum(rows) and len(twin["schedule"]) == len(rows)
    assert [Decimal(i["amount"]) for i in twin["schedule"]] == rows
    assert twin["buyer_phone"] == "+998901234567"
    db.expire_all()
    assert db.get(Apartment, apartment.id).status == ApartmentStatus.SOLD
    again = sales.get("/dashboard/sales/contracts/new", params={"booking_id": booking.id})
    assert again.status_code == 303 and again.headers["location"].endswith(f"/contracts/{contract_id}")


def test_discount_above_the_sales_limit_is_refused_and_nothing_is_saved(client_as, user_of, db):
    apartment, lead, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    refused = sales.post(
        "/dashboard/sales/contracts",
        data=terms(booking, sales.csrf, discount="6 000", discount_reason="Постоянный клиент"),
    )
    assert refused.status_code == 422
    html = refused.text
    error_at = html.index('data-testid="error-discount"')
    assert html.index('id="f-discount"') < error_at < html.index('id="f-discount_reason"')  # next to the field
    assert 'value="Каримов Азиз Рустамович"' in html  # what was typed stays
    db.expire_all()
    assert contracts_of(db, booking) == 0
    assert db.get(Apartment, apartment.id).status == ApartmentStatus.BOOKED
    assert bookings.get(db, user_of(Role.SALES), booking.id).status == BookingStatus.ACTIVE
    assert lead.status == LeadStatus.BOOKED
    no_reason = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf, discount="1000"))
    assert no_reason.status_code == 422 and 'data-testid="error-discount_reason"' in no_reason.text


def test_rop_may_give_the_bigger_discount_and_is_named_as_approver(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    rop = client_as(Role.ROP)
    made = rop.post(
        "/dashboard/rop/contracts", data=terms(booking, rop.csrf, discount="6000", discount_reason="Оптовая покупка")
    )
    assert made.status_code == 303, made.text[:500]
    page = rop.get(made.headers["location"])
    assert user_of(Role.ROP).display_name in page.text and "Оптовая покупка" in page.text
    assert sum(amounts(page.text)) == PRICE - 6000


def test_down_payment_above_the_price_and_bad_input_are_422(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    too_much = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf, down_payment="70000"))
    assert too_much.status_code == 422 and 'data-testid="error-down_payment"' in too_much.text
    bad = sales.post(
        "/dashboard/sales/contracts",
        data=terms(booking, sales.csrf, buyer_passport="№ 1", buyer_phone="call me", months="abc"),
    )
    assert bad.status_code == 422
    assert all(f'data-testid="error-{name}"' in bad.text for name in ("buyer_passport", "buyer_phone", "months"))
    missing = sales.post("/dashboard/sales/contracts", data={"csrf_token": sales.csrf})
    assert missing.status_code == 422 and 'data-testid="form-error"' in missing.text
    assert contracts_of(db, booking) == 0


def test_another_salesperson_cannot_reach_the_booking_or_the_contract(app, client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    contract_url = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf)).headers["location"]
    contract_id = int(re.search(r"/contracts/(\d+)", contract_url).group(1))
    _, _, open_booking = book(db, user_of(Role.SALES))
    rival = browser_for(app, make_user(db, Role.SALES))
    assert rival.get("/dashboard/sales/contracts/new", params={"booking_id": open_booking.id}).status_code in (403, 404)
    assert rival.post("/dashboard/sales/contracts", data=terms(open_booking, rival.csrf)).status_code in (403, 404)
    assert contracts_of(db, open_booking) == 0
    assert rival.get(f"/dashboard/sales/contracts/{contract_id}").status_code == 404
    assert rival.get(f"/api/sales/contracts/{contract_id}").status_code == 404
    assert 'data-testid="contract-row"' not in rival.get("/dashboard/sales/contracts").text


def test_finance_reads_the_contract_without_a_cancel_button(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    url = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf)).headers["location"]
    contract_id = int(re.search(r"/contracts/(\d+)", url).group(1))
    finance = client_as(Role.FINANCE)
    page = finance.get(f"/dashboard/finance/contracts/{contract_id}")
    assert page.status_code == 200 and 'data-testid="schedule"' in page.text
    assert 'data-testid="cancel-form"' not in page.text and "/cancel" not in page.text
    assert (
        finance.post(
            f"/dashboard/finance/contracts/{contract_id}/cancel", data={"reason": "nope", "csrf_token": finance.csrf}
        ).status_code
        == 403
    )  # mounted for finance, refused: cancelling needs the permission
    assert 'data-testid="new-contract"' not in finance.get("/dashboard/finance/contracts").text


def test_admin_cancels_with_a_reason_and_the_apartment_is_free(client_as, user_of, db):
    apartment, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    url = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf)).headers["location"]
    contract_id = int(re.search(r"/contracts/(\d+)", url).group(1))
    admin = client_as(Role.ADMIN)
    page = admin.get(f"/dashboard/admin/contracts/{contract_id}")
    assert 'data-testid="cancel-form"' in page.text
    assert admin.get(f"/api/admin/apartments/{apartment.id}").json()["status"] == "sold"
    no_reason = admin.post(
        f"/dashboard/admin/contracts/{contract_id}/cancel", data={"reason": " ", "csrf_token": admin.csrf}
    )
    assert no_reason.status_code == 422 and 'data-testid="error-reason"' in no_reason.text
    done = admin.post(
        f"/dashboard/admin/contracts/{contract_id}/cancel",
        data={"reason": "Покупатель отказался", "csrf_token": admin.csrf},
    )
    assert done.status_code == 303
    assert admin.get(f"/api/admin/apartments/{apartment.id}").json()["status"] == "free"
    after = admin.get(done.headers["location"])
    assert 'data-testid="cancelled-note"' in after.text and "Покупатель отказался" in after.text
    assert 'data-testid="cancel-form"' not in after.text
    assert admin.get(f"/api/admin/contracts/{contract_id}").json()["status"] == "cancelled"
    listed = admin.get("/dashboard/admin/contracts", params={"status": "cancelled"})
    assert listed.text.count('data-testid="contract-row"') == 1


def test_contract_page_links_the_print_stylesheet(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    page = sales.get(sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf)).headers["location"])
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css[^"]*" media="print"', page.text)
    assert 'data-testid="print"' in page.text
    css = sales.get("/static/css/print.css")
    assert css.status_code == 200 and "@media print" in css.text and ".sidenav" in css.text


def test_contracts_list_searches_filters_and_pages(client_as, user_of, db):
    seller = user_of(Role.SALES)
    sales = client_as(Role.SALES)
    ids = []
    for name in ("Иванов Иван", "Petrova Anna", "Сидоров Пётр"):
        _, _, booking = book(db, seller)
        made = sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf, buyer_full_name=name))
        ids.append(int(re.search(r"/contracts/(\d+)", made.headers["location"]).group(1)))
    listing = sales.get("/dashboard/sales/contracts")
    assert listing.text.count('data-testid="contract-row"') == 3
    by_buyer = sales.get("/dashboard/sales/contracts", params={"q": "petrova"}, headers={"HX-Request": "true"})
    assert by_buyer.text.count('data-testid="contract-row"') == 1 and "<html" not in by_buyer.text
    number = sales.get(f"/api/sales/contracts/{ids[2]}").json()["number"]
    by_number = sales.get("/dashboard/sales/contracts", params={"q": number})
    assert by_number.text.count('data-testid="contract-row"') == 1 and "Сидоров Пётр" in by_number.text
    cancelled = sales.get("/dashboard/sales/contracts", params={"status": "cancelled"})
    assert 'data-testid="contract-row"' not in cancelled.text
    paged = sales.get("/dashboard/sales/contracts", params={"page_size": 2, "page": 2})
    assert paged.text.count('data-testid="contract-row"') == 1


def test_json_twin_of_the_list_answers_the_same_rows(client_as, user_of, db):
    _, _, booking = book(db, user_of(Role.SALES))
    sales = client_as(Role.SALES)
    sales.post("/dashboard/sales/contracts", data=terms(booking, sales.csrf, buyer_full_name="Petrova Anna"))
    assert sales.get("/api/sales/contracts", params={"q": "petrova"}).json()["total"] == 1


def test_contract_page_runs_a_few_queries(client_as, user_of, db, count_queries):
    _, _, booking = book(db, user_of(Role.SALES))
    rop = client_as(Role.ROP)
    url = rop.post(
        "/dashboard/rop/contracts", data=terms(booking, rop.csrf, discount="6000", discount_reason="VIP", months="60")
    ).headers["location"]
    with count_queries() as statements:
        assert rop.get(url).status_code == 200
    assert len(statements) <= 8, statements  # savepoints, user, contract, schedule (60 rows: one query), payments


def test_sales_see_their_clients_payments_read_only(client_as, db, user_of):
    from datetime import date
    from decimal import Decimal

    from app.auth.models import User
    from app.auth.service import session_token
    from app.domain.finance.crud import payments
    from app.domain.finance.schemas import PaymentCreate
    from tests.factories import make_contract

    contract = make_contract(db, price_per_m2="100", months=2)
    payments.record(
        db,
        user_of(Role.FINANCE),
        PaymentCreate(contract_id=contract.id, amount=Decimal("700"), paid_at=date(2026, 1, 12), method="cash"),
    )
    sales = client_as(Role.SALES)
    seller = db.get(User, contract.salesperson_id)
    sales.cookies.set("crm_session", session_token(sales.app.state.settings, seller))
    page = sales.get(f"/dashboard/sales/contracts/{contract.id}")
    assert page.status_code == 200 and page.text.count('data-testid="payment-row"') == 1
    section = page.text.split('data-testid="payments"')[1].split("</section>")[0]
    assert "<form" not in section  # read-only
    assert (
        sales.post(
            "/api/finance/payments",
            json={"contract_id": contract.id, "amount": "1", "paid_at": "2026-01-12", "method": "cash"},
        ).status_code
        == 403
    )
    stranger = client_as(Role.SALES)  # another salesperson: the contract is not theirs
    assert stranger.get(f"/dashboard/sales/contracts/{contract.id}").status_code == 404


def test_public_calculator_shows_what_the_contract_schedules(client, client_as, user_of, db):
    apartment, _, booking = book(db, user_of(Role.SALES))  # 60 000, UZS
    slug = db.scalar(select(Complex.slug).join(Building).where(Building.id == apartment.building_id))
    # 35 % down: 21 000, then 39 000 over 18 months: 2 166 a month and 2 178 last (the old calculator said 2 167)
    calc = client.get(
        f"/c/{slug}/calculator",
        params={"price": "60000", "down_pct": "35", "months": "18"},
        headers={"HX-Request": "true", "HX-Target": "calc-result"},
    )
    shown = dict(re.findall(r'data-testid="calc-([a-z-]+)">([^<]+)<', calc.text))
    sales = client_as(Role.SALES)
    made = sales.post(
        "/dashboard/sales/contracts",
        data=terms(booking, sales.csrf, down_payment=re.sub(r"\D", "", shown["down-payment"]), months="18"),
    )
    assert made.status_code == 303, made.text
    schedule = amounts(sales.get(made.headers["location"]).text)
    down, monthly, last = schedule[0], schedule[1], schedule[-1]
    assert len(schedule) == 19 and monthly != last
    assert shown["down-payment"] == f"{down:,.0f}\u00a0сум".replace(",", "\u00a0")
    assert shown["monthly"] == f"{monthly:,.0f}\u00a0сум".replace(",", "\u00a0") == "2\u00a0166\u00a0сум"
    assert shown["last"] == f"{last:,.0f}\u00a0сум".replace(",", "\u00a0") == "2\u00a0178\u00a0сум"
    assert shown["total"] == "60\u00a0000\u00a0сум" and sum(schedule) == PRICE
