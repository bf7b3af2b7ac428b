"""Checking in and out: the button in the top bar of every staff page, and its JSON twin."""

from app.auth.permissions import P
from app.features.attendance import api, html
from app.web.feature import Feature

feature = Feature("attendance", P.ATTENDANCE_CHECK, html.router, api.router)
