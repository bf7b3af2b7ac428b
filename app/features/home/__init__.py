"""Each role's home: what is waiting for the user, the team and their recent actions."""

from app.auth.permissions import P
from app.features.home import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("home", P.PROFILE_WRITE, html.router, api.router, (MenuEntry(N_("Dashboard"), "/"),))
