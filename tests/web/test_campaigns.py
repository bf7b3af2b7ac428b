"""Campaigns through the app: the comparison page and its JSON twin answer alike, "—" where nothing
divides, the "no campaign" row, the form's errors next to the fields, export."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.auth.permissions import Role
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.models import Campaign
from app.domain.marketing.schemas import CampaignWrite, CategoryName, ExpenseWrite
from tests.factories import make_lead

BASE = "/dashboard/rop/campaigns"
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
IN_NOV = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def shown(db, user_of):
    """Two November campaigns: one with spend and three leads, one with nothing; two untagged leads."""
    rop = user_of(Role.ROP)
    ads = categories.create(db, rop, CategoryName(name="Таргет"))
    write = {"channel": "instagram", "start_date": date(2026, 11, 1)}
    insta = campaigns.create(db, rop, CampaignWrite(name="Instagram ноябрь", utm_campaign="insta-nov", **write))
    quiet = campaigns.create(db, rop, CampaignWrite(name="Telegram ноябрь", utm_campaign="tg-nov", **write))
    expenses.create(
        db,
        rop,
        ExpenseWrite(day=date(2026, 11, 2), amount=Decimal("1000000"), category_id=ads.id, campaign_id=insta.id),
    )
    for _ in range(3):
        make_lead(db, utm_campaign="insta-nov", created_at=IN_NOV)
    make_lead(db, created_at=IN_NOV)
    make_lead(db, utm_campaign="nobody", created_at=IN_NOV)
    return insta, quiet


def cells(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"(?: data-value="([^"]*)")?>', html)


def test_the_page_and_its_twin_give_the_same_figures(client_as, shown):
    insta, quiet = shown
    rop = client_as(Role.ROP)
    data = rop.get("/api/rop/campaigns", params=PERIOD).json()
    assert (data["date_from"], data["date_to"]) == ("2026-11-01", "2026-11-30")
    by_id = {row["campaign_id"]: row for row in data["items"]}
    assert by_id[insta.id]["spend"] == "1000000.00" and by_id[insta.id]["cost_per_lead"] == "333333.00"
    assert by_id[insta.id]["leads"] == 3 and by_id[quiet.id]["cost_per_lead"] is None
    assert data["no_campaign"]["leads"] == 2 and data["no_campaign"]["spend"] is None
    page = rop.get(BASE, params=PERIOD)
    assert page.status_code == 200
    rows = re.findall(r'data-testid="campaign-row" data-campaign="(\d+)">(.*?)</tr>', page.text, re.S)
    assert [int(i) for i, _ in rows] == [row["campaign_id"] for row in data["items"]]
    for campaign_id, html in rows:
        row = by_id[int(campaign_id)]
        assert cells(html, "cpl") == [row["cost_per_lead"] or ""]
        assert f'data-testid="leads">{row["leads"]}<' in html
    quiet_html = dict(rows)[str(quiet.id)]
    assert re.search(r'data-testid="cpl">—<', quiet_html) and re.search(r'data-testid="conversion">—<', quiet_html)
    no_campaign = page.text.split('data-testid="no-campaign-row"')[1].split("</tr>")[0]
    assert "Без кампании" in no_campaign and 'data-testid="leads">2<' in no_campaign
    fragment = rop.get(BASE, params=PERIOD, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'data-testid="campaigns"' in fragment.text


def test_a_campaign_page_shows_its_figures_and_leads(client_as, shown):
    insta, _ = shown
    rop = client_as(Role.ROP)
    page = rop.get(f"{BASE}/{insta.id}", params=PERIOD)
    assert page.status_code == 200 and "Instagram ноябрь" in page.text
    assert cells(page.text, "cpl") == ["333333.00"] and 'data-testid="leads">3<' in page.text
    twin = rop.get(f"/api/rop/campaigns/{insta.id}", params=PERIOD).json()
    assert twin["figures"]["cost_per_lead"] == "333333.00" and twin["campaign"]["utm_campaign"] == "insta-nov"
    assert rop.get(f"{BASE}/999999").status_code == 404


def test_a_bad_period_is_named(client_as, shown):
    rop = client_as(Role.ROP)
    bad = rop.get("/api/rop/campaigns", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "to"
    typo = rop.get("/api/rop/campaigns", params={"from": "2026-13-01"})
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"][-1] == "from"
    page = rop.get(BASE, params={"from": "2026-11-30", "to": "2026-11-01"})
    assert page.status_code == 422 and 'data-testid="error-to"' in page.text


def test_the_form_names_bad_fields_and_keys_stay_unique(client_as, db, shown):
    rop = client_as(Role.ROP)
    base = {
        "csrf_token": rop.csrf,
        "name": "Google декабрь",
        "channel": "google",
        "utm_campaign": "g-dec",
        "start_date": "2026-12-01",
    }
    for fields, field in (
        ({"utm_campaign": "insta-nov"}, "utm_campaign"),
        ({"utm_campaign": "с пробелом"}, "utm_campaign"),
        ({"budget": "-1"}, "budget"),
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"channel": "pigeon"}, "channel"),
    ):
        page = rop.post(BASE, data={**base, **fields})
        assert page.status_code == 422 and f'data-testid="error-{field}"' in page.text, fields
    made = rop.post(BASE, data={**base, "budget": "12 000 000"})
    assert made.status_code == 303
    db.expire_all()
    assert db.query(Campaign).filter_by(utm_campaign="g-dec").one().budget == Decimal("12000000")
    twin = rop.post(
        "/api/rop/campaigns", json={**{k: v for k, v in base.items() if k != "csrf_token"}, "utm_campaign": "insta-nov"}
    )
    assert twin.status_code == 409


def test_export_lists_every_row(client_as, shown):
    rop = client_as(Role.ROP)
    csv = rop.get(f"{BASE}/export", params={**PERIOD, "format": "csv"})
    assert csv.status_code == 200
    lines = csv.text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("campaign,channel,utm_campaign")
    assert any(line.startswith("Без кампании") for line in lines) and lines[-1].startswith("Всего")
    assert rop.get("/api/rop/campaigns/export", params={**PERIOD, "format": "xlsx"}).content[:2] == b"PK"


def test_landing_requests_count_for_the_campaign_of_their_first_tag(client, client_as, db, user_of):
    write = {"channel": "telegram", "start_date": date(2026, 1, 1)}
    first = campaigns.create(db, user_of(Role.ROP), CampaignWrite(name="Первая", utm_campaign="first-tag", **write))
    later = campaigns.create(db, user_of(Role.ROP), CampaignWrite(name="Вторая", utm_campaign="later-tag", **write))
    for tag in ("first-tag", "later-tag"):
        sent = client.post(
            "/api/public/leads", json={"name": "Азиз", "phone": "+998 90 765 43 21", "utm_campaign": tag}
        )
        assert sent.status_code == 201
    data = client_as(Role.ROP).get("/api/rop/campaigns").json()  # this month, up to today
    leads = {row["campaign_id"]: row["leads"] for row in data["items"]}
    assert (leads[first.id], leads[later.id]) == (1, 0)
