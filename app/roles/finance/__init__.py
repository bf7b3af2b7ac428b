"""The finance dashboard: HTML pages and their JSON twin."""

from app.roles.finance import api, html

__all__ = ["api", "html"]
