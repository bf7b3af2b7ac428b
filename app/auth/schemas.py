"""Pydantic models for users and logins."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.auth.passwords import is_common
from app.auth.permissions import Role
from app.core.paging import PageParams
from app.core.types import Input

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
DEFAULT_REGION = "UZ"


def normalise_phone(value: str) -> str:
    """A phone number in E.164 (default region Uzbekistan); '' stays ''."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Enter a valid phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Enter a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PasswordMixin(Input):
    """A new password: 8 to 128 characters, not one of the most common passwords."""

    password: str = Field(min_length=8, max_length=128)

    @field_validator("password")
    @classmethod
    def _not_common(cls, value: str) -> str:
        if is_common(value):
            raise ValueError("This password is too common: choose one that is hard to guess.")
        return value


class UserUpdate(Input):
    """Fields an admin may change on a user."""

    full_name: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    role: Role
    language: str = Field("ru", pattern="^(ru|en)$")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)


class UserCreate(UserUpdate, PasswordMixin):
    """Fields to create a user: the editable ones plus username and password."""

    username: str = Field(min_length=3, max_length=64, pattern=USERNAME_PATTERN)

    @field_validator("username")
    @classmethod
    def _lower_username(cls, value: str) -> str:
        return value.lower()


class PasswordReset(PasswordMixin):
    """An admin sets a new password for a user."""


class PasswordChange(PasswordMixin):
    """A user changes their own password."""

    current_password: str = Field(min_length=1, max_length=128)


class LanguageChange(Input):
    """A user picks their interface language."""

    language: str = Field(pattern="^(ru|en)$")


class UserFilter(PageParams):
    """Filters of the users list."""

    role: Role | None = None
    active: bool | None = None


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    phone: str
    role: Role
    is_active: bool
    language: str
    created_at: datetime
    updated_at: datetime


class LoginForm(Input):
    """The login page's form: blank fields and over-long ones come back as messages by the field."""

    username: str = Field(max_length=64)
    password: str = Field(max_length=128)
    next: str = ""

    @field_validator("username", "password")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("This field is required.")
        return value


class TokenRequest(Input):
    """JSON login for API clients."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    """A bearer token."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
