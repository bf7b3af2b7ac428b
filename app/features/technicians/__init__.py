"""Technicians (the dispatcher, and admins through the dispatcher's dashboard): skills, colour, hours."""

from app.auth.permissions import P
from app.features.technicians import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "technicians", P.WORK_ORDERS_READ_ALL, html.router, api.router, (MenuEntry(N_("Technicians"), "/technicians"),)
)
