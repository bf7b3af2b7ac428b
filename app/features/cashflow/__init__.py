"""Cash flow plan against fact (finance)."""

from app.auth.permissions import P
from app.features.cashflow import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("cashflow", P.FINANCE_READ, html.router, api.router, (MenuEntry(N_("Cash flow"), "/cashflow"),))
