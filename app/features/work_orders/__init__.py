"""Work orders: the dispatcher's list, entry and edit with the slot rules; salespeople read their clients'."""

from app.auth.permissions import P
from app.features.work_orders import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "work_orders",
    P.WORK_ORDERS_READ,
    html.router,
    api.router,
    (MenuEntry(N_("Work orders"), "/work-orders", N_("My clients' work orders"), P.WORK_ORDERS_READ_ALL),),
)
