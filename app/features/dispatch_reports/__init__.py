"""The dispatcher's reports: technicians over a period, open defects by complex, with exports."""

from app.auth.permissions import P
from app.features.dispatch_reports import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "dispatch_reports", P.DISPATCH_REPORTS, html.router, api.router, (MenuEntry(N_("Reports"), "/reports"),)
)
