"""Marketing campaigns and what each brought: spend, leads, cost per lead, bookings, contracts,
cost per contract, conversion and revenue, for a period of company days.

Attribution: a lead belongs to the campaign whose utm_campaign key it arrived with (the lead keeps
its first request's tags, see LeadCRUD.submit_request); keys compare without regard to letter case
and surrounding spaces. Leads with no key, or a key no campaign has, are the "no campaign" row.
The leads counted are those that arrived in the period; their bookings, contracts and revenue are
counted to date. Spend is the campaign's expenses dated in the period. Money is in UZS: USD
expenses at the rate of their day, USD contracts at the rate of the day they were signed.
Everything comes from five grouped queries, whatever the number of leads or contracts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.core import cache, clock
from app.core.errors import Conflict, Invalid, NotFound
from app.domain.audit.crud import audit
from app.domain.bookings.models import Booking
from app.domain.contracts.models import Contract, ContractStatus
from app.domain.finance.rates import RateTable, rates
from app.domain.inventory.models import Complex, Currency
from app.domain.leads.models import Lead
from app.domain.marketing.crud import cents, in_uzs, may_read, may_write
from app.domain.marketing.models import Campaign, Expense
from app.domain.marketing.schemas import CampaignDetail, CampaignFigures, CampaignRead, CampaignReport, CampaignWrite

UZS_UNIT = Decimal("1")
PERCENT_UNIT = Decimal("0.1")
MAX_PERIOD_DAYS = 3700
# A comparison reads leads, their bookings and contracts, expenses, campaigns and the rates.
REPORT_AREAS = ("leads", "bookings", "contracts", "expenses", "marketing", "rates")
CAMPAIGN_FIELDS = ("name", "channel", "utm_campaign", "complex_id", "budget", "start_date", "end_date")


def campaign_key(value: str | None) -> str:
    """How a utm_campaign value is compared: trimmed, lower case."""
    return (value or "").strip().lower()


def per(amount: Decimal | None, count: int) -> Decimal | None:
    """`amount` / `count` rounded half up to a whole sum; None with nothing to divide by."""
    if amount is None or count == 0:
        return None
    return (amount / count).quantize(UZS_UNIT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent to one decimal; None when `whole` is zero."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(PERCENT_UNIT, rounding=ROUND_HALF_UP)


@dataclass
class _Tally:
    """What is counted for one row while the grouped results are read."""

    spend: Decimal = Decimal(0)
    leads: int = 0
    bookings: int = 0
    contracts: int = 0
    revenue: Decimal = Decimal(0)
    keys: set[str] = field(default_factory=set)

    def figures(self, campaign: Campaign | None, name: str, with_spend: bool = True) -> CampaignFigures:
        """The row as shown: counts, sums and the ratios between them."""
        spend = self.spend if with_spend else None
        return CampaignFigures(
            campaign_id=campaign.id if campaign else None,
            name=name,
            channel=campaign.channel if campaign else None,
            utm_campaign=campaign.utm_campaign if campaign else "",
            complex=campaign.complex.name if campaign and campaign.complex else None,
            budget=cents(campaign.budget) if campaign else None,
            spend=cents(spend),
            leads=self.leads,
            cost_per_lead=cents(per(spend, self.leads)),
            bookings=self.bookings,
            contracts=self.contracts,
            cost_per_contract=cents(per(spend, self.contracts)),
            conversion=share(self.contracts, self.leads),
            revenue=cents(self.revenue),
        )


class CampaignCRUD:
    """Campaigns kept by the ROP, and the figures that compare them."""

    def all(self, db: Session, actor: User) -> list[Campaign]:
        """Every campaign, the latest first (selects, the comparison)."""
        may_read(actor)
        q = (
            select(Campaign)
            .options(joinedload(Campaign.complex))
            .order_by(Campaign.start_date.desc(), Campaign.id.desc())
        )
        return list(db.scalars(q))

    def get(self, db: Session, actor: User, campaign_id: int) -> Campaign:
        """A campaign with its complex, or NotFound."""
        may_read(actor)
        row = db.scalar(select(Campaign).where(Campaign.id == campaign_id).options(joinedload(Campaign.complex)))
        if row is None:
            raise NotFound("Campaign not found.")
        return row

    def create(self, db: Session, actor: User, data: CampaignWrite) -> Campaign:
        """Add a campaign; its utm_campaign key must be new."""
        may_write(actor)
        self._check(db, data, None)
        row = Campaign(**data.model_dump(), created_by_id=actor.id)
        db.add(row)
        db.flush()
        audit.record(db, actor, "campaign", row.id, "create", None, self._snapshot(row))
        return self.get(db, actor, row.id)

    def update(self, db: Session, actor: User, campaign_id: int, data: CampaignWrite) -> Campaign:
        """Change a campaign (a new key re-attributes the leads that carry it)."""
        may_write(actor)
        row = self.get(db, actor, campaign_id)
        self._check(db, data, campaign_id)
        before = self._snapshot(row)
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        db.flush()
        audit.record(db, actor, "campaign", row.id, "update", before, self._snapshot(row))
        db.expire(row)
        return self.get(db, actor, campaign_id)

    def report(self, db: Session, actor: User, date_from: date, date_to: date) -> CampaignReport:
        """Every campaign running in the period or with figures in it, the "no campaign" row and the sums."""
        may_read(actor)
        if date_to < date_from:
            raise Invalid("The end of the period is before its start.", field="to")
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise Invalid("Choose a period of at most ten years.", field="to")
        return cache.cached(
            "campaigns",
            (date_from.isoformat(), date_to.isoformat()),
            REPORT_AREAS,
            CampaignReport,
            lambda: self._report(db, actor, date_from, date_to),
        )

    def _report(self, db: Session, actor: User, date_from: date, date_to: date) -> CampaignReport:
        """Compute the comparison of the period (see `report`)."""
        campaigns = self.all(db, actor)
        by_key = {campaign_key(c.utm_campaign): c for c in campaigns}
        tallies: dict[int | None, _Tally] = defaultdict(_Tally)
        table = rates.table(db)
        missing = self._spend(db, date_from, date_to, tallies, table)
        missing += self._outcomes(db, date_from, date_to, by_key, tallies, table)
        items = []
        for c in campaigns:
            runs = c.start_date <= date_to and (c.end_date is None or c.end_date >= date_from)
            tally = tallies.get(c.id)
            if runs or (tally and (tally.spend or tally.leads or tally.contracts)):
                items.append((tally or _Tally()).figures(c, c.name))
        none = tallies.get(None) or _Tally()
        total = _Tally(
            spend=sum((t.spend for k, t in tallies.items() if k is not None), Decimal(0)),
            leads=sum(t.leads for t in tallies.values()),
            bookings=sum(t.bookings for t in tallies.values()),
            contracts=sum(t.contracts for t in tallies.values()),
            revenue=sum((t.revenue for t in tallies.values()), Decimal(0)),
        )
        return CampaignReport(
            date_from=date_from,
            date_to=date_to,
            items=items,
            no_campaign=none.figures(None, "", with_spend=False),
            totals=total.figures(None, ""),
            missing_rates=missing,
        )

    def detail(
        self, db: Session, actor: User, campaign_id: int, date_from: date | None = None, date_to: date | None = None
    ) -> CampaignDetail:
        """One campaign with its figures for the period: from its start to today unless given."""
        campaign = self.get(db, actor, campaign_id)
        own_from, own_to = self.default_period(campaign)
        start, end = date_from or own_from, date_to or max(own_to, date_from or own_from)
        report = self.report(db, actor, start, end)
        found = next((row for row in report.items if row.campaign_id == campaign_id), None)
        return CampaignDetail(
            campaign=CampaignRead.model_validate(campaign),
            date_from=start,
            date_to=end,
            figures=found or _Tally().figures(campaign, campaign.name),
        )

    def recent_leads(self, db: Session, actor: User, campaign: Campaign, limit: int = 20) -> list[Lead]:
        """The latest leads that carry the campaign's key (any letter case)."""
        may_read(actor)
        key = campaign_key(campaign.utm_campaign)
        spelled = [
            value
            for (value,) in db.execute(select(Lead.utm_campaign).where(Lead.utm_campaign != "").distinct())
            if campaign_key(value) == key
        ]
        if not spelled:
            return []
        q = select(Lead).where(Lead.utm_campaign.in_(spelled)).order_by(Lead.created_at.desc(), Lead.id.desc())
        return list(db.scalars(q.options(joinedload(Lead.assigned)).limit(limit)))

    def default_period(self, campaign: Campaign) -> tuple[date, date]:
        """A campaign's own period: from its start to today (or to its start when it is ahead)."""
        today = clock.today()
        return campaign.start_date, max(today, campaign.start_date)

    @staticmethod
    def _spend(db: Session, start: date, end: date, tallies: dict, table: RateTable) -> int:
        """Add each campaign's expenses of the period (UZS; USD at its day's rate); returns those with no rate."""
        usd_day = case((Expense.currency == Currency.USD, Expense.day), else_=None).label("usd_day")
        rows = db.execute(
            select(Expense.campaign_id, Expense.currency, usd_day, func.sum(Expense.amount), func.count())
            .where(Expense.campaign_id.is_not(None), Expense.day >= start, Expense.day <= end)
            .group_by(Expense.campaign_id, Expense.currency, usd_day)
        ).all()
        missing = 0
        for campaign_id, currency, day, amount, count in rows:
            value = in_uzs(Decimal(amount), currency, day or start, table)
            if value is None:
                missing += count
                continue
            tallies[campaign_id].spend += value
        return missing

    @staticmethod
    def _outcomes(db: Session, start: date, end: date, by_key: dict, tallies: dict, table: RateTable) -> int:
        """Add leads of the period by key, the leads of them that booked, their active contracts and
        revenue; returns the USD contracts with no rate."""
        lo, hi = clock.day_range(start, end)
        arrived = and_(Lead.created_at >= lo, Lead.created_at < hi)

        def owner(key: str | None) -> int | None:
            campaign = by_key.get(campaign_key(key))
            return campaign.id if campaign else None

        # A count per key read off ix_leads_utm_campaign_created_at alone: one pass over the index,
        # whatever the period (a WHERE on created_at makes SQLite, which keeps no statistics,
        # walk the created_at index and fetch every row of the period instead).
        arrivals = select(Lead.utm_campaign, func.sum(case((arrived, 1), else_=0))).group_by(Lead.utm_campaign)
        for key, count in db.execute(arrivals):
            tallies[owner(key)].leads += int(count or 0)
        booked = (  # the leads that ever booked, by key: driven from the bookings, not from every lead
            select(Lead.utm_campaign, func.count())
            .where(arrived, Lead.id.in_(select(Booking.lead_id)))
            .group_by(Lead.utm_campaign)
        )
        for key, count in db.execute(booked):
            tallies[owner(key)].bookings += count
        usd_signed = case((Contract.currency == Currency.USD, Contract.signed_at), else_=None).label("usd_signed")
        signed = (
            select(Lead.utm_campaign, Contract.currency, usd_signed, func.count(), func.sum(Contract.total))
            .join(Contract, Contract.lead_id == Lead.id)
            .where(arrived, Contract.status == ContractStatus.ACTIVE)
            .group_by(Lead.utm_campaign, Contract.currency, usd_signed)
        )
        missing = 0
        for key, currency, signed_at, count, amount in db.execute(signed):
            tally = tallies[owner(key)]
            tally.contracts += count
            day = clock.local(signed_at).date() if signed_at is not None else start
            value = in_uzs(Decimal(amount), currency, day, table)
            if value is None:
                missing += count
                continue
            tally.revenue += value
        return missing

    @staticmethod
    def _snapshot(row: Campaign) -> dict:
        return {name: getattr(row, name) for name in CAMPAIGN_FIELDS}

    @staticmethod
    def _check(db: Session, data: CampaignWrite, own_id: int | None) -> None:
        """The complex exists; no other campaign has the key."""
        if data.complex_id and db.get(Complex, data.complex_id) is None:
            raise Invalid("Unknown complex.", field="complex_id")
        q = select(Campaign.id).where(Campaign.utm_campaign == data.utm_campaign)
        if own_id is not None:
            q = q.where(Campaign.id != own_id)
        if db.scalar(q.limit(1)) is not None:
            raise Conflict("Another campaign already has this utm_campaign key.", field="utm_campaign")


campaigns = CampaignCRUD()
