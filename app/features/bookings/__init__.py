"""Bookings of apartments for leads."""

from app.auth.permissions import P
from app.features.bookings import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "bookings",
    P.BOOKINGS_READ,
    html.router,
    api.router,
    (MenuEntry(N_("Bookings"), "/bookings", own_label=N_("My bookings"), all_permission=P.LEADS_READ_ALL),),
)
