"""The sales dashboard: HTML pages and their JSON twin."""

from app.roles.sales import api, html

__all__ = ["api", "html"]
