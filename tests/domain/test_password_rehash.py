"""Passwords hashed with older, costlier Argon2 parameters still log in and are re-hashed with today's."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.permissions import Role
from app.auth.service import authenticate
from app.core.errors import Invalid
from tests.factories import make_user

OLD_DEFAULT = PasswordHasher()  # the library default this app used before: m=64 MiB, t=3


def test_todays_hashes_use_little_memory():
    hashed = hash_password("correct horse")
    assert "$m=7168,t=5,p=1$" in hashed and not needs_rehash(hashed)
    assert verify_password(hashed, "correct horse") and not verify_password(hashed, "wrong horse")


def test_an_old_hash_logs_in_and_is_rehashed(db, settings):
    user = make_user(db, Role.SALES, username="old.hash")
    user.password_hash = OLD_DEFAULT.hash("correct horse")
    db.flush()
    assert needs_rehash(user.password_hash)
    with pytest.raises(Invalid):
        authenticate(db, settings, "old.hash", "wrong horse", "10.0.0.1")
    assert "$m=65536," in user.password_hash  # a failed login changes nothing
    assert authenticate(db, settings, "old.hash", "correct horse", "10.0.0.1").id == user.id
    assert "$m=7168,t=5,p=1$" in user.password_hash
    assert authenticate(db, settings, "old.hash", "correct horse", "10.0.0.1").id == user.id
