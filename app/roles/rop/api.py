"""JSON twin of the rop dashboard under /api/rop."""

from app.auth.permissions import Role
from app.roles.base import api_router

router = api_router(Role.ROP)
