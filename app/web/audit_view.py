"""The audit log as people read it: entity kinds, actions and fields by their labels, values formatted
(money, dates, statuses, yes/no), rows named rather than numbered; and lead-history reasons in words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.auth.permissions import ROLE_LABELS
from app.domain.audit.crud import ID_FIELDS
from app.domain.audit.schemas import AuditNames
from app.web import format
from app.web.i18n import LANGUAGES, gettext
from app.web.labels import (
    ACCEPTANCE_LABELS,
    ASSIGN_REASON_LABELS,
    AUDIT_ACTION_LABELS,
    AUDIT_ENTITY_LABELS,
    AUDIT_FIELD_LABELS,
    BOOKING_STATUS_LABELS,
    CHANNEL_LABELS,
    CONFLICT_LABELS,
    CONTRACT_STATUS_LABELS,
    DISTRIBUTION_MODE_LABELS,
    EXTENSION_LABELS,
    LEAD_SOURCE_LABELS,
    LEAD_STATUS_LABELS,
    NUMBERING_LABELS,
    PAYMENT_METHOD_LABELS,
    PAYMENT_STATUS_LABELS,
    PAYMENT_TYPE_LABELS,
    SKILL_LABELS,
    STATUS_LABELS,
    TEMPERATURE_LABELS,
    WORK_ORDER_KIND_LABELS,
    WORK_ORDER_SOURCE_LABELS,
    WORK_ORDER_STATUS_LABELS,
)

AUDIT_MONEY_FIELDS = frozenset(
    {
        "amount",
        "amount_in_contract_currency",
        "price",
        "discount",
        "total",
        "down_payment",
        "total_price",
        "price_per_m2",
        "rate",
        "uzs_per_usd",
        "budget",
    }
)
AUDIT_MOMENT_FIELDS = frozenset(
    {
        "expires_at",
        "next_callback_at",
        "paid_at",
        "checked_in_at",
        "checked_out_at",
        "scheduled_start",
        "completed_at",
        "accepted_at",
    }
)
AUDIT_DAY_FIELDS = frozenset({"start_date", "end_date", "day", "due_date"})
AUDIT_STATUS_LABELS = {
    "lead": LEAD_STATUS_LABELS,
    "booking": BOOKING_STATUS_LABELS,
    "apartment": STATUS_LABELS,
    "contract": CONTRACT_STATUS_LABELS,
    "payment": PAYMENT_STATUS_LABELS,
    "work_order": WORK_ORDER_STATUS_LABELS,
}
AUDIT_VALUE_LABELS = {
    "method": PAYMENT_METHOD_LABELS,
    "type": PAYMENT_TYPE_LABELS,
    "source": LEAD_SOURCE_LABELS,
    "temperature": TEMPERATURE_LABELS,
    "extension_status": EXTENSION_LABELS,
    "numbering": NUMBERING_LABELS,
    "channel": CHANNEL_LABELS,
    "role": {role.value: label for role, label in ROLE_LABELS.items()},
    "language": LANGUAGES,
    "reason": ASSIGN_REASON_LABELS,
    "mode": DISTRIBUTION_MODE_LABELS,
    "kind": WORK_ORDER_KIND_LABELS,
    "required_skill": SKILL_LABELS,
    "conflicts": CONFLICT_LABELS,
    "work_order:source": WORK_ORDER_SOURCE_LABELS,
    "acceptance": ACCEPTANCE_LABELS,
}


def _int(value: object) -> int | None:
    """`value` as a row id, or None when it is not one."""
    text = str(value)
    return int(text) if text.isdigit() else None


def _place(names: AuditNames, apartment_id: int | None) -> str | None:
    """ "apt. 12, ЖК Бахор" for a known apartment."""
    place = names.apartments.get(apartment_id) if apartment_id else None
    return gettext("apt. %(number)s, %(complex)s", number=place.number, complex=place.complex) if place else None


SYSTEM_REASON = re.compile(r"^(booking|contract) (\S+)(?: (cancelled|expired|converted))?$")


def status_reason(reason: str) -> str:
    """The reason of a lead's status change as people read it: the codes bookings and contracts
    leave ("booking 11 expired", "contract 2026-00007") in words; what a person typed as is."""
    match = SYSTEM_REASON.match(reason or "")
    if not match:
        return reason
    kind, ref, ending = match.groups()
    if kind == "booking":
        if ending == "cancelled":
            return gettext("the booking was cancelled")
        if ending == "expired":
            return gettext("the booking expired")
        return gettext("the apartment was booked")
    if ending == "cancelled":
        return gettext("contract %(number)s was cancelled", number=ref)
    return gettext("contract %(number)s signed", number=ref)


def audit_name(names: AuditNames | None, entity: str, entity_id: object) -> str:
    """What an audited row is called: a person's or complex's name, an apartment's place, a number."""
    names = names or AuditNames()
    key = _int(entity_id)
    name: str | None = None
    if entity == "user":
        name = names.users.get(key)
    elif entity == "lead":
        name = names.leads.get(key)
    elif entity == "apartment":
        name = _place(names, key)
    elif entity == "booking":
        name = _place(names, names.booking_apartments.get(key))
    elif entity == "contract" and key in names.contracts:
        name = gettext("No. %(number)s", number=names.contracts[key][0])
    elif entity == "payment" and names.payment_contracts.get(key) in names.contracts:
        number = names.contracts[names.payment_contracts[key]][0]
        name = gettext("No. %(id)s, contract %(number)s", id=key, number=number)
    elif entity == "complex" and key in names.complexes:
        name = names.complexes[key][0]
    elif entity == "building" and key in names.buildings:
        building, complex_name, _ = names.buildings[key]
        name = gettext("%(building)s, %(complex)s", building=building, complex=complex_name)
    elif entity == "floor_grid" and ":" in str(entity_id):
        building_id, floor = str(entity_id).split(":", 1)
        place = names.buildings.get(_int(building_id))
        if place:
            name = gettext(
                "floor %(floor)s, %(building)s, %(complex)s", floor=floor, building=place[0], complex=place[1]
            )
    elif entity == "exchange_rate":
        try:
            name = gettext("on %(day)s", day=format.date(date.fromisoformat(str(entity_id))))
        except ValueError:
            name = None
    return name or gettext("No. %(number)s", number=entity_id)


