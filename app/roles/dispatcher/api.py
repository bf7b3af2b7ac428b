"""JSON twin of the dispatcher dashboard under /api/dispatcher."""

from app.auth.permissions import Role
from app.roles.base import api_router

router = api_router(Role.DISPATCHER)
