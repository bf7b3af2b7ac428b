"""A complex reaches the public site only with apartments to show: the admin form and its JSON twin
refuse it by the checkbox, and the landing never shows an empty tile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from app.auth.permissions import Role
from app.domain.inventory.crud import complexes
from app.domain.inventory.models import Apartment
from tests.factories import make_building, make_complex

REFUSED = "Сначала добавьте блок с квартирами: ЖК без квартир на сайте не показывается."
DETAILS = {"name": "ЖК Пустой", "city": "Ташкент", "currency": "UZS"}


@pytest.fixture
def admin(client_as):
    """The admin's browser (Russian, the default)."""
    return client_as(Role.ADMIN)


def checkbox_error(html: str) -> str | None:
    """The message shown right under the «show on the site» checkbox, if any."""
    match = re.search(
        r'<input type="checkbox"[^>]*name="is_public"[^>]*aria-describedby="e-is_public"[^>]*>.*?</label>\s*'
        r'<p class="error[^"]*" id="e-is_public" data-testid="error-is_public">([^<]*)</p>',
        html,
        re.S,
    )
    return match.group(1) if match else None


def test_a_new_complex_cannot_be_made_public_on_the_form(admin, db):
    page = admin.post(
        "/dashboard/admin/complexes", data={**DETAILS, "slug": "pustoi", "is_public": "on", "csrf_token": admin.csrf}
    )
    assert page.status_code == 422
    assert checkbox_error(page.text) == REFUSED
    assert 'value="ЖК Пустой"' in page.text  # what was typed is kept
    assert admin.get("/api/admin/complexes", params={"q": "пуст"}).json()["total"] == 0


def test_an_empty_complex_cannot_be_published_until_it_has_apartments(admin, db):
    target = make_complex(db, "pustoi", public=False, name="ЖК Пустой")
    url = f"/dashboard/admin/complexes/{target.id}"
    form = {**DETAILS, "is_public": "on", "csrf_token": admin.csrf}
    page = admin.post(url, data=form)
    assert page.status_code == 422 and checkbox_error(page.text) == REFUSED
    make_building(db, target.id, units=0)
    assert checkbox_error(admin.post(url, data=form).text) == REFUSED  # a building without apartments
    make_building(db, target.id, name="B", floors=1, units=2)
    done = admin.post(url, data=form)
    assert done.status_code == 303
    assert checkbox_error(admin.get(url).text) is None and complexes.get(db, target.id).is_public


def test_the_json_twin_refuses_it_naming_is_public(admin, db):
    created = admin.post("/api/admin/complexes", json={**DETAILS, "slug": "pustoi", "is_public": True})
    assert created.status_code == 422
    assert created.json()["detail"] == [{"loc": ["body", "is_public"], "msg": REFUSED, "type": "value_error"}]
    target = admin.post("/api/admin/complexes", json={**DETAILS, "slug": "pustoi"}).json()
    changed = admin.put(f"/api/admin/complexes/{target['id']}", json={**DETAILS, "is_public": True})
    assert changed.status_code == 422 and changed.json()["detail"][0]["loc"] == ["body", "is_public"]
    make_building(db, target["id"], floors=1, units=1)
    published = admin.put(f"/api/admin/complexes/{target['id']}", json={**DETAILS, "is_public": True})
    assert published.status_code == 200 and published.json()["is_public"] is True


def test_the_landing_skips_public_complexes_without_apartments(client, db):
    shown = make_complex(db, "polnyi", name="ЖК Полный")
    make_building(db, shown.id, floors=1, units=2)
    emptied = make_complex(db, "opustevshii", name="ЖК Опустевший")
    building = make_building(db, emptied.id, floors=1, units=1)
    db.execute(delete(Apartment).where(Apartment.building_id == building.id))  # its apartments removed later
    legacy = make_complex(db, "staryi", name="ЖК Старый", public=False)
    legacy.is_public = True  # made public before the rule, and never given a building
    db.flush()
    page = client.get("/")
    assert page.status_code == 200
    assert re.findall(r'data-testid="complex-card" data-slug="([^"]+)"', page.text) == ["polnyi"]
    assert [c["slug"] for c in client.get("/api/public/complexes").json()] == ["polnyi"]
