"""Easy passwords are refused wherever a password is set: creating a user, an admin's reset,
a user's own change (HTML with the Russian message next to the field, and JSON)."""

from __future__ import annotations

import re

from app.auth.passwords import is_common
from app.auth.permissions import Role
from tests.conftest import csrf_from, login
from tests.factories import PASSWORD, make_user

TOO_COMMON = "Этот пароль слишком распространён"
SAME_AS_LOGIN = "Пароль не должен совпадать с логином."


def password_error(html: str) -> str:
    match = re.search(r'data-testid="error-password">([^<]+)<', html)
    assert match, "no error next to the password field"
    return match.group(1)


def test_the_list_knows_the_usual_suspects():
    assert all(is_common(p) for p in ("password1", "Qwerty123", "12345678", "iloveyou"))
    assert not is_common(PASSWORD)


def test_creating_a_user_refuses_common_passwords_and_the_username(client_as):
    admin = client_as(Role.ADMIN)
    form = {"username": "ivanov", "full_name": "Иванов", "role": "sales", "csrf_token": admin.csrf}
    common = admin.post("/dashboard/admin/users", data={**form, "password": "Password1"})
    assert common.status_code == 422 and TOO_COMMON in password_error(common.text)
    same = admin.post("/dashboard/admin/users", data={**form, "username": "ivanov1985", "password": "IVANOV1985"})
    assert same.status_code == 422 and password_error(same.text) == SAME_AS_LOGIN
    api = admin.post("/api/admin/users", json={"username": "petrov", "role": "mop", "password": "qwerty123"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "password"
    assert admin.post("/dashboard/admin/users", data={**form, "password": "Tashkent-Sunrise-7"}).status_code == 303


def test_an_admin_reset_refuses_easy_passwords(client_as, db):
    admin = client_as(Role.ADMIN)
    seller = make_user(db, Role.SALES, username="seller2026")
    url = f"/dashboard/admin/users/{seller.id}/password"
    common = admin.post(url, data={"password": "iloveyou", "csrf_token": admin.csrf})
    assert common.status_code == 422 and TOO_COMMON in password_error(common.text)
    same = admin.post(url, data={"password": "seller2026", "csrf_token": admin.csrf})
    assert same.status_code == 422 and password_error(same.text) == SAME_AS_LOGIN
    api = admin.post(f"/api/admin/users/{seller.id}/password", json={"password": "seller2026"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "password"


def test_changing_ones_own_password_refuses_easy_passwords(client, db):
    make_user(db, Role.SALES, username="seller2026")
    login(client, "seller2026")
    token = csrf_from(client, "/profile")
    for password, message in (("1q2w3e4r5t", TOO_COMMON), ("Seller2026", SAME_AS_LOGIN)):
        body = {"current_password": PASSWORD, "password": password, "csrf_token": token}
        response = client.post("/profile/password", data=body)
        assert response.status_code == 422 and message in password_error(response.text)
    headers = {"X-CSRF-Token": token}
    api = client.post(
        "/api/profile/password", json={"current_password": PASSWORD, "password": "password1"}, headers=headers
    )
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "password"
