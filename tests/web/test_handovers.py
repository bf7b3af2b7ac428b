"""Handovers over HTTP: a payment through the finance API raises the handover order; admin and
dispatcher request one (201, then 409); the handover form and its JSON twin save readings, keys,
acceptance and linked defects, or name the bad field with nothing written; the cards link both
ways; the grid overlays open defects; salespeople may not post."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.dispatch.models import Handover, OrderKind, WorkOrder
from app.domain.inventory.crud import apartments
from app.domain.inventory.models import Apartment
from tests.factories import HANDOVER_BODY, make_building, make_complex, make_contract, make_work_order

GOOD = HANDOVER_BODY
FORM = {
    "electricity": "1 234,5",
    "cold_water": "12.125",
    "hot_water": "",
    "gas": "",
    "keys_count": "2",
    "defects-0-title": "Скрипит дверь",
    "defects-0-description": "",
    "defects-0-required_skill": "general",
    "acceptance": "accepted",
    "buyer_name": "Каримов Азиз",
    "accepted_at": "",
    "remarks": "",
}


def counts(db) -> tuple[int, int]:
    db.expire_all()
    orders = db.scalar(select(func.count()).select_from(WorkOrder))
    return orders, db.scalar(select(func.count()).select_from(Handover))


@pytest.fixture
def dispatcher(client_as):
    return client_as(Role.DISPATCHER)


@pytest.fixture
def contract(db):
    return make_contract(db, price_per_m2="100", months=4)  # 6000 in four instalments


@pytest.fixture
def handover(dispatcher, contract) -> dict:
    answer = dispatcher.post(f"/api/dispatcher/contracts/{contract.id}/handover")
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_payment_that_completes_a_contract_raises_its_handover(client_as, db, contract):
    finance = client_as(Role.FINANCE)
    body = {"contract_id": contract.id, "amount": "3000", "paid_at": "2026-01-10", "method": "cash"}
    for key in ("a", "b", "b", "c"):  # the retry of "b" replays; "c" over-pays
        assert finance.post("/api/finance/payments", json=body, headers={"Idempotency-Key": key}).status_code in (
            200,
            201,
        )
    orders = client_as(Role.DISPATCHER).get("/api/dispatcher/work-orders", params={"kind": "handover"}).json()
    assert [(o["contract_id"], o["status"]) for o in orders["items"]] == [(contract.id, "new")]


def test_admin_and_dispatcher_request_a_handover_once(client_as, db, contract, handover):
    assert handover["kind"] == "handover" and handover["contract_id"] == contract.id and handover["status"] == "new"
    again = client_as(Role.ADMIN).post(f"/api/admin/contracts/{contract.id}/handover")
    assert again.status_code == 409
    assert client_as(Role.DISPATCHER).post("/api/dispatcher/contracts/999999/handover").status_code == 404
    assert client_as(Role.SALES).post(f"/api/sales/contracts/{contract.id}/handover").status_code == 403


def test_the_contract_page_offers_the_request_and_redirects_to_the_open_one(client_as, contract):
    admin = client_as(Role.ADMIN)
    page = admin.get(f"/dashboard/admin/contracts/{contract.id}")
    assert 'data-testid="request-handover"' in page.text
    made = admin.post(f"/dashboard/admin/contracts/{contract.id}/handover")
    assert made.status_code == 303
    order_id = int(re.search(r"/work-orders/(\d+)", made.headers["location"]).group(1))
    second = admin.post(f"/dashboard/admin/contracts/{contract.id}/handover")
    assert second.status_code == 303 and second.headers["location"].endswith(f"/work-orders/{order_id}?open=1")
    shown = admin.get(second.headers["location"])
    assert 'data-testid="handover-open"' in shown.text and 'data-testid="handover-form"' in shown.text


def test_the_json_form_records_and_links_the_defects(dispatcher, handover):
    url = f"/api/dispatcher/work-orders/{handover['id']}/handover"
    assert dispatcher.get(url).status_code == 404  # nothing recorded yet
    saved = dispatcher.post(url, json=GOOD)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["order_status"] == "done" and body["keys_count"] == 3 and body["acceptance"] == "with_remarks"
    assert [d["title"] for d in body["defects"]] == ["Трещина в стяжке", "Не работает розетка"]
    assert dispatcher.get(url).json()["defects"] == body["defects"]
    defect = dispatcher.get(f"/api/dispatcher/work-orders/{body['defects'][0]['id']}").json()
    assert defect["kind"] == "defect" and defect["parent_id"] == handover["id"]
    assert dispatcher.post(url, json=GOOD).status_code == 409  # done: closed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"electricity": -1}, "electricity"),
        ({"gas": "99999999999999999999"}, "gas"),
        ({"keys_count": 21}, "keys_count"),
        ({"defects": [{"title": "", "required_skill": "general"}]}, "title"),
        ({"defects": [{"title": "Дверь"}]}, "required_skill"),
        ({"buyer_name": "Кари\x00мов"}, "buyer_name"),
        ({"remarks": ""}, "remarks"),
        ({"keys_count": "много"}, "keys_count"),
    ],
)
def test_bad_json_is_422_naming_the_field_and_writes_nothing(db, dispatcher, handover, change, field):
    before = counts(db)
    answer = dispatcher.post(f"/api/dispatcher/work-orders/{handover['id']}/handover", json=GOOD | change)
    assert answer.status_code == 422, answer.text
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}
    assert counts(db) == before


def test_the_html_form_saves_and_the_cards_link_both_ways(db, dispatcher, handover):
    url = f"/dashboard/dispatcher/work-orders/{handover['id']}"
    card = dispatcher.get(url)
    assert 'data-testid="handover-form"' in card.text and "Каримов Азиз" in card.text  # the buyer's name suggested
    saved = dispatcher.post(f"{url}/handover", data=FORM)
    assert saved.status_code == 303, saved.text[:800]
    shown = dispatcher.get(saved.headers["location"]).text
    assert 'data-testid="handover-record"' in shown and 'data-testid="keys">2<' in shown
    db.expire_all()
    assert db.scalar(select(Handover.electricity).where(Handover.work_order_id == handover["id"])) == Decimal("1234.5")
    defect = db.scalar(select(WorkOrder).where(WorkOrder.parent_id == handover["id"]))
    assert defect.kind == OrderKind.DEFECT and defect.title == "Скрипит дверь"
    assert f'href="/dashboard/dispatcher/work-orders/{defect.id}"' in shown
    back = dispatcher.get(f"/dashboard/dispatcher/work-orders/{defect.id}").text
    assert f'href="/dashboard/dispatcher/work-orders/{handover["id"]}" data-testid="parent-link"' in back


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"electricity": "-5"}, "electricity"),
        ({"cold_water": "1e30"}, "cold_water"),
        ({"keys_count": "25"}, "keys_count"),
        ({"defects-0-title": ""}, "defects-0-title"),
        ({"defects-1-description": "без названия"}, "defects-1-title"),
        ({"acceptance": "with_remarks"}, "remarks"),
        ({"buyer_name": ""}, "buyer_name"),
    ],
)
def test_a_bad_html_form_shows_the_error_next_to_the_field(db, dispatcher, handover, change, field):
    before = counts(db)
    answer = dispatcher.post(f"/dashboard/dispatcher/work-orders/{handover['id']}/handover", data=FORM | change)
    assert answer.status_code == 422
    assert f'data-testid="error-{field}"' in answer.text
    assert counts(db) == before


def test_a_nul_byte_in_the_html_form_is_refused_with_nothing_written(db, dispatcher, handover):
    before = counts(db)
    answer = dispatcher.post(
        f"/dashboard/dispatcher/work-orders/{handover['id']}/handover", data=FORM | {"defects-0-title": "Дверь\x00"}
    )
    assert answer.status_code == 422
    assert counts(db) == before


def test_salespeople_cannot_post_the_form(client_as, db, user_of, contract, handover):
    contract.salesperson_id = user_of(Role.SALES).id
    db.flush()
    sales = client_as(Role.SALES)
    assert sales.post(f"/api/sales/work-orders/{handover['id']}/handover", json=GOOD).status_code == 403
    assert sales.post(f"/dashboard/sales/work-orders/{handover['id']}/handover", data=FORM).status_code == 403
    page = sales.get(f"/dashboard/sales/work-orders/{handover['id']}")
    assert page.status_code == 200 and 'data-testid="handover-form"' not in page.text


def test_the_grid_overlays_open_defects(client_as, db, contract, handover):
    dispatcher = client_as(Role.DISPATCHER)
    dispatcher.post(f"/api/dispatcher/work-orders/{handover['id']}/handover", json=GOOD | {"complete": False})
    building_id = db.scalar(select(Apartment.building_id).where(Apartment.id == contract.apartment_id))
    admin = client_as(Role.ADMIN)
    page = admin.get(f"/dashboard/admin/buildings/{building_id}/grid")
    assert re.search(r'data-testid="defects" title="[^"]*2[^"]*">2</span>', page.text)
    data = admin.get(f"/api/admin/buildings/{building_id}/grid").json()
    assert data["open_defects"] == {str(contract.apartment_id): 2}
    assert "apt-defects" not in client_as(Role.FINANCE).get(f"/dashboard/finance/buildings/{building_id}/grid").text
    assert client_as(Role.SALES).get(f"/api/sales/buildings/{building_id}/grid").json()["open_defects"] == {}


def test_the_overlay_takes_one_query_however_many_flats_have_defects(client_as, db, user_of, count_queries):
    complex_ = make_complex(db, "defects-grid")
    building = make_building(db, complex_.id, floors=3, units=4)
    flats = apartments.for_building(db, building.id)
    admin = client_as(Role.ADMIN)

    def queries() -> int:
        with count_queries() as statements:
            assert admin.get(f"/dashboard/admin/buildings/{building.id}/grid").status_code == 200
        return len(statements)

    make_work_order(db, flats[0].id, actor=user_of(Role.DISPATCHER))
    few = queries()
    for flat in flats[1:]:
        make_work_order(db, flat.id, actor=user_of(Role.DISPATCHER))
    assert queries() == few
    assert admin.get(f"/dashboard/admin/buildings/{building.id}/grid").text.count('data-testid="defects"') == 12


def test_the_live_grid_redraws_when_defects_change(client_as, db, user_of, contract):
    building_id = db.scalar(select(Apartment.building_id).where(Apartment.id == contract.apartment_id))
    admin = client_as(Role.ADMIN)
    url = f"/dashboard/admin/buildings/{building_id}/grid"
    version = re.search(r'data-version="(\d+)"', admin.get(url).text).group(1)
    assert admin.get(url, params={"since": version}).status_code == 204
    make_work_order(db, contract.apartment_id, actor=user_of(Role.DISPATCHER))
    redrawn = admin.get(url, params={"since": version})
    assert redrawn.status_code == 200 and 'data-testid="defects"' in redrawn.text
