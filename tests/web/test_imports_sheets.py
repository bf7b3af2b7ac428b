"""Imports from Google Sheets through the local stand-in of the Sheets API: a pasted address or id
and a tab, read once with unformatted values into a snapshot; 429 retried; clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.domain.leads.models import Lead
from tests.conftest import make_settings
from tests.sheets_stub import SheetsStub, service_account_file, start_stub

API = "/api/admin/imports"
PAGE = "/dashboard/admin/imports"
SHEET_ID = "1AbcDEFghijkLMNOpqrSTuvWXyz0123456789_-ab"
URL = f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0"
LEADS = [["Телефон", "Имя", "ЖК"], [998901234567, "Азиз", ""], ["+998 90 765-43-21", "Нодира"], ["нет", "Кто"]]


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> Iterator[tuple[SheetsStub, str]]:
    """The Sheets stand-in and a service account key file whose token_uri is the stand-in's."""
    stub, server = start_stub()
    key = service_account_file(tmp_path_factory.mktemp("google"), f"{stub.url}/token")
    try:
        yield stub, str(key)
    finally:
        server.shutdown()


@pytest.fixture
def sheets(stand_in) -> SheetsStub:
    """The stand-in, emptied, holding one spreadsheet with the tabs "Лиды" and "Прочее"."""
    stub, _key = stand_in
    stub.reset()
    stub.sheets[SHEET_ID] = {"Лиды": LEADS, "Прочее": [["a"]]}
    return stub


@pytest.fixture
def settings(database_url, tmp_path, stand_in):
    """The test app's settings with Google Sheets pointed at the stand-in."""
    stub, key = stand_in
    return make_settings(database_url, tmp_path, google_service_account_file=key, sheets_api_base=stub.url)


