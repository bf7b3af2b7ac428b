"""Buyers' service links: the token opens only its own active link (forged, tampered, revoked, another
contract's and garbage tokens give the polite 404, page and JSON alike), the buyer's page and its
report form (a defect order "new" with pictures; a wrong file refused next to its field with nothing
created), throttling per link and per address, the staff side (new link, revoke, permissions, JSON),
and the dispatcher's "new buyer requests" counter."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.core import clock
from app.domain.audit.models import AuditEntry
from app.domain.dispatch import link_tokens
from app.domain.dispatch.models import OrderSource, ServiceLink, ServiceRequest, WorkOrder, WorkOrderPicture
from app.domain.dispatch.service_links import service_links
from tests.conftest import csrf_from
from tests.factories import make_contract, make_technician, make_work_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SECRET = "test-secret-key-that-is-long-enough-for-hs256"  # tests.conftest.make_settings
URL_TOKEN = re.compile(r"/service/([^\"<\s]+)")


@pytest.fixture
def dispatcher(user_of):
    return user_of(Role.DISPATCHER)


@pytest.fixture
def contract(db):
    return make_contract(db)


@pytest.fixture
def link(db, dispatcher, contract):
    return service_links.issue(db, dispatcher, contract.id)


@pytest.fixture
def token(link):
    return link_tokens.sign(SECRET, link.id, link.nonce)


def orders_of(db, contract_id: int) -> list[WorkOrder]:
    db.expire_all()
    return list(db.scalars(select(WorkOrder).where(WorkOrder.contract_id == contract_id)))


def post_report(client, token: str, files=None, **fields):
    """The buyer's form as a browser posts it (multipart, with the page's CSRF token)."""
    data = {"title": "Течёт кран на кухне", "text": "Капает под мойкой", "preferred_time": "после 18:00"} | fields
    data["csrf_token"] = csrf_from(client, f"/service/{token}")
    empty = [("pictures", ("", b"", "application/octet-stream"))]  # a file input left empty
    return client.post(f"/service/{token}", data=data, files=files or empty)


# --- tokens -------------------------------------------------------------------------------------


def test_a_good_token_opens_the_page_in_russian_with_the_apartment_and_first_name_only(client, token, contract):
    page = client.get(f"/service/{token}")
    assert page.status_code == 200
    assert "Здравствуйте, Азиз!" in page.text
    assert "Каримов" not in page.text and "AB1234567" not in page.text  # no surname, no passport
    assert "Сообщить о проблеме" in page.text and 'data-testid="service-form"' in page.text
    assert "private" in page.headers["cache-control"] and "no-store" in page.headers["cache-control"]
    assert "/dashboard/" not in page.text  # no staff navigation


def tampered(token: str) -> list[str]:
    """Every one-character change of the token (each position gets another URL-safe character)."""
    out = []
    for i, ch in enumerate(token):
        if ch == ".":
            continue
        swap = "A" if ch != "A" else "B"
        out.append(token[:i] + swap + token[i + 1 :])
    return out


def test_forged_tampered_and_garbage_tokens_are_a_polite_404(client, token):
    forged = link_tokens.sign("another-secret", 1, "A" * 16)
    rest = token.split(".", 1)[1]
    garbage = ["x", "0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "1", "a..b", "%ff%fe", "ä" * 30, "a" * 10_000,
               token + "A", token[:-1], "99999999999." + rest, "-1.x.y", "１." + rest]  # fmt: skip
    for bad in [forged, *tampered(token)[::5], *garbage]:
        page = client.get(f"/service/{bad}")
        assert page.status_code == 404, bad[:40]
        assert "Ссылка не работает" in page.text
        api = client.get(f"/api/public/service/{bad}")
        assert api.status_code == 404 and api.json()["detail"], bad[:40]


def test_a_token_with_a_nul_or_control_bytes_is_404_not_500(client, token):
    for bad in ("%00", token + "%00", "a%00b", "%0d%0aSet-Cookie:x", "%01%02"):
        assert client.get(f"/service/{bad}").status_code == 404
        assert client.get(f"/api/public/service/{bad}").status_code == 404
        assert client.post(f"/api/public/service/{bad}", data={"title": "Кран"}).status_code == 404


def test_another_links_nonce_under_a_valid_signature_is_refused(client, db, dispatcher, link):
    other = service_links.issue(db, dispatcher, make_contract(db).id)
    mixed = link_tokens.sign(SECRET, other.id, link.nonce)  # signed right, but the nonce is not that row's
    assert client.get(f"/service/{mixed}").status_code == 404
    assert client.get(f"/service/{link_tokens.sign(SECRET, other.id, other.nonce)}").status_code == 200


def test_a_revoked_or_rotated_link_stops_working(client, db, dispatcher, contract, token):
    service_links.revoke(db, dispatcher, contract.id)
    assert client.get(f"/service/{token}").status_code == 404
    fresh = service_links.issue(db, dispatcher, contract.id)
    new_token = link_tokens.sign(SECRET, fresh.id, fresh.nonce)
    assert client.get(f"/service/{new_token}").status_code == 200
    service_links.issue(db, dispatcher, contract.id)  # rotate: the previous one is revoked
    assert client.get(f"/service/{new_token}").status_code == 404
    assert db.scalar(select(func.count()).where(ServiceLink.contract_id == contract.id)) == 3


def test_a_cancelled_contracts_link_is_404(client, db, user_of, contract, token):
    from app.domain.contracts.crud import contracts

    contracts.cancel(db, user_of(Role.ADMIN), contract.id, "Покупатель отказался")
    assert client.get(f"/service/{token}").status_code == 404


# --- the buyer's page and form -----------------------------------------------------------------


def test_the_page_lists_only_this_contracts_requests_with_status_and_slot(client, db, dispatcher, contract, token):
    own = make_work_order(db, apartment_id=contract.apartment_id, actor=dispatcher, title="Не греет радиатор")
    tech = make_technician(db)
    start = clock.from_local(datetime.combine(clock.today() + timedelta(days=2), time(14, 30)))
    scheduled = make_work_order(
        db, apartment_id=contract.apartment_id, actor=dispatcher, title="Скрипит дверь",
        technician_id=tech.id, scheduled_start=start.isoformat(),
    )  # fmt: skip
    other = make_contract(db)
    make_work_order(db, apartment_id=other.apartment_id, actor=dispatcher, title="Чужая заявка")
    page = client.get(f"/service/{token}").text
    assert "Не греет радиатор" in page and "Скрипит дверь" in page and "Чужая заявка" not in page
    assert "Назначена" in page and "Новая" in page
    assert "14:30" in page  # the visit on the company's clock
    body = client.get(f"/api/public/service/{token}").json()
    assert {r["id"] for r in body["requests"]} == {own.id, scheduled.id}
    assert body["buyer_first_name"] == "Азиз" and body["apartment"]["number"]
    slot = next(r for r in body["requests"] if r["id"] == scheduled.id)
    assert slot["status"] == "scheduled" and slot["status_label"] == "Назначена" and slot["scheduled_start"]


def test_submitting_creates_one_new_defect_order_with_its_picture(client, db, contract, token, settings):
    answer = post_report(client, token, files=[("pictures", ("tap.png", PNG, "image/png"))])
    assert answer.status_code == 303 and answer.headers["location"] == f"/service/{token}?sent=1"
    [order] = orders_of(db, contract.id)
    assert (order.kind.value, order.status.value, order.source) == ("defect", "new", OrderSource.BUYER_REQUEST)
    assert order.apartment_id == contract.apartment_id and order.created_by_id is None
    assert order.title == "Течёт кран на кухне" and order.preferred_time == "после 18:00"
    [picture] = db.scalars(select(WorkOrderPicture).where(WorkOrderPicture.work_order_id == order.id))
    assert (settings.data_dir / "work_orders" / picture.stored_name).read_bytes() == PNG
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.entity == "work_order", AuditEntry.entity_id == str(order.id))
    )
    assert entry is not None and entry.actor_id is None and entry.after["source"] == "buyer_request"
    thanks = client.get(answer.headers["location"]).text
    assert "Спасибо! Заявка принята." in thanks and "Течёт кран на кухне" in thanks


def test_a_wrong_file_is_refused_next_to_its_field_and_nothing_is_created(client, db, contract, token, settings):
    files = [("pictures", ("ok.png", PNG, "image/png")), ("pictures", ("virus.exe", b"MZ\x90\x00" * 20, "image/png"))]
    answer = post_report(client, token, files=files)
    assert answer.status_code == 422
    assert 'data-testid="error-pictures"' in answer.text and "JPEG, PNG или WebP" in answer.text
    assert "Течёт кран на кухне" in answer.text  # what the buyer typed is kept
    assert orders_of(db, contract.id) == []
    folder = settings.data_dir / "work_orders"
    assert not folder.exists() or not any(folder.iterdir())  # the good picture stored first is removed too


def test_a_missing_title_too_many_pictures_and_a_huge_text_are_refused(client, db, contract, token):
    blank = post_report(client, token, title="  ")
    assert blank.status_code == 422 and 'data-testid="error-title"' in blank.text
    six = [("pictures", (f"p{n}.png", PNG, "image/png")) for n in range(6)]
    many = post_report(client, token, files=six)
    assert many.status_code == 422 and "не больше 5" in many.text
    huge = post_report(client, token, text="я" * 5001)
    assert huge.status_code == 422 and 'data-testid="error-text"' in huge.text
    assert orders_of(db, contract.id) == []


def test_the_form_needs_its_csrf_token(client, db, contract, token):
    client.get(f"/service/{token}")
    answer = client.post(f"/service/{token}", data={"title": "Течёт кран"})
    assert answer.status_code == 403
    assert orders_of(db, contract.id) == []


def test_json_twin_creates_and_names_bad_fields(client, db, contract, token):
    created = client.post(
        f"/api/public/service/{token}",
        data={"title": "Не закрывается окно", "preferred_time": "утром"},
        files=[("pictures", ("w.png", PNG, "image/png"))],
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "new" and created.json()["status_label"] == "Новая"
    bad = client.post(f"/api/public/service/{token}", data={"title": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "title"]
    gif = [("pictures", ("a.gif", b"GIF89a" * 5, "image/gif"))]
    wrong = client.post(f"/api/public/service/{token}", data={"title": "Окно"}, files=gif)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "pictures"]
    assert len(orders_of(db, contract.id)) == 1


# --- throttling ---------------------------------------------------------------------------------


def test_too_many_requests_through_one_link_is_429_in_russian(client, db, contract, token):
    for n in range(5):
        assert client.post(f"/api/public/service/{token}", data={"title": f"Проблема {n}"}).status_code == 201
    refused = client.post(f"/api/public/service/{token}", data={"title": "Ещё одна"})
    assert refused.status_code == 429 and "Слишком много заявок" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    page = post_report(client, token)
    assert page.status_code == 429 and "Слишком много заявок" in page.text
    assert len(orders_of(db, contract.id)) == 5


def test_an_hour_later_the_link_may_send_again(client, db, contract, token, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    for n in range(5):
        assert client.post(f"/api/public/service/{token}", data={"title": f"Проблема {n}"}).status_code == 201
    assert client.post(f"/api/public/service/{token}", data={"title": "Ещё"}).status_code == 429
    time_machine.shift(timedelta(hours=1, seconds=1))
    assert client.post(f"/api/public/service/{token}", data={"title": "Через час"}).status_code == 201


def test_a_client_address_is_kept_a_day_only(client, db, token, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    assert client.post(f"/api/public/service/{token}", data={"title": "Первая"}).status_code == 201
    time_machine.shift(timedelta(days=1, minutes=1))
    assert client.post(f"/api/public/service/{token}", data={"title": "Вторая"}).status_code == 201
    db.expire_all()
    kept = db.scalars(select(ServiceRequest.address).order_by(ServiceRequest.created_at)).all()
    assert kept == ["", "testclient"]


def test_too_many_requests_from_one_address_is_429(app, client, db, dispatcher):
    app.state.settings = app.state.settings.__class__(**{**vars(app.state.settings), "service_requests_per_address": 3})
    tokens = []
    for _ in range(2):
        fresh = service_links.issue(db, dispatcher, make_contract(db).id)
        tokens.append(link_tokens.sign(SECRET, fresh.id, fresh.nonce))
    for n in range(3):
        assert client.post(f"/api/public/service/{tokens[n % 2]}", data={"title": f"Заявка {n}"}).status_code == 201
    assert client.post(f"/api/public/service/{tokens[1]}", data={"title": "Четвёртая"}).status_code == 429


# --- the staff side -----------------------------------------------------------------------------


def test_the_contract_page_shows_the_link_to_admin_with_copy_and_buttons(client_as, contract, token):
    admin = client_as(Role.ADMIN)
    page = admin.get(f"/dashboard/admin/contracts/{contract.id}").text
    assert 'data-testid="service-link"' in page and f"/service/{token}" in page
    assert 'data-testid="service-link-copy"' in page and 'data-testid="service-link-revoke"' in page


def test_who_does_not_manage_work_orders_sees_no_link_and_sales_may_not_revoke(client_as, db, contract, token):
    page = client_as(Role.MOP).get(f"/dashboard/mop/contracts/{contract.id}")
    assert page.status_code == 200 and 'data-testid="service-link"' not in page.text and "/service/" not in page.text
    sales = client_as(Role.SALES)
    assert sales.delete(f"/api/sales/contracts/{contract.id}/service-link").status_code == 403
    assert (
        sales.post(
            f"/dashboard/sales/contracts/{contract.id}/service-link/revoke", data={"csrf_token": sales.csrf}
        ).status_code
        == 403
    )
    assert sales.get(f"/api/sales/contracts/{contract.id}/service-link").status_code == 403


def test_the_dispatcher_sees_the_link_on_the_work_order_and_revokes_it(
    client_as, client, db, dispatcher, contract, token
):
    order = make_work_order(db, apartment_id=contract.apartment_id, actor=dispatcher)
    api = client_as(Role.DISPATCHER)
    card = api.get(f"/dashboard/dispatcher/work-orders/{order.id}").text
    assert f"/service/{token}" in card
    back = f"/dashboard/dispatcher/work-orders/{order.id}"
    own = f"/dashboard/dispatcher/contracts/{contract.id}/service-link"
    revoked = api.post(f"{own}/revoke", data={"csrf_token": api.csrf, "back": back})
    assert revoked.status_code == 303 and revoked.headers["location"] == back
    assert client.get(f"/service/{token}").status_code == 404
    card = api.get(back).text
    assert 'data-testid="service-link-none"' in card
    made = api.post(own, data={"csrf_token": api.csrf, "back": "https://evil.example/"})
    assert made.status_code == 303 and made.headers["location"] == own  # never off-site
    new_token = URL_TOKEN.search(api.get(made.headers["location"]).text).group(1)
    assert client.get(f"/service/{new_token}").status_code == 200


def test_htmx_gets_the_box_alone(client_as, contract, token):
    api = client_as(Role.DISPATCHER)
    box = api.post(f"/dashboard/dispatcher/contracts/{contract.id}/service-link", headers={"HX-Request": "true"})
    assert box.status_code == 200 and box.text.lstrip().startswith('<section class="card service-link')
    assert f"/service/{token}" not in box.text and "/service/" in box.text  # rotated


def test_json_twins_read_rotate_and_revoke(client_as, client, db, contract):
    api = client_as(Role.DISPATCHER)
    path = f"/api/dispatcher/contracts/{contract.id}/service-link"
    assert api.get(path).json() == {"contract_id": contract.id, "active": False, "url": None, "created_at": None,
                                    "created_by": None}  # fmt: skip
    first = api.post(path)
    assert first.status_code == 201 and first.json()["active"] is True
    url = first.json()["url"]
    assert url.startswith("http://testserver/service/") and api.get(path).json()["url"] == url
    second = api.post(path).json()["url"]
    assert second != url and client.get(url).status_code == 404 and client.get(second).status_code == 200
    assert api.delete(path).status_code == 204
    assert api.get(path).json()["active"] is False and client.get(second).status_code == 404
    assert api.delete(path).status_code == 204
    assert api.post("/api/dispatcher/contracts/999999/service-link").status_code == 404


def test_a_cancelled_contract_gets_no_new_link(client_as, db, user_of, dispatcher, contract):
    from app.domain.contracts.crud import contracts

    order = make_work_order(db, apartment_id=contract.apartment_id, actor=dispatcher)
    contracts.cancel(db, user_of(Role.ADMIN), contract.id, "Покупатель отказался")
    api = client_as(Role.DISPATCHER)
    card = api.get(f"/dashboard/dispatcher/work-orders/{order.id}")
    assert card.status_code == 200 and 'data-testid="service-link"' not in card.text
    assert api.post(f"/api/dispatcher/contracts/{contract.id}/service-link").status_code == 409
    html = api.post(f"/dashboard/dispatcher/contracts/{contract.id}/service-link", data={"csrf_token": api.csrf})
    assert html.status_code == 409 and 'data-testid="service-link-error"' in html.text


def test_the_dispatcher_home_counts_new_buyer_requests_and_links_the_list(client_as, client, db, contract, token):
    make_work_order(db, apartment_id=contract.apartment_id)  # staff-entered: not counted
    for n in range(2):
        client.post(f"/api/public/service/{token}", data={"title": f"Заявка {n}"})
    api = client_as(Role.DISPATCHER)
    home = api.get("/dashboard/dispatcher/").text
    counter = re.search(r'data-testid="counter-buyer-requests".*?counter-value">(\d+)<', home, re.S)
    assert counter and counter.group(1) == "2"
    assert "/dashboard/dispatcher/work-orders?status=new&amp;source=buyer_request" in home
    listed = api.get("/api/dispatcher/work-orders", params={"status": "new", "source": "buyer_request"}).json()
    assert listed["total"] == 2 and all(o["source"] == "buyer_request" for o in listed["items"])
    page = api.get("/dashboard/dispatcher/work-orders?status=new&source=buyer_request").text
    assert page.count('data-testid="buyer-request-badge"') == 2
    assert api.get("/api/dispatcher/").json()["dispatch"]["new_buyer_requests"] == 2
