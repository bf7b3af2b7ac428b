"""Debts and their ageing (finance)."""

from app.auth.permissions import P
from app.features.debts import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("debts", P.FINANCE_READ, html.router, api.router, (MenuEntry(N_("Debts"), "/debts"),))
