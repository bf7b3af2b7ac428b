"""HTML pages of the sales dashboard under /dashboard/sales."""

from app.auth.permissions import Role
from app.roles.base import html_router

router = html_router(Role.SALES)
