"""Staff accounts and roles (admin)."""

from app.auth.permissions import P
from app.features.users import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature("users", P.USERS_READ, html.router, api.router, (MenuEntry(N_("Users"), "/users"),))
