"""HTML pages of the dispatcher dashboard under /dashboard/dispatcher."""

from app.auth.permissions import Role
from app.roles.base import html_router

router = html_router(Role.DISPATCHER)
