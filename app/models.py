"""Every model module, imported so Base.metadata knows all tables (Alembic, tests)."""

from app.auth.models import AuthSession, LoginFailure, User
from app.db import Base
from app.domain.audit.models import AuditEntry
from app.domain.bookings.models import Booking
from app.domain.contracts.models import Contract, Counter, Instalment
from app.domain.dispatch.models import Handover, ServiceLink, ServiceRequest, Technician, WorkOrder, WorkOrderPicture
from app.domain.distribution.models import DistributionSettings, LeadAssignment, SellerTurn
from app.domain.finance.models import Allocation, ExchangeRate, Payment
from app.domain.imports.models import ImportJob, ImportMapping, ImportRow
from app.domain.inventory.models import Apartment, Building, Complex, ComplexImage, FloorGrid
from app.domain.leads.models import Lead, LeadComment, LeadStatusChange, LeadTouch
from app.domain.marketing.models import Campaign, Expense, ExpenseCategory
from app.domain.notify.models import NotificationSettings, SentNotification
from app.domain.reports.models import SalesPlan
from app.domain.staff.models import Nudge, Shift
from app.domain.telegram.models import TelegramLink, TelegramLinkCode, TelegramLinkFailure, TelegramUpdate

__all__ = [
    "Allocation",
    "Apartment",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Booking",
    "Building",
    "Campaign",
    "Complex",
    "ComplexImage",
    "Contract",
    "Counter",
    "DistributionSettings",
    "ExchangeRate",
    "Expense",
    "ExpenseCategory",
    "FloorGrid",
    "Handover",
    "ImportJob",
    "ImportMapping",
    "ImportRow",
    "Instalment",
    "Lead",
    "LeadAssignment",
    "LeadComment",
    "LeadStatusChange",
    "LeadTouch",
    "LoginFailure",
    "NotificationSettings",
    "Nudge",
    "Payment",
    "SalesPlan",
    "SellerTurn",
    "SentNotification",
    "ServiceLink",
    "ServiceRequest",
    "Shift",
    "Technician",
    "TelegramLink",
    "TelegramLinkCode",
    "TelegramLinkFailure",
    "TelegramUpdate",
    "User",
    "WorkOrder",
    "WorkOrderPicture",
]
