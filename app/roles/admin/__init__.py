"""The admin dashboard: users, audit log; HTML pages and their JSON twin."""

from app.roles.admin import api, html

__all__ = ["api", "html"]
