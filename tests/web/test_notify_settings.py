"""The notification switches: the profile pulls in a form of checkboxes (CSRF, errors by the field),
and its JSON twin GET/PUT /api/<role>/notifications/settings (422 naming an unknown key or non-bool)."""

from __future__ import annotations

import re

import pytest

from app.auth.permissions import Role
from app.domain.notify.crud import notify
from app.domain.notify.models import NotifyKind

ALL_ON = {
    "new_lead": True,
    "callback_due": True,
    "booking_expiring": True,
    "extension_decision": True,
    "overdue_digest": True,
    "callback_urgent_at_night": False,
}


@pytest.mark.parametrize("role", [Role.SALES, Role.MOP, Role.DISPATCHER])
def test_everything_is_on_until_changed_and_put_changes_only_what_it_names(client_as, user_of, db, role):
    api = client_as(role)
    base = f"/api/{role.value}/notifications/settings"
    assert api.get(base).json() == ALL_ON
    answer = api.put(base, json={"new_lead": False, "callback_urgent_at_night": True})
    assert answer.status_code == 200
    assert answer.json() == ALL_ON | {"new_lead": False, "callback_urgent_at_night": True}
    assert api.get(base).json()["new_lead"] is False
    assert notify.wants(db, user_of(role).id, NotifyKind.NEW_LEAD) == (False, False)
    assert notify.wants(db, user_of(role).id, NotifyKind.CALLBACK_DUE) == (True, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_leads": True}, "new_leads"),
        ({"new_lead": "yes"}, "new_lead"),
        ({"callback_due": 1}, "callback_due"),
        ({"overdue_digest": None, "booking_expiring": "false"}, "booking_expiring"),
    ],
)
def test_put_refuses_an_unknown_key_or_a_non_boolean_naming_it(client_as, body, field):
    api = client_as(Role.SALES)
    answer = api.put("/api/sales/notifications/settings", json=body)
    assert answer.status_code == 422, answer.text
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}
    assert api.get("/api/sales/notifications/settings").json() == ALL_ON  # nothing changed


def test_another_roles_settings_url_is_403(client_as):
    assert client_as(Role.SALES).get("/api/mop/notifications/settings").status_code == 403


def test_the_profile_loads_the_form_and_unticked_boxes_switch_off(client_as):
    browser = client_as(Role.SALES)
    profile = browser.get("/profile").text
    assert 'hx-get="/dashboard/sales/notifications/settings"' in profile and "Уведомления в Telegram" in profile
    fragment = browser.get("/dashboard/sales/notifications/settings", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'name="new_lead"' in fragment and "Мне назначен новый лид" in fragment
    assert re.search(r'name="new_lead"[^>]*checked', fragment)
    assert not re.search(r'name="callback_urgent_at_night"[^>]*checked', fragment)
    del browser.headers["X-CSRF-Token"]
    ticked = {"csrf_token": browser.csrf, "callback_due": "on", "booking_expiring": "on"}
    saved = browser.post("/dashboard/sales/notifications/settings", data=ticked)
    assert saved.status_code == 200 and "Настройки уведомлений сохранены." in saved.text
    got = browser.get("/api/sales/notifications/settings").json()
    assert got == ALL_ON | {"new_lead": False, "extension_decision": False, "overdue_digest": False}


def test_the_form_needs_its_csrf_token(client_as):
    browser = client_as(Role.SALES)
    del browser.headers["X-CSRF-Token"]
    answer = browser.post("/dashboard/sales/notifications/settings", data={"new_lead": "on"})
    assert answer.status_code == 403
    assert browser.get("/api/sales/notifications/settings").json() == ALL_ON


def test_a_forged_checkbox_value_is_shown_next_to_its_field(client_as):
    browser = client_as(Role.SALES)
    answer = browser.post("/dashboard/sales/notifications/settings", data={"new_lead": "maybe", "callback_due": "on"})
    assert answer.status_code == 422
    assert 'data-testid="error-new_lead"' in answer.text and "Поставьте галочку" in answer.text
    assert browser.get("/api/sales/notifications/settings").json() == ALL_ON
