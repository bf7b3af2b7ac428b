"""Every model module, imported so Base.metadata knows all tables (Alembic, tests)."""

from app.auth.models import LoginFailure, User
from app.db import Base
from app.domain.audit.models import AuditEntry
from app.domain.inventory.models import Apartment, Building, Complex, ComplexImage, FloorGrid
from app.domain.leads.models import Lead, LeadTouch

__all__ = [
    "Apartment", "AuditEntry", "Base", "Building", "Complex", "ComplexImage", "FloorGrid", "Lead",
    "LeadTouch", "LoginFailure", "User",
]
