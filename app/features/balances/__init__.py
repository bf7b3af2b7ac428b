"""Contract balances (finance)."""

from app.auth.permissions import P
from app.features.balances import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("balances", P.FINANCE_READ, html.router, api.router, (MenuEntry(N_("Balances"), "/balances"),))
