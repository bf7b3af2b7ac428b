"""HTML pages of the finance dashboard under /dashboard/finance."""

from app.auth.permissions import Role
from app.roles.base import html_router

router = html_router(Role.FINANCE)
