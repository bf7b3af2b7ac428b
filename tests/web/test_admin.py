"""Admin users and audit pages, and their JSON twins answering alike."""

from __future__ import annotations

import csv
import io
from datetime import UTC

from openpyxl import load_workbook

from app.auth.models import User
from app.auth.permissions import Role
from tests.factories import make_user


def test_users_list_html_and_json_twins_agree(client_as, db):
    make_user(db, Role.SALES, username="findme", full_name="Find Me")
    admin = client_as(Role.ADMIN)
    data = admin.get("/api/admin/users", params={"q": "findme"}).json()
    assert set(data) == {"items", "total", "page", "page_size"}
    assert [u["username"] for u in data["items"]] == ["findme"]
    assert "password_hash" not in data["items"][0]
    page = admin.get("/dashboard/admin/users", params={"q": "findme"})
    assert page.status_code == 200 and "Find Me" in page.text
    assert page.text.count('data-testid="user-row"') == 1


def test_users_list_htmx_gets_only_rows(client_as):
    admin = client_as(Role.ADMIN)
    fragment = admin.get("/dashboard/admin/users", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<tbody id="rows">')
    assert "<html" not in fragment.text


def test_users_filters_by_role_and_active(client_as, db):
    make_user(db, Role.DISPATCHER, username="disp-on")
    make_user(db, Role.DISPATCHER, username="disp-off", is_active=False)
    admin = client_as(Role.ADMIN)
    data = admin.get("/api/admin/users", params={"role": "dispatcher", "active": "false"}).json()
    assert [u["username"] for u in data["items"]] == ["disp-off"]
    html = admin.get("/dashboard/admin/users", params={"role": "dispatcher", "active": "", "q": ""}).text
    assert "disp-on" in html and "disp-off" in html


def test_create_user_through_form_and_see_errors(client_as, db):
    admin = client_as(Role.ADMIN)
    bad = admin.post(
        "/dashboard/admin/users",
        data={"username": "x", "password": "short", "role": "boss", "phone": "12", "csrf_token": admin.csrf},
    )
    assert bad.status_code == 422
    for field in ("username", "password", "role", "phone"):
        assert f'data-testid="error-{field}"' in bad.text
    assert 'value="x"' in bad.text  # what the user typed is kept
    good = admin.post(
        "/dashboard/admin/users",
        data={
            "username": "newseller",
            "password": "password-123",
            "role": "sales",
            "full_name": "Новый Продажник",
            "phone": "+998 90 765 43 21",
            "csrf_token": admin.csrf,
        },
    )
    assert good.status_code == 303
    created = db.query(User).filter_by(username="newseller").one()
    assert created.phone == "+998907654321"
    dup = admin.post(
        "/dashboard/admin/users",
        data={"username": "newseller", "password": "password-123", "role": "sales", "csrf_token": admin.csrf},
    )
    assert dup.status_code == 422 and 'data-testid="error-username"' in dup.text


def test_json_create_validates_and_conflicts(client_as):
    admin = client_as(Role.ADMIN)
    response = admin.post("/api/admin/users", json={"username": "ok-name", "password": "password-123", "role": "x"})
    assert response.status_code == 422
    assert any(d["loc"][-1] == "role" for d in response.json()["detail"])
    body = {"username": "twin", "password": "password-123", "role": "rop"}
    assert admin.post("/api/admin/users", json=body).status_code == 201
    conflict = admin.post("/api/admin/users", json=body)
    assert conflict.status_code == 409


def test_edit_deactivate_and_reset_through_pages(client_as, db):
    target = make_user(db, Role.SALES, username="editme")
    admin = client_as(Role.ADMIN)
    assert admin.get(f"/dashboard/admin/users/{target.id}").status_code == 200
    saved = admin.post(
        f"/dashboard/admin/users/{target.id}",
        data={"full_name": "Edited", "phone": "", "role": "mop", "language": "en", "csrf_token": admin.csrf},
    )
    assert saved.status_code == 303
    db.refresh(target)
    assert (target.full_name, target.role) == ("Edited", Role.MOP)
    row = admin.post(
        f"/dashboard/admin/users/{target.id}/active", data={"active": "false"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="user-{target.id}"')
    db.refresh(target)
    assert not target.is_active
    short = admin.post(
        f"/dashboard/admin/users/{target.id}/password", data={"password": "123", "csrf_token": admin.csrf}
    )
    assert short.status_code == 422 and 'data-testid="error-password"' in short.text
    assert admin.get("/dashboard/admin/users/424242").status_code == 404


def test_exports_csv_and_xlsx_follow_filters(client_as, db):
    make_user(db, Role.ROP, username="exported", full_name="=HYPERLINK(1)")
    admin = client_as(Role.ADMIN)
    response = admin.get("/dashboard/admin/users/export", params={"format": "csv", "q": "exported"})
    assert response.headers["content-disposition"].endswith('users.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "username"] and rows[1][1] == "exported"
    assert rows[1][2] == "'=HYPERLINK(1)"  # formulas are neutralised
    xlsx = admin.get("/api/admin/users/export", params={"format": "xlsx", "role": "rop", "q": "exported"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][1] == "exported"
    assert admin.get("/api/admin/users/export", params={"format": "pdf"}).status_code == 422


def test_audit_page_and_twin_show_user_changes(client_as, db):
    admin = client_as(Role.ADMIN)
    created = admin.post(
        "/api/admin/users", json={"username": "audited", "password": "password-123", "role": "finance"}
    ).json()
    data = admin.get("/api/admin/audit", params={"entity": "user", "entity_id": created["id"]}).json()
    assert data["total"] == 1
    entry = data["items"][0]
    assert entry["action"] == "create" and entry["after"]["username"] == "audited"
    assert entry["actor"]["username"].startswith("admin")
    page = admin.get("/dashboard/admin/audit", params={"entity": "user", "entity_id": created["id"]})
    assert page.text.count('data-testid="audit-row"') == 1
    assert admin.get("/dashboard/admin/audit/export", params={"entity": "user"}).status_code == 200
    assert admin.get("/api/admin/audit", params={"date_from": "not-a-date"}).status_code == 422


def test_home_shows_team_and_recent_actions(client_as, db):
    make_user(db, Role.SALES, full_name="Salesperson Visible")
    mop = client_as(Role.MOP)
    page = mop.get("/dashboard/mop/")
    assert "Salesperson Visible" in page.text
    data = mop.get("/api/mop/").json()
    assert data["counters"]["active_sales"] >= 1
    assert "changes_7d" not in data["counters"]  # only admins see everyone's activity


def test_audit_and_users_pages_run_a_fixed_number_of_queries(client_as, db, count_queries):
    from app.domain.audit.crud import audit

    admin = client_as(Role.ADMIN)
    actors = [make_user(db, Role.SALES) for _ in range(3)]

    def queries(path: str) -> int:
        with count_queries() as statements:
            assert admin.get(path).status_code == 200
        return len(statements)

    audit.record(db, actors[0], "user", 1, "update", {"a": 1}, {"a": 2})
    few_audit, few_users = queries("/dashboard/admin/audit"), queries("/dashboard/admin/users")
    for n in range(30):
        audit.record(db, actors[n % 3], "user", n, "update", {"a": n}, {"a": n + 1})
        make_user(db, Role.MOP)
    assert queries("/dashboard/admin/audit") == few_audit  # actors are joined, not loaded per row
    assert queries("/dashboard/admin/users") == few_users


def test_audit_times_are_shown_in_the_company_time_zone(client_as, db):
    from datetime import datetime

    from app.domain.audit.crud import audit

    admin = client_as(Role.ADMIN)
    entry = audit.record(db, None, "probe", "tz", "create")
    entry.at = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    db.flush()
    page = admin.get("/dashboard/admin/audit", params={"entity": "probe"})
    assert "02.03.2026, 01:30:00" in page.text  # Tashkent is UTC+5


def test_sales_home_counts_only_their_own_work(client_as, user_of, db):
    from datetime import timedelta

    from app.core import clock
    from tests.factories import make_lead

    seller = user_of(Role.SALES)
    make_lead(db, seller)
    make_lead(db, seller, next_callback_at=clock.now() - timedelta(hours=1))
    make_lead(db, make_user(db, Role.SALES))  # someone else's
    counters = client_as(Role.SALES).get("/api/sales/").json()["counters"]
    assert (counters["leads_new"], counters["callbacks_due"], counters["bookings_active"]) == (2, 1, 0)
    assert client_as(Role.MOP).get("/api/mop/").json()["counters"]["leads_new"] >= 3
    assert "leads_new" not in client_as(Role.DISPATCHER).get("/api/dispatcher/").json()["counters"]
