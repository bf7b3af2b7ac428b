"""HTML pages of the rop dashboard under /dashboard/rop."""

from app.auth.permissions import Role
from app.roles.base import html_router

router = html_router(Role.ROP)
