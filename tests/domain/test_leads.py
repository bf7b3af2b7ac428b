"""Leads: one lead per phone, requests and touches, interest checks, row scope."""

from __future__ import annotations

import pytest

from app.auth.permissions import Role
from app.core.errors import Forbidden, Invalid, TooManyRequests
from app.domain.inventory.crud import apartments
from app.domain.leads.crud import REQUESTS_PER_ADDRESS, leads
from app.domain.leads.models import LeadSource
from app.domain.leads.schemas import LeadFilter, LeadRequest
from tests.factories import make_building, make_complex, make_user


def request(**fields) -> LeadRequest:
    return LeadRequest(**{"name": "Азиз", "phone": "+998 90 123 45 67", **fields})


def test_request_creates_a_lead_with_e164_phone_and_utm(db):
    complex_ = make_complex(db, "bahor")
    make_building(db, complex_.id, floors=1, units=1)  # a public complex has apartments
    lead, created = leads.submit_request(
        db, request(complex_slug="bahor", utm_source="instagram", utm_campaign="spring"), "10.0.0.1"
    )
    assert created and lead.phone == "+998901234567"
    assert (lead.source, lead.status, lead.complex_id) == (LeadSource.LANDING, "new", complex_.id)
    assert (lead.utm_source, lead.utm_campaign, lead.touches_count) == ("instagram", "spring", 1)


@pytest.mark.parametrize("spelling", ["901234567", "+998-90-123-45-67", "8 90 123 45 67".replace("8 ", "+998 ")])
def test_same_phone_in_any_spelling_adds_a_touch(db, spelling):
    first, _ = leads.submit_request(db, request(), "10.0.0.1")
    again, created = leads.submit_request(
        db, request(phone=spelling, name="Aziz K.", utm_source="telegram"), "10.0.0.2"
    )
    assert not created and again.id == first.id
    assert again.touches_count == 2 and again.utm_source == "telegram"
    assert again.name == "Азиз"  # the first name stays; the touch keeps the new spelling


@pytest.mark.parametrize("phone", ["123", "abcdefg", "+1 555", ""])
def test_invalid_phones_are_refused(phone):
    with pytest.raises(ValueError):
        request(phone=phone)


def test_apartment_must_belong_to_the_complex(db):
    bahor, other = make_complex(db, "bahor"), make_complex(db, "other")
    make_building(db, bahor.id, floors=1, units=1)
    flat = apartments.for_building(db, make_building(db, other.id, floors=1, units=1).id)[0]
    with pytest.raises(Invalid) as error:
        leads.submit_request(db, request(complex_slug="bahor", apartment_id=flat.id), "x")
    assert error.value.field == "apartment_id"
    lead, _ = leads.submit_request(db, request(apartment_id=flat.id), "x")
    assert (lead.apartment_id, lead.complex_id) == (flat.id, other.id)
    with pytest.raises(Invalid):
        leads.submit_request(db, request(complex_slug="nope"), "x")
    assert bahor.id != other.id


def test_hidden_complexes_do_not_take_requests(db):
    make_complex(db, "secret", public=False)
    with pytest.raises(Invalid):
        leads.submit_request(db, request(complex_slug="secret"), "x")


def test_requests_per_address_are_limited(db):
    for n in range(REQUESTS_PER_ADDRESS):
        leads.submit_request(db, request(phone=f"+99890100000{n}"), "10.9.9.9")
    with pytest.raises(TooManyRequests):
        leads.submit_request(db, request(phone="+998901000099"), "10.9.9.9")
    leads.submit_request(db, request(phone="+998901000099"), "10.9.9.8")  # another address is fine


def test_row_scope(db):
    seller, other_seller = make_user(db, Role.SALES), make_user(db, Role.SALES)
    mine, _ = leads.submit_request(db, request(phone="+998901111111"), "a")
    theirs, _ = leads.submit_request(db, request(phone="+998902222222"), "b")
    mine.assigned_id, theirs.assigned_id = seller.id, other_seller.id
    db.flush()
    assert [lead.id for lead in leads.page(db, seller, LeadFilter()).items] == [mine.id]
    assert leads.page(db, seller, LeadFilter(q="2222222")).total == 0  # search never crosses the scope
    for role in (Role.MOP, Role.ROP, Role.ADMIN):
        assert leads.page(db, make_user(db, role), LeadFilter(q="99890")).total == 2
    for role in (Role.FINANCE, Role.DISPATCHER):
        with pytest.raises(Forbidden):
            leads.page(db, make_user(db, role), LeadFilter())


def test_search_by_name_or_phone_fragment(db):
    leads.submit_request(db, request(name="Madina Karimova", phone="+998935554433"), "a")
    leads.submit_request(db, request(name="Jasur", phone="+998901112233"), "b")
    mop = make_user(db, Role.MOP)
    assert [x.name for x in leads.page(db, mop, LeadFilter(q="karim")).items] == ["Madina Karimova"]
    assert [x.name for x in leads.page(db, mop, LeadFilter(q="555-44")).items] == ["Madina Karimova"]
