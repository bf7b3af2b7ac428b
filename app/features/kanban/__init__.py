"""The kanban of leads for those who work them."""

from app.auth.permissions import P
from app.features.kanban import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("kanban", P.LEADS_WRITE, html.router, api.router, (MenuEntry(N_("Pipeline"), "/kanban"),))
