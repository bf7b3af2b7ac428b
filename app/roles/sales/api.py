"""JSON twin of the sales dashboard under /api/sales."""

from app.auth.permissions import Role
from app.roles.base import api_router

router = api_router(Role.SALES)
