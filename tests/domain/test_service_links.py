"""Buyer link rules without HTTP: the token's signature and shape, one active link per contract,
and the buyer's first name whichever order the contract writes the name in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.core.errors import Forbidden, NotFound
from app.domain.dispatch import link_tokens
from app.domain.dispatch.models import ServiceLink
from app.domain.dispatch.service_links import first_name, service_links
from tests.factories import make_contract

SECRET = "a-secret-that-is-long-enough-for-the-tests"


def test_a_signed_token_verifies_only_under_its_secret():
    nonce = link_tokens.new_nonce()
    token = link_tokens.sign(SECRET, 42, nonce)
    assert link_tokens.verify(SECRET, token) == (42, nonce)
    assert link_tokens.verify("another secret", token) is None
    assert link_tokens.verify(SECRET, link_tokens.sign(SECRET, 43, nonce).replace("43.", "42.", 1)) is None


@given(st.text(max_size=200))
def test_any_text_is_refused_without_an_error(text):
    assert link_tokens.verify(SECRET, text) is None


@pytest.mark.parametrize("value", [None, 42, b"1.x.y", "1." + "A" * 16 + "." + "A" * 22 + "\n", "x" * 100_000])
def test_non_tokens_are_refused(value):
    assert link_tokens.verify(SECRET, value) is None


@pytest.mark.parametrize(
    ("full", "first"),
    [("Каримов Азиз", "Азиз"), ("Шерзод Каримов", "Шерзод"), ("Каримов Азиз Бахтиярович", "Азиз"),
     ("Malika Qodirova", "Malika"), ("Qodirova Malika", "Malika"), ("Нуриддин Каримов", "Нуриддин"),
     ("Азиз", "Азиз"), ("  ", "")],
)  # fmt: skip
def test_first_name(full, first):
    assert first_name(full) == first


def test_one_active_link_per_contract_and_only_dispatch_staff_issue_it(db, user_of):
    contract = make_contract(db)
    dispatcher = user_of(Role.DISPATCHER)
    first = service_links.issue(db, dispatcher, contract.id)
    second = service_links.issue(db, dispatcher, contract.id)
    active = select(func.count()).where(ServiceLink.contract_id == contract.id, ServiceLink.revoked_at.is_(None))
    assert db.scalar(active) == 1 and first.id != second.id and first.nonce != second.nonce
    with pytest.raises(NotFound):
        service_links.resolve(db, SECRET, link_tokens.sign(SECRET, first.id, first.nonce))
    assert service_links.resolve(db, SECRET, link_tokens.sign(SECRET, second.id, second.nonce)).id == second.id
    for role in (Role.SALES, Role.MOP, Role.FINANCE):
        with pytest.raises(Forbidden):
            service_links.issue(db, user_of(role), contract.id)
