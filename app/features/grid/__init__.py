"""The staff apartment grid for everyone who sells or accounts."""

from app.auth.permissions import P
from app.features.grid import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("grid", P.INVENTORY_READ, html.router, api.router, (MenuEntry(N_("Apartment grid"), "/grid"),))
