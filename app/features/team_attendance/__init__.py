"""The MOP's attendance: today's board (who is in, since when, who is late) and the month table."""

from app.auth.permissions import P
from app.features.team_attendance import api, html
from app.web.feature import Feature, MenuEntry
from app.web.labels import N_

feature = Feature(
    "team_attendance", P.ATTENDANCE_READ_ALL, html.router, api.router, (MenuEntry(N_("Attendance"), "/attendance"),)
)
