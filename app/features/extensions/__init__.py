"""Booking extension decisions (MOP, admin)."""

from app.auth.permissions import P
from app.features.extensions import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "extensions", P.EXTENSIONS_DECIDE, html.router, api.router, (MenuEntry(N_("Booking extensions"), "/extensions"),)
)
