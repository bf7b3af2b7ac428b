"""What a feature is: its pages, their JSON twin, the permission that opens it and its menu entries.

Each package under app/features/ declares one `Feature`; app/roles.py says which role mounts
which features and builds the dashboards, the side navigation and the permission matrix from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from app.auth.permissions import Role


@dataclass(frozen=True)
class MenuEntry:
    """A link of the side navigation: an English msgid and the path under the role's dashboard.

    `own_label` is shown instead to roles that lack `all_permission` (they see only their own rows).
    """

    label: str
    path: str
    own_label: str | None = None
    all_permission: str | None = None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per feature
class Feature:
    """A room of the dashboards, mounted for each role that lists it in app/roles.py."""

    name: str
    permission: str
    html: APIRouter | None = None
    api: APIRouter | None = None
    menu: tuple[MenuEntry, ...] = field(default=())


def dashboard_role(request: Request) -> Role:
    """The role whose dashboard (or JSON twin) the request is under: /dashboard/<role>/..., /api/<role>/..."""
    return Role(request.url.path.split("/")[2])


def dashboard_base(request: Request) -> str:
    """The prefix of the dashboard the request is under, e.g. "/dashboard/sales"."""
    return f"/dashboard/{dashboard_role(request).value}"


DashboardRole = Annotated[Role, Depends(dashboard_role)]
DashboardBase = Annotated[str, Depends(dashboard_base)]
