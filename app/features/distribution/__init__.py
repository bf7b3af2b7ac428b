"""Automatic lead distribution settings (MOP, admin): mode, weights and daily caps."""

from app.auth.permissions import P
from app.features.distribution import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "distribution",
    P.DISTRIBUTION_MANAGE,
    html.router,
    api.router,
    (MenuEntry(N_("Automatic distribution"), "/distribution"),),
)
