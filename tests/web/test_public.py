"""The public site: landing, complex page with filters and live grid, card, calculator,
request form and the public JSON API; caching (ETag/304, polling) and lead rules."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.inventory.crud import apartments, buildings, complexes
from app.domain.inventory.models import Apartment, ApartmentStatus, Currency
from app.domain.inventory.schemas import (
    ApartmentUpdate,
    BuildingCreate,
    BulkApartments,
    ComplexCreate,
    ComplexUpdate,
    GenerateApartments,
)
from app.domain.leads.models import Lead, LeadSource
from tests.conftest import csrf_from

HTMX = {"HX-Request": "true"}
CELL = re.compile(r"<button([^>]*)>")
ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
PUBLIC_FIELDS = {"id", "number", "building", "section", "floor", "rooms", "area", "price_per_m2", "price", "status"}


def cells(html: str) -> dict[int, dict[str, str]]:
    """Apartment cells of a rendered grid: id -> {"status", "dim"}."""
    found = {}
    for match in CELL.finditer(html):
        attrs = dict(ATTR.findall(match.group(1)))
        if attrs.get("data-testid") == "apt":
            found[int(attrs["data-apartment-id"])] = {
                "status": attrs["data-status"],
                "dim": "dim" in attrs["class"].split(),
            }
    return found


def lit(html: str) -> set[int]:
    """Ids of the cells that pass the filters (not dimmed)."""
    return {apt_id for apt_id, cell in cells(html).items() if not cell["dim"]}


def change(db, actor, flat: Apartment, **fields) -> Apartment:
    """Edit an apartment through the CRUD (bumps the inventory version like the admin API)."""
    data = {
        "number": flat.number,
        "floor": flat.floor,
        "section": flat.section,
        "rooms": flat.rooms,
        "area": flat.area,
        "price_per_m2": flat.price_per_m2,
        "status": flat.status,
        **fields,
    }
    return apartments.update(db, actor, flat.id, ApartmentUpdate(**data))


def make_complex(
    db, actor, slug: str, *, public: bool = True, floors: int = 3, units: int = 4, currency: Currency = Currency.UZS
):
    """A complex with one building of floors x units apartments (2 rooms, 50 m², 1,000 per m²), published
    (when `public`) once the apartments are there, as an admin must."""
    details = ComplexCreate(
        name=f"ЖК {slug.title()}",
        slug=slug,
        city="Ташкент",
        address="ул. Тестовая, 1",
        description="Дом у парка.\nРассрочка на 24 месяца.",
        currency=currency,
    )
    created = complexes.create(db, actor, details)
    building = buildings.create(db, actor, created.id, BuildingCreate(name="Блок A", floors=floors))
    buildings.generate(
        db,
        actor,
        building.id,
        GenerateApartments(
            units_per_floor=units, numbering="floor", rooms=2, area=Decimal(50), price_per_m2=Decimal(1000)
        ),
    )
    if public:
        shown = ComplexUpdate(**details.model_dump(exclude={"slug", "is_public"}), is_public=True)
        complexes.update(db, actor, created.id, shown)
    return created, apartments.for_building(db, building.id)


@pytest.fixture
def admin(user_of):
    """The staff user whose edits the tests make."""
    return user_of(Role.ADMIN)


@pytest.fixture
def shop(db, admin):
    """A public complex of 12 apartments with varied rooms, prices and statuses.

    Floor 1: 101 (1 room, 40,000, free), 102 (2, 50,000, booked), 103 (3, 90,000, sold), 104 (2, not for sale);
    floors 2-3: 2 rooms, 50,000, free.
    """
    created, flats = make_complex(db, admin, "bahor-test")
    by_number = {f.number: f for f in flats}
    change(db, admin, by_number["101"], rooms=1, area=Decimal(40))
    change(db, admin, by_number["102"], status=ApartmentStatus.BOOKED)
    change(db, admin, by_number["103"], rooms=3, area=Decimal(90), status=ApartmentStatus.SOLD)
    change(db, admin, by_number["104"], status=ApartmentStatus.NOT_FOR_SALE)
    return created, by_number


def test_landing_lists_only_public_complexes(client, db, admin, shop):
    make_complex(db, admin, "hidden-zhk", public=False)
    complexes.add_image(db, admin, shop[0].id, "complexes/facade.jpg", caption="Фасад")
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/c/bahor-test"' in page.text and "ЖК Bahor-Test" in page.text
    assert "hidden-zhk" not in page.text and "Hidden-Zhk" not in page.text
    card = page.text.split('data-slug="bahor-test"')[1].split("</a>")[0]
    assert 'data-picture="/media/complexes/facade.jpg"' in card  # shown by static/js/app.js (no inline styles)
    assert "40\u00a0000" in card  # the lowest free price
    assert re.search(r'data-testid="free-count">\s*9\b', card)  # 8 on floors 2-3 and 101
    utm = client.get("/", params={"utm_source": "instagram"})
    assert 'href="/c/bahor-test?utm_source=instagram"' in utm.text  # campaign tags follow the visitor


def test_complex_page_and_unknown_slug(client, db, admin, shop):
    complexes.add_image(db, admin, shop[0].id, "complexes/yard.jpg", caption="Двор")
    page = client.get("/c/bahor-test")
    assert page.status_code == 200
    assert '<img src="/media/complexes/yard.jpg" alt="Двор"' in page.text
    assert "ЖК Bahor-Test" in page.text and "Рассрочка на 24 месяца." in page.text
    shown = cells(page.text)
    assert len(shown) == 11  # not for sale is a plain, unclickable cell
    assert shown[shop[1]["103"].id]["status"] == "sold"
    assert f'data-apartment-id="{shop[1]["104"].id}"' not in page.text
    assert 'class="apt status-unavailable"' in page.text
    assert 'name="csrf_token"' in page.text and 'name="website"' in page.text
    make_complex(db, admin, "private-zhk", public=False)
    for slug in ("private-zhk", "no-such-zhk"):
        missing = client.get(f"/c/{slug}")
        assert missing.status_code == 404 and 'data-testid="error-page"' in missing.text


def test_filters_mark_exactly_the_matching_cells(client, shop):
    _, flat = shop
    free_ids = {f.id for n, f in flat.items() if n not in ("102", "103", "104")}
    two_rooms = {f.id for n, f in flat.items() if n not in ("101", "103", "104")}
    cases = [
        ({}, {f.id for n, f in flat.items() if n != "104"}),
        ({"rooms": "2"}, two_rooms),
        ({"rooms": "1"}, {flat["101"].id}),
        ({"price_min": "45000", "price_max": "60000"}, two_rooms),
        ({"only_free": "1"}, free_ids),
        ({"only_free": "on", "rooms": "2", "floor_min": "3"}, {flat[n].id for n in ("301", "302", "303", "304")}),
        ({"floor_max": "1", "price_max": "5e4"}, {flat["101"].id, flat["102"].id}),
    ]
    for params, expected in cases:
        page = client.get("/c/bahor-test", params=params)
        assert lit(page.text) == expected, params
        fragment = client.get("/c/bahor-test/grid", params=params, headers=HTMX)
        assert fragment.text.lstrip().startswith('<div id="grid-live"')
        assert lit(fragment.text) == expected, params


def test_filter_fragment_pushes_the_url_and_polls_with_the_filters(client, shop):
    fragment = client.get(
        "/c/bahor-test/grid", params={"rooms": "2", "only_free": "1", "price_min": "", "utm_source": "fb"}, headers=HTMX
    )
    assert fragment.headers["HX-Push-Url"] == "/c/bahor-test?rooms=2&only_free=1&utm_source=fb"
    poll = re.search(r'hx-get="([^"]+)"', fragment.text).group(1).replace("&amp;", "&")
    assert poll.startswith("/c/bahor-test/grid?since=") and "rooms=2&only_free=1" in poll
    assert 'hx-trigger="every 2s"' in fragment.text


def test_nonsense_filter_values_are_ignored(client, shop):
    page = client.get("/c/bahor-test", params={"rooms": "many", "price_max": "cheap", "floor_min": "-3"})
    assert page.status_code == 200
    assert len(lit(page.text)) == 11


def test_json_apartments_never_show_not_for_sale_or_who_booked(client, shop):
    _, flat = shop
    data = client.get("/api/public/complexes/bahor-test/apartments").json()
    assert data["total"] == 11 and len(data["items"]) == 11
    assert {"items", "total", "page", "page_size", "version"} <= set(data)
    assert all(set(item) == PUBLIC_FIELDS for item in data["items"])
    assert {item["status"] for item in data["items"]} == {"free", "booked", "sold"}
    assert flat["104"].id not in {item["id"] for item in data["items"]}
    booked = next(item for item in data["items"] if item["id"] == flat["102"].id)
    assert booked == {**booked, "status": "booked", "price": "50000.00", "building": "Блок A"}
    rooms = client.get("/api/public/complexes/bahor-test/apartments", params={"rooms": 2, "only_free": True}).json()
    assert rooms["total"] == 8 and {i["status"] for i in rooms["items"]} == {"free"}
    priced = client.get("/api/public/complexes/bahor-test/apartments", params={"price_max": 45000}).json()
    assert [i["number"] for i in priced["items"]] == ["101"]
    assert client.get("/api/public/complexes/bahor-test/apartments", params={"rooms": "x"}).status_code == 422
    assert client.get("/api/public/complexes/no-such/apartments").status_code == 404


def test_json_complexes_and_version(client, db, admin, shop):
    make_complex(db, admin, "hidden-zhk", public=False)
    listed = client.get("/api/public/complexes").json()
    assert [c["slug"] for c in listed] == ["bahor-test"]
    assert {"slug", "name", "city", "address", "currency", "description"} <= set(listed[0])
    assert "is_public" not in listed[0] and "id" not in listed[0]
    version = client.get("/api/public/complexes/bahor-test/version").json()["version"]
    change(db, admin, shop[1]["201"], status=ApartmentStatus.SOLD)
    assert client.get("/api/public/complexes/bahor-test/version").json() == {"version": version + 1}
    assert client.get("/api/public/complexes/hidden-zhk/version").status_code == 404


def lead_by_phone(db, phone: str) -> Lead | None:
    """The lead with this E.164 phone, fresh from the database."""
    db.expire_all()
    return db.scalar(select(Lead).where(Lead.phone == phone))


def test_json_lead_is_created_with_utm_and_repeats_become_touches(client, db, shop):
    body = {
        "name": "Алишер",
        "phone": "+998 90 123-45-67",
        "complex_slug": "bahor-test",
        "apartment_id": shop[1]["201"].id,
        "utm_source": "instagram",
        "utm_campaign": "spring",
    }
    first = client.post("/api/public/leads", json=body)
    assert first.status_code == 201 and first.json()["ok"] is True and first.json()["message"]
    lead = lead_by_phone(db, "+998901234567")
    assert (lead.source, lead.utm_source, lead.utm_campaign, lead.touches_count) == (
        LeadSource.LANDING,
        "instagram",
        "spring",
        1,
    )
    assert lead.apartment_id == shop[1]["201"].id and lead.complex_id == shop[0].id
    again = client.post("/api/public/leads", json={"name": "Алишер", "phone": "901234567"})
    assert again.status_code == 201
    repeated = lead_by_phone(db, "+998901234567")
    assert (repeated.id, repeated.touches_count) == (lead.id, 2)
    assert db.scalar(select(func.count()).select_from(Lead)) == 1


def test_json_lead_rejects_bad_phone_and_foreign_apartments(client, db, admin, shop):
    bad = client.post("/api/public/leads", json={"name": "Bob", "phone": "12"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "phone"
    _, other_flats = make_complex(db, admin, "other-zhk")
    for apartment_id in (999999, other_flats[0].id):
        refused = client.post(
            "/api/public/leads",
            json={
                "name": "Bob",
                "phone": "+998 90 555 44 33",
                "complex_slug": "bahor-test",
                "apartment_id": apartment_id,
            },
        )
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "apartment_id"
    unknown = client.post("/api/public/leads", json={"name": "Bob", "phone": "+998905554433", "complex_slug": "zzz"})
    assert unknown.status_code == 422
    assert lead_by_phone(db, "+998905554433") is None


def test_rate_limit_answers_429_on_the_sixth_request(client, db, shop):
    for n in range(5):
        sent = client.post("/api/public/leads", json={"name": "Spam", "phone": f"+99890111223{n}"})
        assert sent.status_code == 201
    sixth = client.post("/api/public/leads", json={"name": "Spam", "phone": "+998901112239"})
    assert sixth.status_code == 429 and "Retry-After" in sixth.headers
    token = csrf_from(client, "/c/bahor-test")
    form = client.post(
        "/c/bahor-test/request", data={"name": "Spam", "phone": "+998901112238", "csrf_token": token}, headers=HTMX
    )
    assert form.status_code == 429 and 'data-testid="form-error"' in form.text
    assert 'data-testid="lead-form"' in form.text and 'value="Spam"' in form.text
    assert lead_by_phone(db, "+998901112238") is None


def test_html_request_form_thanks_and_keeps_utm(client, db, shop):
    token = csrf_from(client, "/c/bahor-test?utm_source=google&utm_medium=cpc")
    page = client.get("/c/bahor-test", params={"utm_source": "google", "utm_medium": "cpc"})
    assert 'class="utm" name="utm_source" value="google"' in page.text
    sent = client.post(
        "/c/bahor-test/request",
        headers=HTMX,
        data={
            "name": "Madina",
            "phone": "+998 91 234 56 78",
            "utm_source": "google",
            "utm_medium": "cpc",
            "website": "",
            "place": "page",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 200 and 'data-testid="lead-thanks"' in sent.text
    assert "<html" not in sent.text
    lead = lead_by_phone(db, "+998912345678")
    assert (lead.source, lead.utm_source, lead.utm_medium, lead.complex_id) == (
        LeadSource.LANDING,
        "google",
        "cpc",
        shop[0].id,
    )


def test_html_request_from_the_card_carries_the_apartment(client, db, shop):
    flat = shop[1]["202"]
    card = client.get(f"/c/bahor-test/apartments/{flat.id}", headers=HTMX)
    assert card.status_code == 200 and 'data-testid="apartment-card"' in card.text
    assert f'name="apartment_id" value="{flat.id}"' in card.text and 'hx-include="#lead-form .utm-tags"' in card.text
    token = csrf_from(client, "/c/bahor-test")
    sent = client.post(
        "/c/bahor-test/request",
        headers=HTMX,
        data={
            "name": "Jasur",
            "phone": "93 555 44 33",
            "apartment_id": str(flat.id),
            "place": "card",
            "csrf_token": token,
        },
    )
    assert sent.status_code == 200 and 'id="card-lead-form"' in sent.text
    assert lead_by_phone(db, "+998935554433").apartment_id == flat.id


def test_html_request_form_errors(client, db, admin, shop):
    token = csrf_from(client, "/c/bahor-test")
    bad = client.post(
        "/c/bahor-test/request", headers=HTMX, data={"name": "Bob", "phone": "12345", "csrf_token": token}
    )
    assert bad.status_code == 422
    assert 'data-testid="error-phone"' in bad.text and 'value="Bob"' in bad.text and 'value="12345"' in bad.text
    assert 'data-testid="error-name"' not in bad.text
    _, other_flats = make_complex(db, admin, "other-zhk")
    foreign = client.post(
        "/c/bahor-test/request",
        headers=HTMX,
        data={
            "name": "Bob",
            "phone": "+998905554433",
            "apartment_id": str(other_flats[0].id),
            "place": "card",
            "csrf_token": token,
        },
    )
    assert foreign.status_code == 422 and 'data-testid="form-error"' in foreign.text
    assert client.post("/c/bahor-test/request", data={"name": "Bob", "phone": "+998905554433"}).status_code == 403
    assert lead_by_phone(db, "+998905554433") is None
    full = client.post("/c/bahor-test/request", data={"name": "", "phone": "", "csrf_token": token})
    assert full.status_code == 422 and "<html" in full.text and 'data-testid="error-name"' in full.text


def test_honeypot_is_thanked_and_forgotten(client, db, shop):
    token = csrf_from(client, "/c/bahor-test")
    sent = client.post(
        "/c/bahor-test/request",
        headers=HTMX,
        data={"name": "Bot", "phone": "+998 90 777 66 55", "website": "http://spam.example", "csrf_token": token},
    )
    assert sent.status_code == 200 and 'data-testid="lead-thanks"' in sent.text
    assert lead_by_phone(db, "+998907776655") is None


def test_card_shows_only_public_apartments(client, db, admin, shop):
    _, flat = shop
    sold = client.get(f"/c/bahor-test/apartments/{flat['103'].id}", headers=HTMX)
    assert sold.status_code == 200 and 'data-status="sold"' in sold.text
    assert 'name="apartment_id"' not in sold.text
    assert client.get(f"/c/bahor-test/apartments/{flat['104'].id}", headers=HTMX).status_code == 404
    _, other_flats = make_complex(db, admin, "other-zhk")
    assert client.get(f"/c/bahor-test/apartments/{other_flats[0].id}").status_code == 404
    page = client.get(f"/c/bahor-test/apartments/{flat['201'].id}")
    assert page.status_code == 200 and "<html" in page.text


def test_instalment_calculator(client, shop):
    result = client.get(
        "/c/bahor-test/calculator",
        params={"price": "1200000", "down_pct": "25", "months": "12"},
        headers={**HTMX, "HX-Target": "calc-result"},
    )
    assert result.text.lstrip().startswith('<dl id="calc-result"')
    assert re.search(r'data-testid="calc-monthly">75\u00a0000', result.text)
    whole = client.get(
        "/c/bahor-test/calculator",
        params={"price": "50000", "months": "oops"},
        headers={**HTMX, "HX-Target": "calculator"},
    )
    assert whole.text.lstrip().startswith('<div id="calculator"') and 'value="50000"' in whole.text
    # 35,000 over 12 months as a contract schedules it: 2 916 a month, the remainder in the last
    assert re.search(r'data-testid="calc-monthly">2\u00a0916\u00a0', whole.text)
    assert re.search(r'data-testid="calc-last">2\u00a0924\u00a0', whole.text)
    assert re.search(r'data-testid="calc-total">50\u00a0000\u00a0', whole.text)
    plain = client.get("/c/bahor-test/calculator", params={"price": "100"})
    assert plain.status_code == 303 and plain.headers["location"].startswith("/c/bahor-test?price=100")
    prefilled = client.get("/c/bahor-test", params={"price": "100000", "down_pct": "50", "months": "10"})
    assert re.search(r'data-testid="calc-monthly">5\u00a0000', prefilled.text)


def test_etag_304_and_a_change_shows_at_once(client, db, admin, shop):
    first = client.get("/c/bahor-test")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/c/bahor-test", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    target = shop[1]["301"]
    change(db, admin, target, status=ApartmentStatus.SOLD)
    changed = client.get("/c/bahor-test", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert cells(changed.text)[target.id]["status"] == "sold"
    other_filters = client.get("/c/bahor-test?rooms=2", headers={"If-None-Match": changed.headers["ETag"]})
    assert other_filters.status_code == 200
    apartments.bulk(db, admin, BulkApartments(ids=[shop[1]["302"].id], action="mark_not_for_sale"))
    bulk = client.get("/c/bahor-test", headers={"If-None-Match": changed.headers["ETag"]})
    assert bulk.status_code == 200 and shop[1]["302"].id not in cells(bulk.text)


def test_fragment_etag_and_polling(client, db, admin, shop):
    version = complexes.version_of(db, "bahor-test")[1]
    fragment = client.get("/c/bahor-test/grid", headers=HTMX)
    assert (
        client.get("/c/bahor-test/grid", headers={**HTMX, "If-None-Match": fragment.headers["ETag"]}).status_code == 304
    )
    quiet = client.get("/c/bahor-test/grid", params={"since": version, "rooms": 2}, headers=HTMX)
    assert quiet.status_code == 204 and quiet.content == b""
    target = shop[1]["302"]
    change(db, admin, target, status=ApartmentStatus.BOOKED)
    moved = client.get("/c/bahor-test/grid", params={"since": version, "rooms": 2}, headers=HTMX)
    assert moved.status_code == 200 and "HX-Push-Url" not in moved.headers
    assert f'data-version="{version + 1}"' in moved.text and f"since={version + 1}" in moved.text
    assert cells(moved.text)[target.id]["status"] == "booked"
    assert client.get("/c/no-such/grid", params={"since": 1}, headers=HTMX).status_code == 404


def test_cached_page_does_not_render_again(client, shop, count_queries):
    with count_queries() as cold:
        first = client.get("/c/bahor-test")
    with count_queries() as warm:
        second = client.get("/c/bahor-test")
    assert first.status_code == second.status_code == 200
    assert lit(first.text) == lit(second.text)
    reads = [s for s in warm if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "inventory_version" in reads[0]  # only the version check
    assert len(warm) < len(cold) and not any("apartments" in s for s in warm)
    with count_queries() as revalidated:
        assert client.get("/c/bahor-test", headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    assert len([s for s in revalidated if s.lstrip().upper().startswith("SELECT")]) == 1


def test_cached_pages_never_mix_visitors_languages_or_roles(client, client_as, shop):
    assert 'href="/login"' in client.get("/c/bahor-test").text
    staff = client_as(Role.SALES)
    staff_page = staff.get("/c/bahor-test")
    assert 'href="/dashboard/sales/"' in staff_page.text and 'href="/login"' not in staff_page.text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', staff_page.text).group(1)
    again = client.get("/c/bahor-test")
    assert 'href="/login"' in again.text and "/dashboard/sales/" not in again.text
    client.cookies.set("crm_lang", "en")  # the visitor pressed "English" in the header
    english = client.get("/c/bahor-test")
    assert '<html lang="en">' in english.text and '<html lang="ru">' in again.text
    assert english.headers["ETag"] != again.headers["ETag"]
    sent = staff.post(
        "/c/bahor-test/request",
        headers={**HTMX, "X-CSRF-Token": token},
        data={"name": "Колл-центр", "phone": "+998901230000"},
    )
    assert sent.status_code == 200  # the token spliced into the cached page is this user's own


def test_version_memo_shows_a_change_after_its_ttl(app, client, db, monkeypatch):
    """Between two database reads a busy page costs no query; a change shows once the memo expires."""
    from app.domain.inventory.crud import apartments as apartment_crud
    from app.domain.inventory.models import ApartmentStatus
    from app.public import html as public_html
    from tests.factories import make_building, make_complex

    app.state.settings.public_version_ttl_ms = 500
    clock = [1000.0]
    monkeypatch.setattr(public_html.time, "monotonic", lambda: clock[0])
    complex_ = make_complex(db, "memo")
    flat = apartment_crud.for_building(db, make_building(db, complex_.id, floors=1, units=1).id)[0]
    first = client.get("/c/memo")
    assert f'data-apartment-id="{flat.id}" data-status="free"' in first.text
    flat.status = ApartmentStatus.SOLD
    from app.domain.inventory.crud import bump_inventory

    bump_inventory(db, [complex_.id])
    db.flush()
    clock[0] += 0.2
    assert 'data-status="free"' in client.get("/c/memo").text  # still within the memo's half second
    clock[0] += 0.4
    assert f'data-apartment-id="{flat.id}" data-status="sold"' in client.get("/c/memo").text


def test_cached_page_is_served_from_memory_without_queries(app, client, db, count_queries):
    """Within the version memo, an anonymous visitor's cached page costs no query at all."""
    from tests.factories import make_building, make_complex

    app.state.settings.public_version_ttl_ms = 60_000
    complex_ = make_complex(db, "fast")
    make_building(db, complex_.id, floors=2, units=2)
    first = client.get("/c/fast")
    with count_queries() as statements:
        again = client.get("/c/fast")
    assert again.status_code == 200 and statements == []
    assert again.text.count('data-testid="apt"') == first.text.count('data-testid="apt"') == 4
    token = again.text.split('name="csrf-token" content="')[1].split('"')[0]
    assert token and token != "CSRF-TOKEN-GOES-HERE-3f9c1a"  # each visitor's own token is spliced in
    etag = again.headers["etag"]
    assert client.get("/c/fast", headers={"If-None-Match": etag}).status_code == 304


