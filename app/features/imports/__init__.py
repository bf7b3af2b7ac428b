"""Imports (admin): upload a CSV or XLSX of apartments or leads, map its columns, preview, apply."""

from app.auth.permissions import P
from app.features.imports import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("imports", P.IMPORTS_RUN, html.router, api.router, (MenuEntry(N_("Imports"), "/imports"),))
