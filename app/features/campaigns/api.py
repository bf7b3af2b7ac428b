"""The JSON twin of the campaigns pages: the comparison of a period, a campaign with its figures, entry."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.core.types import Id
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.models import Campaign
from app.domain.marketing.schemas import CampaignDetail, CampaignRead, CampaignReport, CampaignWrite
from app.features.campaigns.views import AskedPeriod, CampaignPeriod, report_export
from app.web.export import ExportFormat
from app.web.openapi import EXPORT_RESPONSES

router = APIRouter()
WRITE = [Depends(require(P.MARKETING_WRITE))]


@router.get("/campaigns", response_model=CampaignReport)
def campaign_report(db: DbSession, user: CurrentUser, asked: AskedPeriod) -> CampaignReport:
    """Every campaign of the period (?from=&to=, company days, this month by default) with spend, leads,
    cost per lead, bookings, contracts, cost per contract, conversion and revenue (UZS); the leads
    without a campaign as `no_campaign`; the sums as `totals`. Money as strings."""
    return campaigns.report(db, user, *asked)


@router.get("/campaigns/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_campaigns(db: DbSession, user: CurrentUser, asked: AskedPeriod, format: ExportFormat = "csv") -> Response:
    """The comparison of the period as CSV or XLSX."""
    return report_export(campaigns.report(db, user, *asked), format, "no campaign", "total")


@router.post("/campaigns", response_model=CampaignRead, status_code=201, dependencies=WRITE)
def create_campaign(db: DbSession, user: CurrentUser, body: CampaignWrite) -> Campaign:
    """Add a campaign (409 when another has the utm_campaign key)."""
    return campaigns.create(db, user, body)


@router.get("/campaigns/{campaign_id:int}", response_model=CampaignDetail)
def get_campaign(db: DbSession, user: CurrentUser, campaign_id: Id, asked: CampaignPeriod) -> CampaignDetail:
    """A campaign with its figures, from its start to today unless ?from=&to= say otherwise."""
    return campaigns.detail(db, user, campaign_id, *asked)


@router.put("/campaigns/{campaign_id:int}", response_model=CampaignRead, dependencies=WRITE)
def update_campaign(db: DbSession, user: CurrentUser, campaign_id: Id, body: CampaignWrite) -> Campaign:
    """Change a campaign."""
    return campaigns.update(db, user, campaign_id, body)
