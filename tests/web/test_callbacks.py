"""The callbacks page and its JSON twin by period, and dashboard counters that open their lists."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from app.auth.permissions import Role
from app.core import clock
from app.domain.leads.models import LeadStatus
from tests.factories import make_contract, make_lead, make_user

COUNTER = re.compile(r'<a class="counter counter-link" href="([^"]+)" data-testid="counter-([a-z_0-9]+)">')


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of April 2026 on the company's wall clock."""
    return clock.from_local(datetime(2026, 4, day, hour, minute))


@pytest.fixture
def callbacks_of_a_seller(db, user_of, time_machine):
    """Wednesday, April 1, 10:00 at the company; the salesperson's callbacks around it."""
    time_machine.move_to(local(1, 10), tick=False)
    seller = user_of(Role.SALES)
    for name, moment in {
        "Вчерашний": local(1, 10) - timedelta(days=1),
        "Вечерний": local(1, 23, 30),
        "Ночной": local(2, 0, 30),
        "Воскресный": local(5, 23),
        "Следующий": local(6, 9),
    }.items():
        make_lead(db, seller, name=name, next_callback_at=moment)
    make_lead(db, seller, name="Потерянный", next_callback_at=local(1, 12), status=LeadStatus.LOST)


@pytest.mark.parametrize(
    "when, names",
    [
        (None, ["Вчерашний", "Вечерний"]),
        ("due", ["Вчерашний", "Вечерний"]),
        ("overdue", ["Вчерашний"]),
        ("today", ["Вечерний"]),
        ("tomorrow", ["Ночной"]),
        ("week", ["Вечерний", "Ночной", "Воскресный"]),
        ("all", ["Вечерний", "Ночной", "Воскресный", "Следующий"]),
    ],
)
def test_both_twins_list_the_callbacks_of_a_period(client_as, callbacks_of_a_seller, when, names):
    sales = client_as(Role.SALES)
    params = {"when": when} if when else {}
    api = sales.get("/api/sales/callbacks", params=params)
    assert api.status_code == 200 and [lead["name"] for lead in api.json()] == names
    page = sales.get("/dashboard/sales/callbacks", params=params)
    assert page.status_code == 200
    rows = re.findall(r'data-testid="callback-link">([^<]+)</a>', page.text)
    assert rows == names
    current = re.search(r'data-testid="period-([a-z]+)" class="active" aria-current="page"', page.text)
    assert current and current.group(1) == (when or "due")


def test_the_period_tabs_are_in_russian_and_an_unknown_period_is_refused(client_as, callbacks_of_a_seller):
    sales = client_as(Role.SALES)
    page = sales.get("/dashboard/sales/callbacks", params={"when": "tomorrow"}).text
    for label in ("Просроченные и сегодня", "Завтра", "На этой неделе", "Все предстоящие"):
        assert label in page
    assert 'href="/dashboard/sales/callbacks?when=week"' in page
    assert sales.get("/api/sales/callbacks", params={"when": "someday"}).status_code == 422
    assert sales.get("/dashboard/sales/callbacks", params={"when": "someday"}).status_code == 422


def test_marking_a_lead_lost_takes_it_off_the_callbacks(client_as, user_of, db):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, name="Передумал", next_callback_at=clock.now() + timedelta(hours=1))
    sales = client_as(Role.SALES)
    assert [x["name"] for x in sales.get("/api/sales/callbacks").json()] == ["Передумал"]
    lost = sales.post(f"/api/sales/leads/{lead.id}/status", json={"status": "lost", "reason": "купил у других"})
    assert lost.status_code == 200 and lost.json()["next_callback_at"] is None
    assert sales.get("/api/sales/callbacks", params={"when": "all"}).json() == []
    assert sales.get("/api/sales/").json()["counters"]["callbacks_due"] == 0


def counter_links(html: str) -> dict[str, str]:
    return {key: href.replace("&amp;", "&") for href, key in COUNTER.findall(html)}


def test_sales_counters_open_the_lists_they_count(client_as, user_of, db):
    seller = user_of(Role.SALES)
    make_lead(db, seller, name="Новенький")
    make_lead(db, seller, name="Позвонить", status=LeadStatus.IN_WORK, next_callback_at=clock.now())
    sales = client_as(Role.SALES)
    links = counter_links(sales.get("/dashboard/sales/").text)
    assert links["leads_new"] == "/dashboard/sales/leads?status=new"
    assert links["leads_in_work"] == "/dashboard/sales/leads?status=in_work"
    assert links["callbacks_due"] == "/dashboard/sales/callbacks?when=due"
    assert links["bookings_active"] == "/dashboard/sales/bookings?status=active"
    assert links["contracts_month"] == f"/dashboard/sales/contracts?signed_from={clock.today().replace(day=1)}"
    assert "my_changes_7d" not in links  # a salesperson has no audit log to open
    for href in links.values():
        assert sales.get(href).status_code == 200, href
    assert "Новенький" in sales.get(links["leads_new"]).text
    assert "Новенький" not in sales.get(links["leads_in_work"]).text
    assert "Позвонить" in sales.get(links["callbacks_due"]).text


def test_a_head_of_sales_opens_due_callbacks_in_the_leads_list(client_as, db):
    seller = make_user(db, Role.SALES)
    make_lead(db, seller, name="Открытый", next_callback_at=clock.now())
    make_lead(db, seller, name="Закрытый", next_callback_at=clock.now(), status=LeadStatus.SOLD)
    rop = client_as(Role.ROP)  # the ROP's home shows plans and the funnel; the funnel's table opens the callbacks
    funnel = rop.get("/dashboard/rop/funnel").text
    link = f"/dashboard/rop/leads?assigned_id={seller.id}&amp;callback_due=true"
    assert link in funnel
    listed = rop.get(link.replace("&amp;", "&")).text
    assert "Открытый" in listed and "Закрытый" not in listed


def test_contracts_this_month_opens_this_months_contracts(client_as, db, time_machine):
    time_machine.move_to(local(1, 0, 30), tick=False)  # just after midnight on April 1
    make_contract(db)
    time_machine.move_to(local(1, 0, 30) - timedelta(hours=1), tick=False)  # 23:30 on March 31
    make_contract(db)
    time_machine.move_to(local(1, 10), tick=False)
    admin = client_as(Role.ADMIN)
    counters = admin.get("/api/admin/").json()["counters"]
    links = counter_links(admin.get("/dashboard/admin/").text)
    assert links["contracts_month"] == "/dashboard/admin/contracts?signed_from=2026-04-01"
    listed = admin.get("/api/admin/contracts", params={"signed_from": "2026-04-01"}).json()
    assert counters["contracts_month"] == listed["total"] == 1
    assert admin.get(links["contracts_month"]).status_code == 200
    assert links["changes_7d"] == "/dashboard/admin/audit?date_from=2026-03-26"
    assert links["active_sales"] == "/dashboard/admin/users?role=sales&active=true"


def test_finance_overdue_counter_opens_the_debts(client_as, db):
    make_contract(db, months=2, start=clock.today() - timedelta(days=70))
    finance = client_as(Role.FINANCE)
    links = counter_links(finance.get("/dashboard/finance/").text)
    assert links["contracts_overdue"] == "/dashboard/finance/debts"
    assert finance.get(links["contracts_overdue"]).status_code == 200
