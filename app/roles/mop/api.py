"""JSON twin of the mop dashboard under /api/mop."""

from app.auth.permissions import Role
from app.roles.base import api_router

router = api_router(Role.MOP)
