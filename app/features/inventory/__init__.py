"""Inventory (admin): complexes with pictures and buildings, buildings and their apartments."""

from app.auth.permissions import P
from app.features.inventory import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "inventory",
    P.INVENTORY_WRITE,
    html.router,
    api.router,
    (MenuEntry(N_("Complexes"), "/complexes"), MenuEntry(N_("Apartments"), "/apartments")),
)