def test_a_sheet_tab_is_read_once_previewed_applied_and_its_mapping_reused(client_as, db, sheets, settings):
    admin = client_as(Role.ADMIN)
    created = admin.post(API, json={"sheet": URL, "tab": "Лиды", "kind": "leads"})
    assert created.status_code == 201, created.text
    job = admin.get(f"{API}/{created.json()['id']}").json()
    assert job["status"] == "preview" and job["counts"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    values = sheets.calls("values")
    assert len(values) == 1 and values[0][2]["valueRenderOption"] == ["UNFORMATTED_RESULT"]
    assert values[0][3] == "Bearer stub-token"
    sheets.sheets[SHEET_ID]["Лиды"] = [["Телефон"], ["+998 91 000-00-00"]]  # changed after the snapshot
    applied = admin.post(f"{API}/{job['id']}/apply").json()
    assert applied["status"] == "done" and applied["counts"]["create"] == 2
    assert len(sheets.calls("values")) == 1  # the apply read the snapshot, not the sheet
    assert db.scalar(select(Lead.name).where(Lead.phone == "+998901234567")) == "Азиз"
    remap = {"phone": "Телефон", "name": "Имя"}
    assert admin.put(f"{API}/{job['id']}/options", json={"mapping": remap}).status_code == 409
    sheets.sheets[SHEET_ID]["Лиды"] = LEADS
    second = admin.post(API, json={"sheet": SHEET_ID, "tab": "Лиды", "kind": "leads"}).json()
    assert admin.get(f"{API}/{second['id']}").json()["counts"]["unchanged"] == 2
    saved = admin.put(f"{API}/{second['id']}/options", json={"mapping": {"phone": "Телефон"}})
    assert saved.status_code == 200 and saved.json()["mapping"] == {"phone": "Телефон"}
    third = admin.post(API, json={"sheet": URL, "tab": "Лиды", "kind": "leads"}).json()
    assert admin.get(f"{API}/{third['id']}").json()["mapping"] == {"phone": "Телефон"}


def test_the_page_reads_a_sheet_and_payments_come_with_serial_dates(client_as, db, sheets):
    from tests.factories import make_contract

    contract = make_contract(db, price_per_m2="100", months=4)
    db.commit()
    rows = [["Номер договора", "Дата", "Сумма", "Способ оплаты"], [contract.number, 46037, 1500, "Наличные"]]
    sheets.sheets[SHEET_ID]["Оплаты"] = rows  # 46037: 15.01.2026 as an unformatted Sheets date
    admin = client_as(Role.ADMIN)
    assert 'data-testid="sheet-form"' in admin.get(PAGE).text
    sent = admin.post(PAGE, data={"kind": "payments", "sheet": URL, "tab": "Оплаты", "csrf_token": admin.csrf})
    assert sent.status_code == 303
    page = admin.get(sent.headers["location"])
    assert "Google Sheets: Оплаты" in page.text and "Создать: 1" in page.text
    assert admin.post(sent.headers["location"] + "/apply", data={"csrf_token": admin.csrf}).status_code == 303
    statement = client_as(Role.FINANCE).get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert statement["paid"] == "1500.00" and statement["payments"][0]["paid_at"] == "2026-01-15"


def test_a_429_is_retried_with_backoff_and_then_succeeds(client_as, sheets):
    admin = client_as(Role.ADMIN)
    sheets.fail_next(429)
    created = admin.post(API, json={"sheet": SHEET_ID, "tab": "Лиды", "kind": "leads"})
    assert created.status_code == 201, created.text
    assert len(sheets.calls("meta")) == 2
    assert admin.get(f"{API}/{created.json()['id']}").json()["counts"]["create"] == 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"sheet": "https://example.com/not-a-sheet", "tab": "Лиды"}, "sheet", "Вставьте адрес Google-таблицы"),
        ({"sheet": "short", "tab": "Лиды"}, "sheet", "Вставьте адрес Google-таблицы"),
        ({"sheet": "", "tab": "Лиды"}, "sheet", "Вставьте адрес Google-таблицы"),
        ({"sheet": SHEET_ID, "tab": ""}, "tab", "Укажите название листа"),
        ({"sheet": SHEET_ID, "tab": "Нет такого"}, "tab", "В таблице нет листа «Нет такого» (есть: Лиды, Прочее)."),
        ({"sheet": "1ForbiddenForbiddenForbidden0", "tab": "Лиды"}, "sheet", "Нет доступа к таблице"),
        ({"sheet": "1MissingMissingMissingMissing0", "tab": "Лиды"}, "sheet", "Такой Google-таблицы нет"),
        ({"sheet": SHEET_ID, "tab": "Прочее", "kind": "nope"}, "kind", "Выберите, что в файле."),
    ],
)
def test_refusals_are_clear_and_name_the_field(client_as, db, sheets, body, field, message):
    sheets.forbidden.add("1ForbiddenForbiddenForbidden0")
    admin = client_as(Role.ADMIN)
    answer = admin.post(API, json={"kind": "leads", **body})
    assert answer.status_code == 422
    assert field in answer.text and message in answer.text
    page = admin.post(PAGE, data={"kind": "leads", **body, "csrf_token": admin.csrf})
    assert page.status_code == 422
    assert f'data-testid="error-{field}"' in page.text and message in page.text


def test_sheets_not_configured(client_as, settings, sheets):
    settings.google_service_account_file = ""
    admin = client_as(Role.ADMIN)
    answer = admin.post(API, json={"sheet": SHEET_ID, "tab": "Лиды", "kind": "leads"})
    assert answer.status_code == 422 and "GOOGLE_SERVICE_ACCOUNT_FILE" in answer.text
    assert sheets.requests == []


def test_dates_as_serial_numbers_or_text_are_both_understood():
    from datetime import date

    from app.domain.imports.normalise import day

    assert day(46019) == day("28.12.2025") == day("2025-12-28") == day(46019.5) == date(2025, 12, 28)
    with pytest.raises(ValueError, match="date"):
        day("31.02.2025")


def test_google_asking_to_wait_every_time_ends_in_a_clear_refusal(stand_in, sheets):
    from app.core.errors import Invalid
    from app.domain.imports.sheets import SheetRef, SheetsAccess

    stub, key = stand_in
    for _ in range(5):
        sheets.fail_next(429)
    with pytest.raises(Invalid) as refused:
        SheetsAccess(key, stub.url, pause=0.01).fetch(SheetRef(SHEET_ID, "Лиды"))
    assert refused.value.field == "sheet" and "wait" in refused.value.message
    assert len(sheets.calls("meta")) == 5 and sheets.calls("values") == []