def test_a_bad_calculator_price_is_shown_back_with_a_russian_message(client, shop):
    ru = {"Accept-Language": "ru"}
    for typed, message in (("abc", "Введите число."), ("-5", "Значение должно быть не меньше 0.")):
        result = client.get(
            "/c/bahor-test/calculator",
            params={"price": typed, "down_pct": "30", "months": "12"},
            headers={**HTMX, **ru, "HX-Target": "calc-result"},
        )
        assert result.status_code == 200
        oob = re.search(
            r'<p class="error calc-error" id="calc-error-price"[^>]*hx-swap-oob="true"[^>]*>([^<]*)</p>', result.text
        )
        assert oob and oob.group(1) == message, result.text
        whole = client.get(
            "/c/bahor-test/calculator", params={"price": typed}, headers={**HTMX, **ru, "HX-Target": "calculator"}
        )
        assert f'value="{typed}"' in whole.text and message in whole.text
        assert 'aria-invalid="true"' in whole.text
        plain = client.get("/c/bahor-test/calculator", params={"price": typed})
        page = client.get(plain.headers["location"], headers=ru)
        assert f'value="{typed}"' in page.text and message in page.text  # the complex page's calculator block
    fine = client.get(
        "/c/bahor-test/calculator", params={"price": "1000"}, headers={**HTMX, **ru, "HX-Target": "calc-result"}
    )
    assert re.search(r'id="calc-error-price"[^>]*hidden', fine.text)  # a fixed value clears the message


