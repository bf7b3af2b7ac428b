"""Each user's notification switches (the profile page shows them; the bot sends the notifications)."""

from app.auth.permissions import P
from app.features.notifications import api, html
from app.web.feature import Feature

feature = Feature("notifications", P.NOTIFY_SETTINGS, html.router, api.router)
