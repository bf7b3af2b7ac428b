"""The mop dashboard: HTML pages and their JSON twin."""

from app.roles.mop import api, html

__all__ = ["api", "html"]
