"""The dispatcher dashboard: HTML pages and their JSON twin."""

from app.roles.dispatcher import api, html

__all__ = ["api", "html"]
