"""Expenses (ROP, and admins through the ROP's dashboard): list, totals, export, entry with receipts, categories."""

from app.auth.permissions import P
from app.features.expenses import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("expenses", P.MARKETING_READ, html.router, api.router, (MenuEntry(N_("Expenses"), "/expenses"),))
