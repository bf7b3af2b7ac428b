"""Leads: the list for everyone who sees leads; the lead page and its actions for those who work them."""

from app.auth.permissions import P
from app.features.leads import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "leads",
    P.LEADS_READ,
    html.router,
    api.router,
    (MenuEntry(N_("Leads"), "/leads", own_label=N_("My leads"), all_permission=P.LEADS_READ_ALL),),
)
