"""HTML pages of the mop dashboard under /dashboard/mop."""

from app.auth.permissions import Role
from app.roles.base import html_router

router = html_router(Role.MOP)
