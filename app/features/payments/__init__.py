"""Payments against payment schedules (finance)."""

from app.auth.permissions import P
from app.features.payments import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("payments", P.FINANCE_READ, html.router, api.router, (MenuEntry(N_("Payments"), "/payments"),))
