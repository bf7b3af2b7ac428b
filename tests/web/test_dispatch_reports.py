"""The dispatch reports over HTTP: the page and its JSON twins show the hand-made figures, the exports
parse back (CSV and XLSX, Russian headers) with the same figures, bad periods are refused naming the
field, and only the dispatcher (and admin) get in."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.auth.permissions import Role
from app.web.openapi import XLSX_MEDIA_TYPE
from tests.dispatch_scenario import build_march, local
from tests.factories import free_apartment, make_work_order

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
TECHNICIAN_HEADERS = [
    "Мастер",
    "Выполнено заявок",
    "Медиана часов до выполнения",
    "Выполнено в срок",
    "В срок, проценты",
    "Возвращено в работу",
    "Часов занято",
    "Часов доступно",
    "Загрузка, проценты",
]


@pytest.fixture
def dispatcher(client_as):
    return client_as(Role.DISPATCHER)


@pytest.fixture
def march(db, time_machine, user_of):
    scenario = build_march(db, time_machine, user_of(Role.DISPATCHER))
    flat = free_apartment(db)
    for days in (1, 10, 20):  # open defects of one complex: 1, 10 and 20 days old
        time_machine.move_to(local(3, 20, 12) - timedelta(days=days), tick=False)
        make_work_order(db, flat.id, actor=user_of(Role.DISPATCHER), priority=2)
    time_machine.move_to(local(3, 20, 12), tick=False)
    return scenario


def rows_of(answer) -> list[list[str]]:
    """The lines of a CSV or XLSX answer as text."""
    if answer.headers["content-type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(answer.content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def figure(cell: str) -> Decimal | None:
    """A number cell read back (XLSX keeps 78.0 as 78), None for an empty one."""
    return Decimal(cell) if cell else None


def test_the_json_twin_defaults_to_this_month_with_the_hand_made_figures(march, dispatcher):
    body = dispatcher.get("/api/dispatcher/reports/technicians").json()
    assert (body["date_from"], body["date_to"]) == ("2026-03-01", "2026-03-31")
    alisher = next(r for r in body["technicians"] if r["name"] == "Алишер")
    assert alisher | {"technician_id": None} == {
        "technician_id": None,
        "name": "Алишер",
        "is_active": True,
        "done": 3,
        "median_hours": "78.0",
        "on_time": 2,
        "on_time_rate": "66.7",
        "reopened": 2,
        "booked_hours": "5.5",
        "available_hours": "198.0",
        "utilisation": "2.8",
    }
    assert dispatcher.get("/api/dispatcher/reports/technicians", params=MARCH).json() == body


def test_the_defects_twin_counts_open_defects_by_age_and_priority(march, dispatcher):
    body = dispatcher.get("/api/dispatcher/reports/defects").json()
    assert body["today"] == "2026-03-20"
    # the scenario's open orders are defects too: two scheduled ones over the month's bounds and the reopened one
    assert body["total"]["total"] == 6
    flat_row = next(r for r in body["complexes"] if r["by_priority"]["2"] == 3)
    assert flat_row["by_age"] == {"0_3": 1, "4_7": 0, "8_14": 1, "over_14": 1} and flat_row["total"] == 3


def test_the_page_shows_both_reports_and_says_what_the_times_mean(march, dispatcher):
    page = dispatcher.get("/dashboard/dispatcher/reports", params=MARCH)
    assert page.status_code == 200
    text = page.text
    assert "от создания заявки до выполнения" in text and 'href="/dashboard/dispatcher/reports"' in text
    assert f'data-testid="technician-row" data-technician="{march.alisher.id}"' in text
    assert f'data-testid="technician-row" data-technician="{march.sardor.id}"' not in text
    assert "66,7" in text and "198" in text and 'data-testid="defects-table"' in text
    fragment = dispatcher.get("/dashboard/dispatcher/reports", params=MARCH, headers={"HX-Request": "true"})
    assert 'data-testid="technicians-table"' in fragment.text and "<html" not in fragment.text


@pytest.mark.parametrize("prefix", ["/api/dispatcher", "/dashboard/dispatcher"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_technicians_export_parses_back_with_the_same_figures(march, dispatcher, prefix, fmt):
    answer = dispatcher.get(f"{prefix}/reports/technicians/export", params=MARCH | {"format": fmt})
    assert answer.status_code == 200
    media = XLSX_MEDIA_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    assert answer.headers["content-type"] == media
    assert f'filename="technicians-20260301-20260331.{fmt}"' in answer.headers["content-disposition"]
    header, *lines = rows_of(answer)
    assert header == TECHNICIAN_HEADERS
    by_name = {line[0]: [figure(v) for v in line[1:]] for line in lines}
    assert list(by_name) == ["Алишер", "Бобур", "Всего"]
    assert by_name["Алишер"] == [3, Decimal("78"), 2, Decimal("66.7"), 2, Decimal("5.5"), 198, Decimal("2.8")]
    assert by_name["Бобур"] == [0, None, 0, None, 0, 0, 20, 0]
    assert by_name["Всего"][:2] == [3, 78] and by_name["Всего"][6] == 218


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_defects_export_parses_back_with_the_same_figures(march, dispatcher, fmt):
    twin = dispatcher.get("/api/dispatcher/reports/defects").json()
    answer = dispatcher.get("/dashboard/dispatcher/reports/defects/export", params={"format": fmt})
    assert answer.status_code == 200 and 'filename="open-defects-20260320.' in answer.headers["content-disposition"]
    header, *lines = rows_of(answer)
    assert header == ["ЖК", "0–3 дня", "4–7 дней", "8–14 дней", "Более 14 дней"] + [
        f"Приоритет {n}" for n in range(1, 6)
    ] + ["Всего"]
    expected = [
        [r["complex"], *map(str, r["by_age"].values()), *map(str, r["by_priority"].values()), str(r["total"])]
        for r in twin["complexes"]
    ]
    assert lines[:-1] == expected and lines[-1][0] == "Всего" and lines[-1][-1] == "6"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-03-01"}, "to"),
        ({"from": "вчера"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "1999-12-31"}, "from"),
        ({"to": "99999-01-01"}, "to"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_field(dispatcher, params, field):
    for path in ("/api/dispatcher/reports/technicians", "/api/dispatcher/reports/technicians/export"):
        answer = dispatcher.get(path, params=params)
        assert answer.status_code == 422, (path, answer.text)
        assert ["query", field] in [e["loc"] for e in answer.json()["detail"]]
    page = dispatcher.get("/dashboard/dispatcher/reports", params=params)
    assert page.status_code == 422 and f'data-testid="error-{field}"' in page.text
    assert dispatcher.get("/dashboard/dispatcher/reports/technicians/export", params=params).status_code == 422


def test_an_unknown_export_format_is_a_422(dispatcher):
    for path in ("/api/dispatcher/reports/defects/export", "/dashboard/dispatcher/reports/technicians/export"):
        answer = dispatcher.get(path, params={"format": "pdf"})
        assert answer.status_code == 422


def test_only_the_dispatcher_and_admin_read_the_reports(client_as, client):
    paths = ["/api/dispatcher/reports/technicians", "/api/dispatcher/reports/defects", "/dashboard/dispatcher/reports"]
    for role in (Role.SALES, Role.ROP, Role.MOP, Role.FINANCE):
        browser = client_as(role)
        assert [browser.get(path).status_code for path in paths] == [403, 403, 403]
        assert "/dashboard/dispatcher/reports" not in browser.get(f"/dashboard/{role.value}/").text
    admin = client_as(Role.ADMIN)
    assert [admin.get(path).status_code for path in paths] == [200, 200, 200]
    assert 'href="/dashboard/dispatcher/reports"' in admin.get("/dashboard/admin/").text
    assert [client.get(path).status_code for path in paths] == [401, 401, 302]
