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
    "leads_unassigned": "Unassigned leads",
    "on_shift_sales": "Salespeople on shift",
    "callbacks_late": "Late callbacks",
    "extensions_pending": "Extension requests waiting",
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

# The audit log: what kind of row changed, what was done to it, which of its fields changed.
AUDIT_ENTITY_LABELS = {
    "user": N_("User"),
    "lead": N_("Lead"),
    "booking": N_("Booking"),
    "contract": N_("Contract"),
    "payment": N_("Payment"),
    "complex": N_("Complex"),
    "building": N_("Building"),
    "apartment": N_("Apartment"),
    "floor_grid": N_("Floor plan"),
    "exchange_rate": N_("Exchange rate"),
    "shift": N_("Shift"),
    "distribution": N_("Lead distribution"),
    "sales_plan": N_("Sales plan"),
    "expense": N_("Expense"),
    "expense_category": N_("Expense category"),
    "campaign": N_("Campaign"),
    "technician": N_("Technician"),
    "work_order": N_("Work order"),
    "service_link": N_("Buyer link"),
}
# An action's label by "entity:action" where the Russian word agrees with the entity's gender,
# else by action alone.
AUDIT_ACTION_LABELS = {
    "create": C_("audit", "created"),
    "user:create": C_("user", "created"),
    "lead:create": C_("lead", "created"),
    "booking:create": C_("booking", "created"),
    "contract:create": C_("contract", "created"),
    "payment:create": C_("payment", "recorded"),
    "complex:create": C_("complex", "created"),
    "building:create": C_("building", "created"),
    "apartment:create": C_("apartment", "created"),
    "update": C_("audit", "changed"),
    "override": N_("scheduled despite a conflict"),
    "picture": N_("picture attached"),
    "handover": N_("handover recorded"),
    "fully_paid": N_("created: the contract is fully paid"),
    "user:update": C_("user", "changed"),
    "complex:update": C_("complex", "changed"),
    "building:update": C_("building", "changed"),
    "apartment:update": C_("apartment", "changed"),
    "cancel": C_("audit", "cancelled"),
    "payment:cancel": C_("payment", "cancelled"),
    "contract:cancel": C_("contract", "cancelled"),
    "cancelled": C_("booking", "cancelled"),
    "expired": C_("booking", "expired"),
    "activate": C_("user", "activated"),
    "deactivate": C_("user", "deactivated"),
    "reset_password": N_("password reset"),
    "change_password": N_("password changed"),
    "logout_everywhere": N_("signed out everywhere"),
    "set": C_("exchange_rate", "set"),
    "touch": N_("new request"),
    "status": N_("status changed"),
    "edit": N_("temperature or callback changed"),
    "comment": N_("comment added"),
    "assign": N_("salesperson assigned"),
    "merge": N_("duplicate merged"),
    "save": C_("floor_grid", "saved"),
    "add_image": N_("picture added"),
    "delete_image": N_("picture removed"),
    "generate_apartments": N_("apartments generated"),
    "layout_image": N_("layout picture set"),
    "set_price_per_m2": N_("price per m² set"),
    "mark_not_for_sale": N_("taken off sale"),
    "mark_free": N_("put on sale"),
    "request_extension": N_("extension requested"),
    "approve_extension": N_("extension approved"),
    "reject_extension": N_("extension rejected"),
    "convert": N_("contract signed"),
    "check_in": N_("checked in"),
    "check_out": N_("checked out"),
    "auto_close": N_("closed at midnight: not checked out"),
    "auto_assign": N_("distributed automatically"),
    "nudge": N_("reminded of a late callback"),
    "receipt": N_("receipt attached"),
    "telegram_link": N_("Telegram linked"),
    "telegram_unlink": N_("Telegram unlinked"),
    "delete": C_("audit", "deleted"),
    "service_link:create": C_("service_link", "created"),
    "revoke": C_("service_link", "revoked"),
}
AUDIT_FIELD_LABELS = {
    "sales_plan:contracts": N_("Contracts"),
    "sales_plan:month": N_("Month"),
    "complex:name": C_("complex", "Name"),
    "building:name": C_("building", "Name"),
    "username": N_("Login"),
    "full_name": N_("Full name"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "is_active": N_("Active"),
    "language": N_("Language"),
    "password": N_("Password"),
    "uzs_per_usd": N_("Sum per dollar"),
    "contract_id": C_("field", "Contract"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "rate": N_("Exchange rate"),
    "amount_in_contract_currency": N_("Amount in the contract's currency"),
    "paid_at": N_("Paid on"),
    "method": N_("Payment method"),
    "type": N_("Payment type"),
    "status": N_("Status"),
    "reason": N_("Reason"),
    "name": N_("Name"),
    "source": N_("Source"),
    "complex_id": C_("field", "Complex"),
    "apartment_id": C_("field", "Apartment"),
    "assigned_id": N_("Salesperson"),
    "salesperson_id": N_("Salesperson"),
    "lead_id": C_("field", "Lead"),
    "booking_id": C_("field", "Booking"),
    "utm_source": N_("UTM source"),
    "utm_medium": N_("UTM medium"),
    "utm_campaign": N_("UTM campaign"),
    "utm_content": N_("UTM content"),
    "utm_term": N_("UTM term"),
    "merged": N_("Merged lead"),
    "temperature": N_("Temperature"),
    "next_callback_at": N_("Next callback"),
    "checked_in_at": N_("Checked in"),
    "checked_out_at": N_("Checked out"),
    "closed_by_system": N_("Not checked out"),
    "user_id": N_("Staff member"),
    "mode": N_("Mode"),
    "weights": N_("Weights"),
    "daily_cap": N_("Daily cap"),
    "lead:skipped": N_("Skipped (daily cap)"),
    "text": N_("Text"),
    "version": N_("Version"),
    "cells": N_("Cells"),
    "slug": N_("Address on the site"),
    "city": N_("City"),
    "address": N_("Address"),
    "description": N_("Description"),
    "is_public": N_("Shown on the site"),
    "path": N_("File"),
    "floors": N_("Floors"),
    "sections": N_("Sections"),
    "created": N_("Apartments created"),
    "skipped": N_("Apartments skipped"),
    "units_per_floor": N_("Apartments per floor"),
    "first_floor": N_("First floor"),
    "last_floor": N_("Last floor"),
    "numbering": N_("Numbering"),
    "rooms": N_("Rooms"),
    "area": N_("Area, m²"),
    "price_per_m2": N_("Price per m²"),
    "number": N_("Number"),
    "section": N_("Section"),
    "floor": N_("Floor"),
    "total_price": N_("Total price"),
    "layout_image": N_("Layout picture"),
    "expires_at": N_("Expires"),
    "extension_status": N_("Extension"),
    "extension_hours": N_("Extension, hours"),
    "price": N_("Price"),
    "discount": N_("Discount"),
    "total": N_("Total"),
    "down_payment": N_("Down payment"),
    "months": N_("Months"),
    "start_date": N_("Start date"),
    "buyer_full_name": N_("Buyer"),
    "day": N_("Date"),
    "category_id": N_("Category"),
    "campaign_id": N_("Campaign"),
    "note": N_("Note"),
    "receipt_name": N_("Receipt"),
    "channel": N_("Channel"),
    "budget": N_("Budget"),
    "end_date": N_("End"),
    "kind": C_("work order", "Kind"),
    "priority": N_("Priority"),
    "title": N_("Title"),
    "required_skill": N_("Required skill"),
    "cancel_reason": N_("Reason for cancelling"),
    "due_date": N_("Due"),
    "scheduled_start": N_("Time"),
    "duration_minutes": N_("Duration, min"),
    "technician_id": N_("Technician"),
    "notes": N_("Notes"),
    "completion_note": N_("Completion note"),
    "picture": N_("Picture"),
    "pictures": N_("Pictures"),
    "conflicts": N_("Scheduled despite"),
    "preferred_time": N_("Preferred time"),
    "electricity": N_("Electricity"),
    "cold_water": N_("Cold water"),
    "hot_water": N_("Hot water"),
    "gas": N_("Gas"),
    "keys_count": N_("Keys handed"),
    "acceptance": N_("Buyer's acceptance"),
    "buyer_name": N_("Buyer's name"),
    "accepted_at": N_("Accepted at"),
    "remarks": N_("Remarks"),
}
# Where a marketing campaign runs (app.domain.marketing.models.CampaignChannel).
CHANNEL_LABELS = {
    "instagram": N_("Instagram"),
    "facebook": N_("Facebook"),
    "telegram": N_("Telegram"),
    "google": N_("Google"),
    "youtube": N_("YouTube"),
    "outdoor": N_("Outdoor advertising"),
    "tv_radio": N_("TV and radio"),
    "other": N_("Other"),
}
NUMBERING_LABELS = {"sequential": N_("In a row"), "floor": N_("By floor")}
# Why automatic distribution gave a lead to someone, or left it waiting (app.domain.distribution.models.AssignReason).
ASSIGN_REASON_LABELS = {
    "turn": N_("their turn"),
    "cap_skipped": N_("their turn; colleagues at their daily cap were skipped"),
    "returning": N_("a returning client stays with their salesperson"),
    "queue": N_("waited in the queue, handed out when salespeople came on shift"),
    "waiting_absent": N_("nobody is on shift"),
    "waiting_cap": N_("everyone on shift has reached their daily cap"),
}
DISTRIBUTION_MODE_LABELS = {"auto": N_("Automatic"), "manual": N_("Manual")}

# Dispatch: work order kinds and statuses, technicians' skills, weekdays of working hours.
WORK_ORDER_KIND_LABELS = {
    "handover": N_("Handover"),
    "defect": N_("Defect"),
    "viewing": N_("Viewing"),
    "maintenance": N_("Maintenance"),
}
WORK_ORDER_STATUS_LABELS = {
    "new": C_("work order", "New"),
    "scheduled": C_("work order", "Scheduled"),
    "in_progress": C_("work order", "In progress"),
    "done": C_("work order", "Done"),
    "cancelled": C_("work order", "Cancelled"),
}
WORK_ORDER_SOURCE_LABELS = {
    "staff": N_("Entered by staff"),
    "buyer_request": N_("Buyer request"),
}
SKILL_LABELS = {
    "electrician": N_("Electrician"),
    "plumber": N_("Plumber"),
    "finishing": N_("Finishing"),
    "hvac": N_("Heating and ventilation"),
    "general": N_("General work"),
}
ACCEPTANCE_LABELS = {
    "accepted": N_("Accepted"),
    "with_remarks": N_("Accepted with remarks"),
    "refused": N_("Refused"),
}
CONFLICT_LABELS = {
    "overlap": N_("another order at this time"),
    "working_hours": N_("outside working hours"),
    "skill": N_("without the required skill"),
}
WEEKDAY_LABELS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
