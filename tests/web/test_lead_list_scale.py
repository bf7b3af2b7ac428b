"""The lead list pages at scale, as people and the JSON twin see them: the "about" count label,
cursor links in the pager, refused stale links, and a fixed number of queries per page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import insert

from app.auth.permissions import Role
from app.core import clock
from app.core.paging import EXACT_COUNT_LIMIT
from app.domain.leads.models import Lead, LeadSource, lead_search_key
from tests.factories import make_complex, make_lead, make_user


def bulk_leads(db, count: int) -> None:
    now = clock.now()
    db.execute(
        insert(Lead),
        [
            {
                "name": f"Покупатель {n}",
                "phone": f"+99871{n:07d}",
                "source": LeadSource.SHEET,
                "search_key": lead_search_key(f"Покупатель {n}", f"+99871{n:07d}"),
                "created_at": now - timedelta(minutes=n),
                "last_touch_at": now - timedelta(minutes=n),
            }
            for n in range(count)
        ],
    )


def next_href(html: str) -> str:
    match = re.search(r'<a href="\?([^"]*)"[^>]*data-testid="pager-next"', html)
    assert match, "no Next link"
    return unescape(match.group(1))


def test_a_long_list_says_about_how_many_and_json_keeps_an_exact_int(client_as, db):
    bulk_leads(db, EXACT_COUNT_LIMIT + 40)
    mop = client_as(Role.MOP)
    page = mop.get("/dashboard/mop/leads")
    assert page.status_code == 200
    assert 'data-testid="total-approximate"' in page.text
    assert "около 1\u00a0000" in page.text
    body = mop.get("/api/mop/leads").json()
    assert set(body) == {"items", "total", "page", "page_size"}
    assert body["total"] == EXACT_COUNT_LIMIT + 40 and isinstance(body["total"], int)
    short = mop.get("/dashboard/mop/leads", params={"q": "+998 71 000 001"})  # phones ...0010 to ...0019
    assert "около" not in short.text and "Всего: 10<" in short.text


def test_the_pager_links_the_next_page_by_cursor(client_as, db):
    bulk_leads(db, 60)
    mop = client_as(Role.MOP)
    first = mop.get("/dashboard/mop/leads?page_size=25")
    link = next_href(first.text)
    assert "after=" in link and "page=2" in link
    second = mop.get(f"/dashboard/mop/leads?{link}")
    numbered = mop.get("/api/mop/leads?page_size=25&page=2").json()["items"]
    shown = re.findall(r'data-lead-id="(\d+)"', second.text)
    assert shown == [str(item["id"]) for item in numbered]
    sorted_link = re.search(r'<a href="\?([^"]*sort=name[^"]*)"', second.text)
    assert sorted_link and "after=" not in sorted_link.group(1)  # a sort header starts afresh


def test_a_stale_or_forged_cursor_is_a_422_not_a_500(client_as, db):
    make_lead(db)
    mop = client_as(Role.MOP)
    answer = mop.get("/api/mop/leads?after=not-a-cursor")
    assert answer.status_code == 422
    assert any(problem["loc"][-1] == "after" for problem in answer.json()["detail"])
    page = mop.get("/dashboard/mop/leads?before=WyJuYW1lIiwiYSIsMV0")
    assert page.status_code == 422 and "Ссылка на страницу устарела" in page.text


def test_the_list_page_runs_the_same_queries_for_few_and_many_rows(client_as, db, count_queries):
    mop = client_as(Role.MOP)
    sellers = [make_user(db, Role.SALES) for _ in range(3)]
    places = [make_complex(db, f"place-{n}") for n in range(3)]

    def queries(path: str) -> int:
        with count_queries() as statements:
            assert mop.get(path).status_code == 200
        return len(statements)

    make_lead(db, sellers[0], complex_id=places[0].id)
    few = queries("/dashboard/mop/leads?page_size=100"), queries("/dashboard/mop/leads?q=buyer&page_size=100")
    for n in range(60):
        make_lead(db, sellers[n % 3], complex_id=places[n % 3].id)
    many = queries("/dashboard/mop/leads?page_size=100"), queries("/dashboard/mop/leads?q=buyer&page_size=100")
    assert many == few  # salespeople and complexes are joined, not loaded per row
    assert many[0] <= 12
