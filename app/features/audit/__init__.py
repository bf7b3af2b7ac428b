"""The audit log (admin)."""

from app.auth.permissions import P
from app.features.audit import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("audit", P.AUDIT_READ, html.router, api.router, (MenuEntry(N_("Audit log"), "/audit"),))
