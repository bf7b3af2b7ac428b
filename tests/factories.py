"""Small factories for test data."""

from __future__ import annotations

import itertools
from functools import cache

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.permissions import Role

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    """The Argon2 hash of PASSWORD, computed once per run (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


def make_user(db: Session, role: Role, username: str | None = None, **fields) -> User:
    """Create an active user of `role` whose password is PASSWORD."""
    user = User(
        username=username or f"{role.value}{next(_counter)}",
        role=role,
        password_hash=password_hash(),
        full_name=fields.pop("full_name", f"Test {role.value.title()}"),
        phone=fields.pop("phone", ""),
        **fields,
    )
    db.add(user)
    db.flush()
    return user
