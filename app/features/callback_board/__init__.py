"""The MOP's callback board: late callbacks of every salesperson, reassign or nudge in one click."""

from app.auth.permissions import P
from app.features.callback_board import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "callback_board", P.LEADS_ASSIGN, html.router, api.router, (MenuEntry(N_("Late callbacks"), "/callback-board"),)
)
