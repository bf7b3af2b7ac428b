"""The schedule: the week of every technician's orders and the queue of unassigned ones."""

from app.auth.permissions import P
from app.features.schedule import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "schedule", P.WORK_ORDERS_READ_ALL, html.router, api.router, (MenuEntry(N_("Schedule"), "/schedule"),)
)