def audit_entity(entity: str) -> str:
    """The translated kind of an audited row ("Бронь")."""
    label = AUDIT_ENTITY_LABELS.get(entity)
    return gettext(label) if label else entity


def audit_subject(entry: Any) -> str:
    """The row an entry is about as people call it: "Бронь кв. 12, ЖК Бахор"."""
    kind, name = audit_entity(entry.entity), audit_name(entry.names, entry.entity, entry.entity_id)
    return name if name.lower().startswith(kind.lower() + " ") else f"{kind} {name}"


def audit_action(entity: str, action: str) -> str:
    """What was done, in words agreeing with the row's kind ("запрошено продление")."""
    label = AUDIT_ACTION_LABELS.get(f"{entity}:{action}") or AUDIT_ACTION_LABELS.get(action)
    return gettext(label) if label else action


def audit_field(entity: str, key: str) -> str:
    """The translated name of an audited field."""
    label = AUDIT_FIELD_LABELS.get(f"{entity}:{key}") or AUDIT_FIELD_LABELS.get(key)
    return gettext(label) if label else key


def _audit_currency(entry: Any, key: str) -> str:
    """The currency a money field of `entry` is in."""
    names: AuditNames = entry.names or AuditNames()
    row = _int(entry.entity_id)
    snapshot = {**(entry.before or {}), **(entry.after or {})}
    if entry.entity == "payment":
        contract = names.contracts.get(names.payment_contracts.get(row))
        if key == "amount" and snapshot.get("currency"):
            return str(snapshot["currency"])
        return contract[1] if contract else str(snapshot.get("currency") or "UZS")
    if entry.entity == "contract" and row in names.contracts:
        return names.contracts[row][1]
    if entry.entity == "apartment" and row in names.apartments:
        return names.apartments[row].currency
    if entry.entity == "building" and row in names.buildings:
        return names.buildings[row][2]
    return "UZS"


def audit_value(entry: Any, key: str, value: Any) -> str:
    """A snapshot value as people read it: Да/Нет, "—" for nothing, money, local times, labels, names."""
    if value is None or value == "" or value == {} or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key in ID_FIELDS:
        return audit_name(entry.names, ID_FIELDS[key], value)
    if key == "merged" and isinstance(value, dict):
        return ", ".join(str(value[k]) for k in ("name", "phone") if value.get(k))
    if key == "password":
        return gettext("changed")
    labels = (
        AUDIT_STATUS_LABELS.get(entry.entity)
        if key == "status"
        else AUDIT_VALUE_LABELS.get(f"{entry.entity}:{key}") or AUDIT_VALUE_LABELS.get(key)
    )
    if labels is not None and isinstance(value, list):
        return ", ".join(gettext(labels[str(v)]) if str(v) in labels else str(v) for v in value)
    if labels is not None and str(value) in labels:
        return gettext(labels[str(value)]) if labels[str(value)] else "—"
    if key in AUDIT_MONEY_FIELDS:
        try:
            return format.money(Decimal(str(value)), _audit_currency(entry, key))
        except InvalidOperation:
            return str(value)
    if key in AUDIT_MOMENT_FIELDS or key in AUDIT_DAY_FIELDS:
        try:
            if "T" in str(value):
                moment = datetime.fromisoformat(str(value))
                return format.datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
            return format.date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
