"""Buyers' service links on the staff side: show, copy, rotate and revoke a contract's link."""

from app.auth.permissions import P
from app.features.service_links import api, html
from app.web.feature import Feature

feature = Feature("service_links", P.WORK_ORDERS_READ, html.router, api.router, ())
