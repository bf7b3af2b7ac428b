"""The sales funnel and team KPIs with charts (ROP)."""

from app.auth.permissions import P
from app.features.funnel import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("funnel", P.SALES_KPI, html.router, api.router, (MenuEntry(N_("Funnel and KPIs"), "/funnel"),))
