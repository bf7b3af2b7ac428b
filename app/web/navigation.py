"""The side navigation: built by app/roles.py from the mount table, read by the base layout."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.models import User
from app.auth.permissions import Role


@dataclass(frozen=True)
class NavItem:
    """One link in the side navigation; `label` is an English msgid."""

    label: str
    href: str
    active: bool = False


# role -> its links, filled once by app.roles.mount() (the same for every app built in a process)
ROLE_MENUS: dict[Role, list[NavItem]] = {}


def navigation_for(user: User, path: str) -> list[NavItem]:
    """The links `user` may follow, the one matching `path` marked active."""
    return [NavItem(i.label, i.href, _is_active(i.href, path)) for i in ROLE_MENUS.get(user.role, [])]


def _is_active(href: str, path: str) -> bool:
    """A section link is active on its own pages; a dashboard home only on itself."""
    return path == href or (not href.endswith("/") and path.startswith(href + "/"))
