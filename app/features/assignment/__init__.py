"""Lead distribution and merging (MOP, admin)."""

from app.auth.permissions import P
from app.features.assignment import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "assignment", P.LEADS_ASSIGN, html.router, api.router, (MenuEntry(N_("Lead distribution"), "/assign"),)
)
