"""The floor-grid canvas editor (admin): the page, and its JSON that loads and saves layouts."""

from app.auth.permissions import P
from app.features.floor_editor import api, html
from app.web.feature import Feature

feature = Feature("floor_editor", P.INVENTORY_WRITE, html.router, api.router)
