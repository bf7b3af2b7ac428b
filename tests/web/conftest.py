"""Fixtures shared by the web tests of one feature and another."""

from __future__ import annotations

import pytest

from app.auth.permissions import Role
from tests.factories import make_building, make_complex


@pytest.fixture
def sunrise(db, user_of):
    """A complex "Sunrise" with building A of 5 floors x 4 apartments (the imports' tests)."""
    complex_ = make_complex(db, "sunrise", name="Sunrise", actor=user_of(Role.ADMIN))
    make_building(db, complex_.id, "A", floors=5, units=4)
    return complex_
