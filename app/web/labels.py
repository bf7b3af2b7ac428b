"""Display labels of codes (statuses, sources, ...): English msgids, translated at render time."""

from __future__ import annotations

from app.domain.leads.models import LeadStatus
from app.domain.leads.rules import MANUAL_TRANSITIONS


def N_(message: str) -> str:  # noqa: N802 - the gettext marker babel knows
    """Mark `message` as a msgid translated at render time."""
    return message


def C_(context: str, message: str) -> tuple[str, str]:  # noqa: N802 - like pgettext's marker
    """A msgid with a context: the same English word may need another Russian form
    (an apartment is «Продана», a lead «Продан»); `_()` and `gettext` accept the pair."""
    return (context, message)


STATUS_LABELS = {
    "free": C_("apartment", "Free"),
    "booked": C_("apartment", "Booked"),
    "sold": C_("apartment", "Sold"),
    "not_for_sale": C_("apartment", "Not for sale"),
}
LEAD_STATUS_LABELS = {
    "new": C_("lead", "New"),
    "in_work": C_("lead", "In work"),
    "booked": C_("lead", "Booked"),
    "sold": C_("lead", "Sold"),
    "lost": C_("lead", "Lost"),
}
LEAD_SOURCE_LABELS = {
    "landing": "Landing page",
    "instagram": "Instagram",
    "telegram": "Telegram",
    "sheet": "Google Sheets",
    "call": "Phone call",
    "manual": "Entered by hand",
    "referral": "Referral",
}
COUNTER_LABELS = {
    "active_admin": "Active admins",
    "active_sales": "Active salespeople",
    "active_mop": "Active sales managers",
    "active_rop": "Active heads of sales",
    "active_finance": "Active financiers",
    "active_dispatcher": "Active dispatchers",
    "my_changes_7d": "My changes in 7 days",
    "leads_new": "New leads",
    "leads_in_work": "Leads in work",
    "callbacks_due": "Callbacks due today",
    "bookings_active": "Active bookings",
    "contracts_month": "Contracts this month",
    "contracts_overdue": "Contracts with overdue payments",
    "changes_7d": "All changes in 7 days",
}
# The callbacks page's periods (app.domain.leads.schemas.CallbackWhen), in the order of its tabs.
CALLBACK_WHEN_LABELS = {
    "due": N_("Overdue and today"),
    "overdue": N_("Overdue"),
    "today": N_("Today"),
    "tomorrow": N_("Tomorrow"),
    "week": N_("This week"),
    "all": N_("All upcoming"),
}
TEMPERATURE_LABELS = {"hot": N_("Hot"), "warm": N_("Warm"), "cold": N_("Cold")}
BOOKING_STATUS_LABELS = {
    "active": C_("booking", "Active"),
    "cancelled": C_("booking", "Cancelled"),
    "expired": C_("booking", "Expired"),
    "converted": C_("booking", "Contract signed"),
}
CONTRACT_STATUS_LABELS = {"active": C_("contract", "Active"), "cancelled": C_("contract", "Cancelled")}
EXTENSION_LABELS = {
    "none": "",
    "pending": N_("Extension requested"),
    "approved": N_("Extension approved"),
    "rejected": N_("Extension rejected"),
}
# The status changes a person may make by hand, for selects and the kanban's drop targets.
LEAD_TRANSITIONS = {
    status.value: [target.value for target in LeadStatus if target in targets]
    for status, targets in MANUAL_TRANSITIONS.items()
}
PAYMENT_METHOD_LABELS = {"cash": N_("Cash"), "card": N_("Card"), "transfer": N_("Bank transfer")}
PAYMENT_TYPE_LABELS = {
    "initial": N_("Initial payment"),
    "installment": N_("Instalment"),
    "final": N_("Final payment"),
    "hybrid": N_("Mixed payment"),
}
PAYMENT_STATUS_LABELS = {
    "pending": C_("payment", "Pending"),
    "completed": C_("payment", "Completed"),
    "cancelled": C_("payment", "Cancelled"),
}
