"""Argon2id password hashing, and refusing passwords that are easy to guess."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with one of OWASP's equally strong settings (m=7 MiB, t=5, p=1; the cheat sheet lists
# 46 MiB/t=1, 19 MiB/t=2, 12 MiB/t=3, 9 MiB/t=4 and 7 MiB/t=5 as the same defence). The library's
# default (m=64 MiB, t=3) made each login hold 64 MiB more in the serving worker, the bulk of its
# peak memory. Hashes keep their own parameters: older ones still verify, and are re-hashed with
# these at the next successful login (needs_rehash).
_hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no such user (same work, so the same time)."""
    return _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    """Hash `password` with Argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same time when there is no user."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True for a hash made with other parameters than today's (re-hash it after a login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


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
