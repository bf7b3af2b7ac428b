"""The ROP's plans, plan vs fact, funnel and home through HTTP: both twins alike, 422 naming the
field, the plans form, the read-only lead page, and a write showing at once through the cache
(in process and on a real Redis)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
import redis

from app.auth.permissions import Role
from app.core import cache, clock
from app.domain.audit.models import AuditEntry
from app.domain.leads.models import LeadComment, LeadStatus
from tests.factories import make_contract, make_lead, make_user
from tests.workers import own_redis_url

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
MONTH = "2026-03"


@pytest.fixture
def march(time_machine):
    """March 20, 2026, noon at the company."""
    time_machine.move_to(clock.from_local(datetime(2026, 3, 20, 12)), tick=False)


def sign(db, seller, total: str = "1000000") -> None:
    """A UZS contract of `seller` signed now, for `total`."""
    contract = make_contract(db)
    contract.salesperson_id, contract.total = seller.id, Decimal(total)
    db.flush()


def plan_body(seller_id: int, contracts: int, amount: str) -> dict:
    """A PUT /plans body for one salesperson."""
    return {"items": [{"salesperson_id": seller_id, "contracts": contracts, "amount": amount}]}


def row_of(report: dict, seller_id: int) -> dict:
    return next(r for r in report["items"] if r["salesperson_id"] == seller_id)


def test_plans_set_through_the_json_twin_show_on_both_plan_fact_twins(client_as, user_of, db, march):
    seller = user_of(Role.SALES)
    sign(db, seller, "2500000")
    rop = client_as(Role.ROP)

    put = rop.put(
        f"/api/rop/plans?month={MONTH}",
        json={"items": [{"salesperson_id": seller.id, "contracts": 2, "amount": "5000000"}]},
    )
    assert put.status_code == 200, put.text
    assert row_of(put.json(), seller.id) | {"name": ""} == {
        "salesperson_id": seller.id,
        "name": "",
        "is_active": True,
        "contracts": 2,
        "amount": "5000000.00",
    }
    report = rop.get(f"/api/rop/plan-fact?month={MONTH}").json()
    mine = row_of(report, seller.id)
    assert (mine["fact_contracts"], mine["fact_amount"], mine["amount_percent"]) == (1, "2500000.00", "50.0")
    page = rop.get(f"/dashboard/rop/plan-fact?month={MONTH}")
    assert page.status_code == 200
    html_row = re.search(rf'data-salesperson-id="{seller.id}">(.*?)</tr>', page.text, re.S).group(1)
    assert "1 / 2" in html_row and "2 500 000" in html_row.replace("\u00a0", " ").replace("\u202f", " ")
    assert 'role="img"' in html_row and 'data-share="50.0"' in html_row
    assert "не позже чем через 60 с" in page.text  # the stated staleness bound


def test_the_plans_form_saves_and_shows_errors_next_to_the_fields(client_as, user_of, db, march):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES, full_name="Второй")
    rop = client_as(Role.ROP)
    form = rop.get(f"/dashboard/rop/plans?month={MONTH}")
    assert form.status_code == 200 and f'name="contracts-{seller.id}"' in form.text

    bad = rop.post(
        "/dashboard/rop/plans",
        data={
            "csrf_token": rop.csrf,
            "month": MONTH,
            f"contracts-{seller.id}": "два",
            f"amount-{seller.id}": "1 000",
            f"contracts-{other.id}": "1",
            f"amount-{other.id}": "-5",
        },
    )
    assert bad.status_code == 422
    assert f'data-testid="error-contracts-{seller.id}"' in bad.text
    assert f'data-testid="error-amount-{other.id}"' in bad.text
    assert 'value="два"' in bad.text  # typed values come back
    assert rop.get(f"/api/rop/plans?month={MONTH}").json()["items"][0]["contracts"] is None  # nothing half-saved

    good = rop.post(
        "/dashboard/rop/plans",
        data={
            "csrf_token": rop.csrf,
            "month": MONTH,
            f"contracts-{seller.id}": "3",
            f"amount-{seller.id}": "1 200 000,50",
        },
    )
    assert good.status_code == 303 and good.headers["location"].endswith(f"plans?month={MONTH}&saved={MONTH}")
    plan = row_of(rop.get(f"/api/rop/plans?month={MONTH}").json(), seller.id)
    assert (plan["contracts"], plan["amount"]) == (3, "1200000.50")
    assert row_of(rop.get(f"/api/rop/plans?month={MONTH}").json(), other.id)["contracts"] is None
    assert db.query(AuditEntry).filter_by(entity="sales_plan").count() == 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/rop/plan-fact?month=2026-13", "month"),
        ("/api/rop/plans?month=март", "month"),
        ("/api/rop/funnel?from=2026-03-05&to=2026-03-01", "to"),
        ("/api/rop/funnel?from=yesterday", "from"),
    ],
)
def test_a_bad_month_or_period_is_a_422_naming_the_field(client_as, path, field):
    answer = client_as(Role.ROP).get(path)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field


def test_a_bad_month_on_the_pages_is_shown_next_to_the_field(client_as):
    rop = client_as(Role.ROP)
    page = rop.get("/dashboard/rop/plan-fact?month=2026-13")
    assert page.status_code == 422 and 'data-testid="error-month"' in page.text and "ГГГГ-ММ" in page.text
    funnel = rop.get("/dashboard/rop/funnel?from=2026-03-05&to=2026-03-01")
    assert funnel.status_code == 422 and 'data-testid="error-to"' in funnel.text


def test_put_plans_refuses_other_roles_people_naming_each_item(client_as, user_of):
    answer = client_as(Role.ROP).put(
        f"/api/rop/plans?month={MONTH}",
        json={"items": [{"salesperson_id": user_of(Role.MOP).id, "contracts": 1, "amount": "1"}]},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "items", 0, "salesperson_id"]


def test_funnel_twins_agree_and_the_page_draws_accessible_svg(client_as, user_of, db, march):
    seller = user_of(Role.SALES)
    for status in (LeadStatus.NEW, LeadStatus.IN_WORK, LeadStatus.LOST):
        make_lead(db, seller, status=status, lost_reason="Дорого" if status == LeadStatus.LOST else "")
    rop = client_as(Role.ROP)

    data = rop.get("/api/rop/funnel?from=2026-03-01&to=2026-03-31").json()
    page = rop.get("/dashboard/rop/funnel?from=2026-03-01&to=2026-03-31")

    assert [s["count"] for s in data["stages"]][:2] == [3, 1]
    assert data["loss_reasons"] == [{"reason": "Дорого", "count": 1}]
    counts = re.findall(r'data-testid="stage-count">([^<]+)<', page.text)
    assert counts == [str(s["count"]) for s in data["stages"]]
    svg = re.search(r'<svg class="funnel".*?</svg>', page.text, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and " style=" not in svg
    assert "Лиды: 3" in svg and "Дорого" in page.text
    row = re.search(rf'data-testid="kpi-row" data-salesperson-id="{seller.id}">(.*?)</tr>', page.text, re.S).group(1)
    assert f"/dashboard/rop/leads?assigned_id={seller.id}" in row  # the figures open their leads
    assert rop.get("/dashboard/rop/funnel/export?from=2026-03-01&to=2026-03-31&format=csv").status_code == 200


def test_the_rop_reads_a_lead_with_its_story_but_cannot_change_it(client_as, user_of, db):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, name="Читаемый")
    db.add(LeadComment(lead_id=lead.id, author_id=seller.id, text="Перезвонить после обеда"))
    db.flush()
    rop = client_as(Role.ROP)

    listed = rop.get("/dashboard/rop/leads")
    assert f'href="/dashboard/rop/leads/{lead.id}"' in listed.text
    page = rop.get(f"/dashboard/rop/leads/{lead.id}")
    assert page.status_code == 200
    assert "Перезвонить после обеда" in page.text and 'data-testid="read-only"' in page.text
    for form in ("status-form", "edit-form", "comment-form", "lead-book-form"):
        assert f'data-testid="{form}"' not in page.text
    assert rop.get(f"/api/rop/leads/{lead.id}").json()["comments"][0]["text"] == "Перезвонить после обеда"
    for action, body in (("status", {"status": "lost", "reason": "x"}), ("comments", {"text": "x"}), ("edit", {})):
        assert rop.post(f"/api/rop/leads/{lead.id}/{action}", json=body).status_code == 403
        assert (
            rop.post(f"/dashboard/rop/leads/{lead.id}/{action}", data={"csrf_token": rop.csrf, **body}).status_code
            == 403
        )
    db.expire_all()
    assert db.get(type(lead), lead.id).status == LeadStatus.NEW
    assert 'data-testid="status-form"' in client_as(Role.SALES).get(f"/dashboard/sales/leads/{lead.id}").text


def test_the_rop_home_shows_plan_progress_and_the_funnel(client_as, user_of, db, march):
    seller = user_of(Role.SALES)
    sign(db, seller, "300")
    rop = client_as(Role.ROP)
    rop.put(
        f"/api/rop/plans?month={MONTH}",
        json={"items": [{"salesperson_id": seller.id, "contracts": 2, "amount": "600"}]},
    )

    page = rop.get("/dashboard/rop/")
    data = rop.get("/api/rop/").json()

    assert 'data-testid="home-plan"' in page.text and 'data-testid="home-funnel"' in page.text
    assert data["rop"]["plan_fact"]["total"]["amount_percent"] == "50.0"
    assert data["rop"]["funnel"]["stages"][0]["key"] == "leads"
    for link in ("/dashboard/rop/plan-fact", "/dashboard/rop/plans", "/dashboard/rop/funnel"):
        assert f'href="{link}"' in page.text
    assert 'data-testid="counters"' in client_as(Role.MOP).get("/dashboard/mop/").text  # the MOP keeps theirs


def _new_contract_shows_at_once(client_as, user_of, db) -> None:
    seller = user_of(Role.SALES)
    rop = client_as(Role.ROP)
    first = row_of(rop.get(f"/api/rop/plan-fact?month={MONTH}").json(), seller.id)
    assert first["fact_contracts"] == 0
    assert row_of(rop.get(f"/api/rop/plan-fact?month={MONTH}").json(), seller.id)["fact_contracts"] == 0  # cached
    sign(db, seller, "700")  # committed by the next request, which bumps "contracts"
    after = row_of(rop.get(f"/api/rop/plan-fact?month={MONTH}").json(), seller.id)
    assert (after["fact_contracts"], after["fact_amount"]) == (1, "700.00")
    funnel_before = rop.get("/api/rop/funnel?from=2026-03-01&to=2026-03-31").json()["stages"][0]["count"]
    make_lead(db, seller)
    assert rop.get("/api/rop/funnel?from=2026-03-01&to=2026-03-31").json()["stages"][0]["count"] == funnel_before + 1


def test_a_write_invalidates_the_in_process_cache(client_as, user_of, db, march):
    assert cache.backend() == "memory"
    _new_contract_shows_at_once(client_as, user_of, db)


def test_a_write_invalidates_the_redis_cache(app, client_as, user_of, db, march):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} (TEST_REDIS_URL): {exc}")
    namespace = f"test-{uuid.uuid4().hex}"
    cache.configure(REDIS_URL, 60, namespace)
    try:
        assert cache.backend() == "redis"
        _new_contract_shows_at_once(client_as, user_of, db)
        client = redis.Redis.from_url(REDIS_URL)
        assert any(client.scan_iter(match="crm:agg:*plan_fact*", count=1000))  # the entries are really in Redis
    finally:
        cache.configure()


def test_a_cached_value_lives_no_longer_than_the_stated_bound(user_of, db, march, time_machine):
    from app.domain.reports.plans import plans

    cache.configure(ttl=60)
    rop, seller = user_of(Role.ROP), user_of(Role.SALES)
    month = date(2026, 3, 1)
    assert plans.plan_fact(db, rop, month).total.fact_contracts == 0
    sign(db, seller)  # flushed, never committed: no counter moves (as a write from outside the app)
    assert plans.plan_fact(db, rop, month).total.fact_contracts == 0
    time_machine.shift(61)
    assert plans.plan_fact(db, rop, month).total.fact_contracts == 1
