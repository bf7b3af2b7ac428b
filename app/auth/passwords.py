"""Argon2id password hashing, and refusing passwords that are easy to guess."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    """Hash `password` with Argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same time when there is no user."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The 1,000 most common passwords of 8+ characters (lower case), from the shipped list."""
    lines = (line.strip() for line in COMMON_PASSWORDS_FILE.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """True when `password` (in any letter case) is on the common-passwords list."""
    return password.strip().lower() in common_passwords()


def same_as_username(password: str, username: str) -> bool:
    """True when the password is the username (ignoring letter case and surrounding spaces)."""
    return password.strip().lower() == username.strip().lower()
