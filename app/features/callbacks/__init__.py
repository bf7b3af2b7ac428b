"""Callbacks due, for those who work leads."""

from app.auth.permissions import P
from app.features.callbacks import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("callbacks", P.LEADS_WRITE, html.router, api.router, (MenuEntry(N_("Callbacks"), "/callbacks"),))
