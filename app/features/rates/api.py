"""The JSON twin of the rates pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.auth.deps import CurrentUser, DbSession, require
from app.auth.permissions import P
from app.domain.finance.models import ExchangeRate
from app.domain.finance.rates import rates
from app.domain.finance.schemas import (
    RateRead,
    RateSet,
)

router = APIRouter()


@router.get("/rates", response_model=list[RateRead])
def list_rates(db: DbSession) -> list[ExchangeRate]:
    """The latest UZS per USD rates."""
    return rates.recent(db)


@router.post("/rates", response_model=RateRead, dependencies=[Depends(require(P.RATES_WRITE))])
def set_rate(db: DbSession, user: CurrentUser, body: RateSet) -> ExchangeRate:
    """Set (or correct) the UZS per USD rate of a day."""
    return rates.set(db, user, body)
