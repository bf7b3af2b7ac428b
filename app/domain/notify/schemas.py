"""The notification switches as the profile form and the JSON twin read and write them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictBool

SWITCHES = ("new_lead", "callback_due", "booking_expiring", "extension_decision", "overdue_digest")
FLAGS = (*SWITCHES, "callback_urgent_at_night")


class NotifySettingsRead(BaseModel):
    """Every switch of a user: one per kind, and whether callbacks due may wake them at night."""

    model_config = ConfigDict(from_attributes=True)

    new_lead: bool = True
    callback_due: bool = True
    booking_expiring: bool = True
    extension_decision: bool = True
    overdue_digest: bool = True
    callback_urgent_at_night: bool = False


class NotifySettingsUpdate(BaseModel):
    """Switches to change (those left out stay); an unknown key or a non-boolean is refused."""

    model_config = ConfigDict(extra="forbid")

    new_lead: StrictBool | None = None
    callback_due: StrictBool | None = None
    booking_expiring: StrictBool | None = None
    extension_decision: StrictBool | None = None
    overdue_digest: StrictBool | None = None
    callback_urgent_at_night: StrictBool | None = None
