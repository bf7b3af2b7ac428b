"""Exchange rates (finance)."""

from app.auth.permissions import P
from app.features.rates import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("rates", P.FINANCE_READ, html.router, api.router, (MenuEntry(N_("Exchange rates"), "/rates"),))
