"""Campaigns for the ROP: the comparison of a period (what a lead and a contract cost from each
campaign, and the leads that came without one), a campaign's page, and the form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.models import User
from app.auth.permissions import P
from app.core import clock
from app.core.errors import AppError
from app.core.types import Id
from app.domain.marketing.campaigns import campaigns
from app.domain.marketing.crud import expenses
from app.domain.marketing.models import Campaign
from app.domain.marketing.schemas import CampaignWrite, ExpenseFilter
from app.features.campaigns.views import AskedPeriod, CampaignPeriod, report_export
from app.web.export import ExportFormat
from app.web.feature import DashboardBase
from app.web.forms import PostedForm, blank_is_none, submit_values
from app.web.i18n import gettext
from app.web.labels import CHANNEL_LABELS
from app.web.money import clean_numbers
from app.web.templating import render, see_other

router = APIRouter()
WRITE = [Depends(require(P.MARKETING_WRITE))]
FIELDS = ("name", "channel", "utm_campaign", "complex_id", "budget", "start_date", "end_date")


@router.get("/campaigns")
def campaigns_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, asked: AskedPeriod
) -> Response:
    """The comparison of every campaign of the period; HTMX gets the table."""
    context: dict[str, Any] = {
        "date_from": asked[0],
        "date_to": asked[1],
        "base": base,
        "CHANNEL_LABELS": CHANNEL_LABELS,
    }
    try:
        context["report"] = campaigns.report(db, user, *asked)
    except AppError as exc:
        context |= {"report": None, "period_error": gettext(exc.message, **exc.params)}
    status = 422 if context["report"] is None else 200
    return render(request, "features/campaigns/list.html", context, block="results", status_code=status)


@router.get("/campaigns/export")
def campaigns_export_file(
    db: DbSession, user: CurrentUser, asked: AskedPeriod, format: ExportFormat = "csv"
) -> Response:
    """The comparison of the period as CSV or XLSX."""
    report = campaigns.report(db, user, *asked)
    return report_export(report, format, gettext("No campaign"), gettext("Total"))


def _form(
    request: Request,
    db: Session,
    user: User,
    base: str,
    target: Campaign | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
) -> Response:
    """The campaign form with its values and errors."""
    context = {
        "target": target,
        "values": values,
        "errors": errors,
        "base": base,
        "complexes": expenses.complexes(db),
        "channels": [(code, gettext(label)) for code, label in CHANNEL_LABELS.items()],
    }
    return render(request, "features/campaigns/form.html", context, status_code=status_code)


def _posted(form: PostedForm) -> dict[str, Any]:
    values = {k: v for k, v in form.items() if k in FIELDS}
    return blank_is_none(
        clean_numbers(values, ("budget",)), "complex_id", "end_date", "budget", "start_date", "channel"
    )


@router.get("/campaigns/new", dependencies=WRITE)
def new_campaign_page(request: Request, db: DbSession, user: CurrentUser, base: DashboardBase) -> Response:
    """An empty campaign form, starting today."""
    return _form(request, db, user, base, None, {"start_date": clock.today().isoformat(), "channel": "instagram"}, {})


@router.post("/campaigns", dependencies=WRITE)
def create_campaign(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase
) -> Response:
    """Add a campaign; the form again with the errors next to the fields."""
    values = _posted(form)
    row, values, errors = submit_values(db, CampaignWrite, values, lambda d: campaigns.create(db, user, d))
    if row is None:
        return _form(request, db, user, base, None, values, errors, status_code=422)
    return see_other(f"{base}/campaigns/{row.id}?saved=1")


@router.get("/campaigns/{campaign_id:int}")
def campaign_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, campaign_id: Id, asked: CampaignPeriod
) -> Response:
    """A campaign: its facts, its figures for the period, its expenses and latest leads."""
    detail = campaigns.detail(db, user, campaign_id, *asked)
    campaign = campaigns.get(db, user, campaign_id)
    spent = ExpenseFilter(campaign_id=campaign_id, date_from=detail.date_from, date_to=detail.date_to, page_size=50)
    context = {
        "detail": detail,
        "campaign": campaign,
        "date_from": detail.date_from,
        "date_to": detail.date_to,
        "expenses": expenses.page(db, user, spent),
        "leads": campaigns.recent_leads(db, user, campaign),
        "base": base,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "saved": request.query_params.get("saved", "")[:5],
    }
    return render(request, "features/campaigns/detail.html", context, block="results")


def _values(target: Campaign) -> dict[str, Any]:
    values = {name: getattr(target, name) for name in FIELDS}
    return values | {
        "channel": target.channel.value,
        "start_date": target.start_date.isoformat(),
        "end_date": target.end_date.isoformat() if target.end_date else "",
    }


@router.get("/campaigns/{campaign_id:int}/edit", dependencies=WRITE)
def edit_campaign_page(
    request: Request, db: DbSession, user: CurrentUser, base: DashboardBase, campaign_id: Id
) -> Response:
    """A campaign in its form."""
    target = campaigns.get(db, user, campaign_id)
    return _form(request, db, user, base, target, _values(target), {})


@router.post("/campaigns/{campaign_id:int}", dependencies=WRITE)
def update_campaign(
    request: Request, form: PostedForm, db: DbSession, user: CurrentUser, base: DashboardBase, campaign_id: Id
) -> Response:
    """Save a campaign."""
    target = campaigns.get(db, user, campaign_id)
    values = _posted(form)
    row, values, errors = submit_values(db, CampaignWrite, values, lambda d: campaigns.update(db, user, campaign_id, d))
    if row is None:
        return _form(request, db, user, base, target, values, errors, status_code=422)
    return see_other(f"{base}/campaigns/{campaign_id}?saved=1")
