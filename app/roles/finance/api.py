"""JSON twin of the finance dashboard under /api/finance."""

from app.auth.permissions import Role
from app.roles.base import api_router

router = api_router(Role.FINANCE)
