"""Public HTML pages: the landing page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.auth.deps import OptionalUser
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def landing(request: Request, user: OptionalUser):
    """The public landing page; staff see a link to their dashboard."""
    return render(request, "public/landing.html", {})
