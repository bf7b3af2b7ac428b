"""The rop dashboard: HTML pages and their JSON twin."""

from app.roles.rop import api, html

__all__ = ["api", "html"]
