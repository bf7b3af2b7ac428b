"""Monthly sales plans per salesperson and plan against fact (ROP)."""

from app.auth.permissions import P
from app.features.plans import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "plans",
    P.SALES_KPI,
    html.router,
    api.router,
    (MenuEntry(N_("Plan vs fact"), "/plan-fact"), MenuEntry(N_("Sales plans"), "/plans")),
)
