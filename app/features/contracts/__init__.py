"""Contracts: made from bookings by sales (discounts above the limit by ROP or admin), read by finance."""

from app.auth.permissions import P
from app.features.contracts import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("contracts", P.CONTRACTS_READ, html.router, api.router, (MenuEntry(N_("Contracts"), "/contracts"),))