def test_past_half_its_ttl_one_request_reads_the_version_while_the_others_keep_the_memo(
    app, client, db, monkeypatch, count_queries
):
    """A busy page never has every visitor fall through to the database at once when the memo ages."""
    from app.domain.inventory.crud import apartments as apartment_crud
    from app.domain.inventory.crud import bump_inventory
    from app.domain.inventory.models import ApartmentStatus
    from app.public import html as public_html
    from tests.factories import make_building, make_complex

    app.state.settings.public_version_ttl_ms = 500
    clock = [1000.0]
    monkeypatch.setattr(public_html.time, "monotonic", lambda: clock[0])
    complex_ = make_complex(db, "halfway")
    flat = apartment_crud.for_building(db, make_building(db, complex_.id, floors=1, units=1).id)[0]
    assert 'data-status="free"' in client.get("/c/halfway").text
    flat.status = ApartmentStatus.SOLD
    bump_inventory(db, [complex_.id])
    db.flush()
    clock[0] += 0.3  # past half the TTL, another visitor's request is reading the version already
    app.state.__dict__["public_refreshing"] = {"halfway": clock[0]}
    with count_queries() as statements:
        meanwhile = client.get("/c/halfway")
    assert statements == [] and 'data-status="free"' in meanwhile.text
    app.state.__dict__["public_refreshing"].clear()  # that request is done; the next one past half the TTL reads again
    refreshed = client.get("/c/halfway")
    assert f'data-apartment-id="{flat.id}" data-status="sold"' in refreshed.text  # before the memo expired
    with count_queries() as statements:
        again = client.get("/c/halfway")
    assert statements == [] and 'data-status="sold"' in again.text
