"""The JSON twin of the distribution page: GET/PUT /api/mop/distribution."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser, DbSession
from app.domain.distribution.crud import DistributionView, distribution
from app.domain.distribution.schemas import DistributionRead, DistributionUpdate

router = APIRouter()


@router.get("/distribution", response_model=DistributionRead)
def get_distribution(db: DbSession, user: CurrentUser) -> DistributionView:
    """{"mode": "auto"|"manual", "weights": {user_id: n}, "daily_cap": {user_id: n|null}, ...}."""
    return distribution.view(db, user)


@router.put("/distribution", response_model=DistributionRead)
def put_distribution(db: DbSession, user: CurrentUser, body: DistributionUpdate) -> DistributionView:
    """Change the mode, weights or caps (each optional; 422 names an unknown salesperson)."""
    return distribution.update(db, user, body)
