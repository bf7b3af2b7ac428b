"""Campaigns: attribution by the first request's utm_campaign, and the figures of a period in exact
Decimal arithmetic (USD at the rate of its day, nothing divided by zero)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.auth.permissions import Role
from app.core.errors import Conflict, Forbidden, Invalid
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate
from app.domain.contracts.crud import contracts
from app.domain.contracts.schemas import ContractCreate
from app.domain.finance.rates import rates
from app.domain.finance.schemas import RateSet
from app.domain.inventory.crud import apartments
from app.domain.leads.crud import leads
from app.domain.leads.schemas import LeadRequest
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.crud import categories, expenses
from app.domain.marketing.schemas import CampaignWrite, CategoryName, ExpenseWrite
from tests.factories import make_building, make_complex, make_lead, make_user

NOV = (date(2026, 11, 1), date(2026, 11, 30))
IN_NOV = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def campaign(db, rop, key: str, name: str = "", **fields):
    data = {"name": name or key, "channel": "instagram", "utm_campaign": key, "start_date": date(2026, 11, 1), **fields}
    return campaigns.create(db, rop, CampaignWrite(**data))


def sell(db, lead, currency: str = "UZS", signed: datetime = IN_NOV):
    """A contract for `lead` over a new apartment, signed at `signed`."""
    seller = make_user(db, Role.SALES)
    lead.assigned_id = seller.id
    complex_ = make_complex(db, f"sale-{lead.id}", currency=currency)
    flat = apartments.for_building(db, make_building(db, complex_.id, floors=1, units=1).id)[0]
    booking = bookings.create(db, seller, BookingCreate(apartment_id=flat.id, lead_id=lead.id), 72)
    contract = contracts.create(
        db,
        seller,
        ContractCreate(
            booking_id=booking.id,
            buyer_full_name="Каримов Азиз",
            buyer_passport="AB1234567",
            buyer_phone=lead.phone,
            down_payment=Decimal(0),
            months=4,
            start_date=date(2026, 11, 15),
        ),
        5,
    )
    contract.signed_at = signed
    db.flush()
    return contract


@pytest.fixture
def rop(db):
    return make_user(db, Role.ROP)


def row_of(report, campaign_id):
    return next(r for r in report.items if r.campaign_id == campaign_id)


def test_a_later_request_from_the_same_phone_does_not_steal_the_lead(db, rop):
    first, _ = leads.submit_request(
        db, LeadRequest(name="Азиз", phone="+998901234567", utm_campaign="insta-nov"), "1.1.1.1"
    )
    again, created = leads.submit_request(
        db, LeadRequest(name="Азиз", phone="901234567", utm_source="telegram", utm_campaign="tg-dec"), "1.1.1.2"
    )
    assert not created and again.id == first.id
    assert (again.utm_campaign, again.utm_source, again.touches_count) == ("insta-nov", "", 2)
    untagged, _ = leads.submit_request(db, LeadRequest(name="Лола", phone="+998901234568"), "1.1.1.3")
    tagged, _ = leads.submit_request(
        db, LeadRequest(name="Лола", phone="+998901234568", utm_campaign="tg-dec"), "1.1.1.4"
    )
    assert tagged.id == untagged.id and tagged.utm_campaign == "tg-dec"  # no tags yet: the first tagged request's
    insta, tg = campaign(db, rop, "insta-nov"), campaign(db, rop, "tg-dec")
    today = date.today()
    report = campaigns.report(db, rop, date(2026, 1, 1), max(today, date(2026, 12, 31)))
    assert (row_of(report, insta.id).leads, row_of(report, tg.id).leads) == (1, 1)


def test_figures_are_exact_with_usd_at_the_days_rate_and_no_division_by_zero(db, rop):
    admin = make_user(db, Role.ADMIN)
    rates.set(db, admin, RateSet(day=date(2026, 11, 1), uzs_per_usd=Decimal("12800")))
    rates.set(db, admin, RateSet(day=date(2026, 11, 9), uzs_per_usd=Decimal("12950.25")))
    ads = categories.create(db, rop, CategoryName(name="Таргет"))
    insta = campaign(db, rop, "insta-nov", "Instagram ноябрь", budget=Decimal("5000000"))
    quiet = campaign(db, rop, "tg-nov", "Telegram ноябрь")
    expenses.create(
        db,
        rop,
        ExpenseWrite(day=date(2026, 11, 2), amount=Decimal("1000000.50"), category_id=ads.id, campaign_id=insta.id),
    )
    expenses.create(
        db,
        rop,
        ExpenseWrite(
            day=date(2026, 11, 3), amount=Decimal("100"), currency="USD", category_id=ads.id, campaign_id=insta.id
        ),
    )
    expenses.create(
        db, rop, ExpenseWrite(day=date(2026, 10, 30), amount=Decimal("999"), category_id=ads.id, campaign_id=insta.id)
    )
    buyer = make_lead(db, utm_campaign="insta-nov", created_at=IN_NOV)
    make_lead(db, utm_campaign="INSTA-NOV ", created_at=IN_NOV)  # keys compare without case and spaces
    make_lead(db, utm_campaign="insta-nov", created_at=IN_NOV)
    make_lead(
        db, utm_campaign="insta-nov", created_at=datetime(2026, 10, 31, 18, 59, tzinfo=UTC)
    )  # 31.10 23:59 Tashkent
    make_lead(db, created_at=IN_NOV)
    make_lead(db, utm_campaign="unknown-tag", created_at=IN_NOV)
    contract = sell(db, buyer, currency="USD")

    report = campaigns.report(db, rop, *NOV)
    row = row_of(report, insta.id)
    spend = Decimal("1000000.50") + Decimal("1280000")  # 100 USD at 12 800 on 03.11
    revenue = (contract.total * Decimal("12950.25")).quantize(Decimal("1"), rounding=ROUND_HALF_UP)  # signed 10.11
    assert (row.spend, row.leads, row.bookings, row.contracts) == (spend, 3, 1, 1)
    assert row.cost_per_lead == Decimal("760000")  # 2 280 000.50 / 3, half up to a whole sum
    assert row.cost_per_contract == Decimal("2280001")
    assert row.conversion == Decimal("33.3") and row.revenue == revenue and row.budget == Decimal("5000000")
    empty = row_of(report, quiet.id)
    assert (empty.spend, empty.leads, empty.cost_per_lead, empty.cost_per_contract, empty.conversion) == (
        Decimal(0),
        0,
        None,
        None,
        None,
    )
    none = report.no_campaign
    assert (none.leads, none.spend, none.cost_per_lead, none.contracts) == (2, None, None, 0)
    assert (report.totals.leads, report.totals.spend, report.totals.contracts) == (5, spend, 1)
    assert campaigns.detail(db, rop, insta.id, *NOV).figures == row


def test_a_cancelled_contract_brings_no_revenue_and_a_campaign_outside_the_period_is_left_out(db, rop):
    insta = campaign(db, rop, "insta-nov", end_date=date(2026, 11, 30))
    old = campaign(db, rop, "summer", start_date=date(2026, 6, 1), end_date=date(2026, 8, 31))
    lead = make_lead(db, utm_campaign="insta-nov", created_at=IN_NOV)
    contract = sell(db, lead)
    contract.status = "cancelled"
    db.flush()
    report = campaigns.report(db, rop, *NOV)
    assert [r.campaign_id for r in report.items] == [insta.id] and old.id not in [r.campaign_id for r in report.items]
    row = row_of(report, insta.id)
    assert (row.leads, row.bookings, row.contracts, row.revenue) == (1, 1, 0, Decimal(0))


def test_keys_are_unique_periods_checked_and_only_marketing_roles_read(db, rop):
    campaign(db, rop, "insta-nov")
    with pytest.raises(Conflict) as error:
        campaign(db, rop, " Insta-Nov ")
    assert error.value.field == "utm_campaign"
    with pytest.raises(ValueError):
        CampaignWrite(name="x y", channel="google", utm_campaign="a b", start_date=date(2026, 11, 1))
    with pytest.raises(ValueError):
        CampaignWrite(
            name="x y", channel="google", utm_campaign="ab", start_date=date(2026, 11, 2), end_date=date(2026, 11, 1)
        )
    with pytest.raises(Invalid):
        campaigns.report(db, rop, date(2026, 11, 2), date(2026, 11, 1))
    for role in (Role.SALES, Role.MOP, Role.FINANCE):
        with pytest.raises(Forbidden):
            campaigns.report(db, make_user(db, role), *NOV)
