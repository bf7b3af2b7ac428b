"""Every model module, imported so Base.metadata knows all tables (Alembic, tests)."""

from app.auth.models import LoginFailure, User
from app.db import Base
from app.domain.audit.models import AuditEntry

__all__ = ["AuditEntry", "Base", "LoginFailure", "User"]
