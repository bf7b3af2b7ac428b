"""Marketing campaigns (ROP, and admins through the ROP's dashboard): the comparison of a period, a
campaign's page with its figures, the form."""

from app.auth.permissions import P
from app.features.campaigns import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("campaigns", P.MARKETING_READ, html.router, api.router, (MenuEntry(N_("Campaigns"), "/campaigns"),))
