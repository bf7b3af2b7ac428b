"""The dispatcher's JSON and pages: technicians, work orders, PATCH rules (422 naming fields, 404,
409 stale or conflicting, the override), the schedule and the queue, the home, and sales read-only."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.permissions import Role
from app.core import clock
from tests.factories import free_apartment, make_contract, make_technician, make_work_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(hour: int, minute: int = 0, days: int = 1) -> str:
    """An ISO moment on the company's wall clock `days` from today."""
    return clock.from_local(datetime.combine(clock.today() + timedelta(days=days), time(hour, minute))).isoformat()


@pytest.fixture
def api(client_as):
    return client_as(Role.DISPATCHER)


@pytest.fixture
def order(db, user_of):
    return make_work_order(db, actor=user_of(Role.DISPATCHER))


def test_technicians_are_added_listed_and_changed(api):
    body = {"name": "Алишер Усманов", "phone": "+998901234567", "skills": ["plumber", "general"],
            "color": "#22aa55", "hours": {"0": ["09:00", "18:00"], "1": ["09:00", "18:00"]}}  # fmt: skip
    created = api.post("/api/dispatcher/technicians", json=body)
    assert created.status_code == 201, created.text
    tech = created.json()
    assert tech["skills"] == ["plumber", "general"] and tech["is_active"] is True
    assert [t["name"] for t in api.get("/api/dispatcher/technicians").json()] == ["Алишер Усманов"]
    changed = api.put(f"/api/dispatcher/technicians/{tech['id']}", json=body | {"is_active": False})
    assert changed.json()["is_active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"skills": ["astronaut"]}, "skills"),
        ({"color": "red"}, "color"),
        ({"hours": {"7": ["09:00", "18:00"]}}, "hours"),
        ({"hours": {"0": ["18:00", "09:00"]}}, "hours"),
        ({"hours": {"0": ["9", "18:00"]}}, "hours"),
        ({"name": ""}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_technician_is_refused_naming_the_field(api, change, field):
    answer = api.post("/api/dispatcher/technicians", json={"name": "Мастер"} | change)
    assert answer.status_code == 422
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}


def test_a_work_order_is_created_with_its_buyer_and_due_date(api, db):
    contract = make_contract(db)
    answer = api.post(
        "/api/dispatcher/work-orders",
        json={"apartment_id": contract.apartment_id, "kind": "defect", "priority": 1, "title": "Течёт кран"},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["buyer"] == "Каримов Азиз" and body["status"] == "new" and body["version"] == 1
    assert body["due_date"] == (clock.today() + timedelta(days=1)).isoformat()
    shown = api.get(f"/api/dispatcher/work-orders/{body['id']}")
    assert shown.json()["apartment"] == body["apartment"] and shown.headers["ETag"] == '"1"'
    listed = api.get("/api/dispatcher/work-orders", params={"status": "new", "q": "кран"}).json()
    assert [o["id"] for o in listed["items"]] == [body["id"]]


def test_patch_assigns_and_the_schedule_and_queue_follow(api, db, order):
    tech = make_technician(db)
    queue = api.get("/api/dispatcher/work-orders/unassigned").json()
    assert [o["id"] for o in queue["items"]] == [order.id]
    answer = api.patch(
        f"/api/dispatcher/work-orders/{order.id}", json={"technician_id": tech.id, "scheduled_start": at(10)}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "scheduled" and answer.json()["version"] == 2
    assert api.get("/api/dispatcher/work-orders/unassigned").json()["items"] == []
    day = (clock.today() + timedelta(days=1)).isoformat()
    board = api.get("/api/dispatcher/schedule", params={"from": day, "to": day}).json()
    assert [(row["technician"]["id"], [o["id"] for o in row["orders"]]) for row in board["technicians"]] == [
        (tech.id, [order.id])
    ]


def test_a_missing_order_is_404_and_a_stale_edit_409(api, order):
    assert api.patch("/api/dispatcher/work-orders/999999", json={"title": "Новое"}).status_code == 404
    assert (
        api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Первая правка", "version": 1}).status_code
        == 200
    )
    stale = api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Вторая"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["detail"][0]["loc"] == ["body", "version"]
    assert (
        api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Вторая", "version": 1}).status_code == 409
    )
    fresh = api.patch(
        f"/api/dispatcher/work-orders/{order.id}", json={"title": "Вторая"}, headers={"If-Match": 'W/"2"'}
    )
    assert fresh.status_code == 200 and fresh.json()["title"] == "Вторая"


def test_a_conflict_is_409_with_its_reasons_and_force_records_the_override(api, db, user_of):
    weekday = str((clock.today() + timedelta(days=1)).weekday())
    tech = make_technician(db, skills=("plumber",), hours={weekday: ["09:00", "18:00"]})
    make_work_order(db, actor=user_of(Role.DISPATCHER), technician_id=tech.id, scheduled_start=at(10))
    second = make_work_order(db, actor=user_of(Role.DISPATCHER), required_skill="electrician")
    move = {"technician_id": tech.id, "scheduled_start": at(10, 30)}
    refused = api.patch(f"/api/dispatcher/work-orders/{second.id}", json=move)
    assert refused.status_code == 409
    assert [e["loc"] for e in refused.json()["detail"]] == [["conflict", "overlap"], ["conflict", "skill"]]
    assert api.get(f"/api/dispatcher/work-orders/{second.id}").json()["status"] == "new"
    forced = api.patch(f"/api/dispatcher/work-orders/{second.id}", json=move | {"force": True})
    assert forced.status_code == 200 and forced.json()["overrides"] == ["overlap", "skill"]


BAD_PATCHES = [
    ({"colour": "red"}, "colour"),
    ({"priority": "high"}, "priority"),
    ({"priority": 9}, "priority"),
    ({"title": None}, "title"),
    ({"title": ""}, "title"),
    ({"status": "lost"}, "status"),
    ({"kind": None}, "kind"),
    ({"technician_id": "Алишер"}, "technician_id"),
    ({"technician_id": 2**40}, "technician_id"),
    ({"technician_id": 999999}, "technician_id"),
    ({"scheduled_start": "завтра"}, "scheduled_start"),
    ({"scheduled_start": "9999-12-31T23:59:59-12:00"}, "scheduled_start"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": 10**9}, "duration_minutes"),
    ({"due_date": "1999-01-01"}, "due_date"),
    ({"notes": "a\x00b"}, "notes"),
    ({"version": "x"}, "version"),
    ({"force": "maybe"}, "force"),
    ({"required_skill": "astronaut"}, "required_skill"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PATCHES)
def test_a_bad_patch_is_422_naming_the_field(api, order, body, field):
    answer = api.patch(f"/api/dispatcher/work-orders/{order.id}", json=body)
    assert answer.status_code == 422, answer.text
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}


@pytest.mark.parametrize("raw", [b"[]", b"42", b"not json", b'{"title": ', b""])
def test_a_patch_that_is_no_object_is_422(api, order, raw):
    answer = api.patch(
        f"/api/dispatcher/work-orders/{order.id}", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422


def test_a_bad_if_match_is_422(api, order):
    answer = api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Ок"}, headers={"If-Match": "abc"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "If-Match"]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)
FIELDS = ["kind", "priority", "title", "status", "cancel_reason", "scheduled_start", "duration_minutes",
          "technician_id", "due_date", "version", "force", "required_skill", "notes", "x"]  # fmt: skip


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(body=st.dictionaries(st.sampled_from(FIELDS), JSONISH, max_size=4))
def test_no_patch_body_gives_a_server_error(api, order, body):
    answer = api.patch(f"/api/dispatcher/work-orders/{order.id}", json=body)
    assert answer.status_code in (200, 409, 422), (body, answer.text)


def test_a_picture_is_checked_and_attached(api, order):
    url = f"/api/dispatcher/work-orders/{order.id}/pictures"
    bad = api.post(url, files={"picture": ("tap.txt", io.BytesIO(b"hello"), "text/plain")})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "picture"]
    good = api.post(url, files={"picture": ("tap.png", io.BytesIO(PNG), "image/png")})
    assert good.status_code == 200 and [p["filename"] for p in good.json()["pictures"]] == ["tap.png"]
    picture = good.json()["pictures"][0]
    shown = api.get(f"{url}/{picture['id']}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"


def test_the_schedule_refuses_a_bad_period(api):
    assert api.get("/api/dispatcher/schedule", params={"from": "2026-01-10", "to": "2026-01-01"}).status_code == 422
    assert api.get("/api/dispatcher/schedule", params={"from": "2026-01-01", "to": "2026-03-01"}).status_code == 422
    assert api.get("/api/dispatcher/schedule", params={"from": "x", "to": "2026-03-01"}).status_code == 422


def test_sales_read_their_clients_orders_only_and_cannot_change_them(client_as, db, user_of):
    seller = user_of(Role.SALES)
    contract = make_contract(db)
    contract.salesperson_id = seller.id
    db.flush()
    own = make_work_order(db, contract.apartment_id, actor=user_of(Role.DISPATCHER))
    other = make_work_order(db, make_contract(db).apartment_id, actor=user_of(Role.DISPATCHER))
    sales = client_as(Role.SALES)
    assert [o["id"] for o in sales.get("/api/sales/work-orders").json()["items"]] == [own.id]
    assert sales.get(f"/api/sales/work-orders/{other.id}").status_code == 404
    assert sales.patch(f"/api/sales/work-orders/{own.id}", json={"title": "Чужая"}).status_code == 403
    assert (
        sales.post("/api/sales/work-orders", json={"apartment_id": 1, "kind": "defect", "title": "Х"}).status_code
        == 403
    )
    page = sales.get(f"/dashboard/sales/work-orders/{own.id}")
    assert page.status_code == 200 and 'data-testid="work-order-form"' not in page.text
    assert sales.get("/api/sales/schedule", params={"from": "2026-01-01", "to": "2026-01-02"}).status_code == 404


def test_the_dispatcher_pages_show_the_work(api, db, user_of):
    tech = make_technician(db, name="Бахтиёр")
    today = clock.from_local(datetime.combine(clock.today(), time(10))).isoformat()
    make_work_order(db, actor=user_of(Role.DISPATCHER), technician_id=tech.id, scheduled_start=today, title="Розетка")
    make_work_order(db, actor=user_of(Role.DISPATCHER), title="Дверь скрипит")
    home = api.get("/dashboard/dispatcher/")
    assert home.status_code == 200 and "Бахтиёр" in home.text and "Розетка" in home.text
    assert 'data-testid="counter-unassigned"' in home.text
    assert api.get("/api/dispatcher/").json()["dispatch"]["unassigned_count"] == 1
    week = api.get("/dashboard/dispatcher/schedule")
    assert week.status_code == 200 and "Розетка" in week.text and "Дверь скрипит" in week.text
    assert api.get("/dashboard/dispatcher/schedule?week=nonsense").status_code == 200
    listed = api.get("/dashboard/dispatcher/work-orders")
    assert listed.status_code == 200 and listed.text.count('data-testid="work-order-row"') == 2
    assert api.get("/dashboard/dispatcher/technicians").status_code == 200
    assert api.get("/dashboard/dispatcher/work-orders/new").status_code == 200


def test_the_order_form_shows_a_conflict_and_schedules_anyway(api, db, user_of):
    tech = make_technician(db)
    make_work_order(db, actor=user_of(Role.DISPATCHER), technician_id=tech.id, scheduled_start=at(10))
    apartment = free_apartment(db)
    start = clock.local(datetime.fromisoformat(at(10))).strftime("%Y-%m-%dT%H:%M")
    form = {"apartment_id": apartment.id, "kind": "defect", "priority": "3", "title": "Нет света"}
    form |= {"technician_id": tech.id, "scheduled_start": start, "duration_minutes": "60", "required_skill": ""}
    refused = api.post("/dashboard/dispatcher/work-orders", data=form)
    assert refused.status_code == 409 and 'data-testid="conflict"' in refused.text
    forced = api.post("/dashboard/dispatcher/work-orders", data=form | {"force": "1"})
    assert forced.status_code == 303
    card = api.get(forced.headers["location"])
    assert 'data-testid="overrides"' in card.text


def test_the_card_form_refuses_a_cancel_without_reason(api, order):
    answer = api.post(
        f"/dashboard/dispatcher/work-orders/{order.id}",
        data={
            "status": "cancelled",
            "title": order.title,
            "kind": "defect",
            "priority": "3",
            "duration_minutes": "60",
            "version": str(order.version),
        },
    )
    assert answer.status_code == 422 and 'data-testid="error-cancel_reason"' in answer.text


def test_a_technician_is_added_through_the_form(api):
    form = {"name": "Дилшод", "phone": "", "color": "#ff8800", "skills": ["electrician"], "works_0": "1",
            "from_0": "08:00", "to_0": "17:00", "is_active": "1"}  # fmt: skip
    saved = api.post("/dashboard/dispatcher/technicians", data=form)
    assert saved.status_code == 303
    tech = api.get("/api/dispatcher/technicians").json()[0]
    assert tech["hours"] == {"0": ["08:00", "17:00"]} and tech["skills"] == ["electrician"]
    bad = api.post("/dashboard/dispatcher/technicians", data=form | {"to_0": "07:00"})
    assert bad.status_code == 422 and 'data-testid="error-hours"' in bad.text


def test_a_done_order_is_reopened_from_its_card(api, db, user_of):
    tech = make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER), technician_id=tech.id, scheduled_start=at(10))
    for status in ("in_progress", "done"):
        assert api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"status": status}).status_code == 200
    card = api.get(f"/dashboard/dispatcher/work-orders/{order.id}")
    assert card.status_code == 200
    start = clock.local(datetime.fromisoformat(at(10))).strftime("%Y-%m-%dT%H:%M")
    form = {"status": "in_progress", "kind": "defect", "priority": "3", "title": order.title, "description": "",
            "required_skill": "", "technician_id": str(tech.id), "scheduled_start": start, "duration_minutes": "60",
            "notes": "", "cancel_reason": "", "completion_note": "", "version": "3"}  # fmt: skip
    answer = api.post(f"/dashboard/dispatcher/work-orders/{order.id}", data=form)
    assert answer.status_code == 303, answer.text[:500]
    reopened = api.get(f"/api/dispatcher/work-orders/{order.id}").json()
    assert reopened["status"] == "in_progress" and reopened["reopened"] == 1


def test_the_contract_page_shows_its_apartment_s_service_orders_to_its_salesperson(client_as, db, user_of):
    seller = user_of(Role.SALES)
    contract, stranger = make_contract(db), make_contract(db)
    contract.salesperson_id = seller.id
    db.flush()
    make_work_order(db, contract.apartment_id, actor=user_of(Role.DISPATCHER), title="Трещина в стяжке")
    make_work_order(db, stranger.apartment_id, actor=user_of(Role.DISPATCHER), title="Чужая протечка")
    sales = client_as(Role.SALES)
    page = sales.get(f"/dashboard/sales/contracts/{contract.id}")
    assert page.status_code == 200
    assert "Сервисные заявки" in page.text and "Трещина в стяжке" in page.text and "Чужая протечка" not in page.text
    assert page.text.count('data-testid="service-order-row"') == 1
    listed = sales.get(f"/api/sales/contracts/{contract.id}/work-orders")
    assert [o["title"] for o in listed.json()] == ["Трещина в стяжке"]
    assert sales.get(f"/api/sales/contracts/{stranger.id}/work-orders").status_code == 404
