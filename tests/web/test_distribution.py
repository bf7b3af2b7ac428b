"""The distribution page and its JSON twin (GET/PUT /api/mop/distribution), the unassigned queue
(GET /api/mop/leads?assigned=none), and the reason of each automatic assignment in the lead's
history, in Russian, on the lead page and its JSON twin."""

from __future__ import annotations

from app.auth.permissions import Role
from app.domain.staff.attendance import attendance


def landing_request(client, phone: str, name: str = "Покупатель"):
    """A request from the public site's JSON form."""
    return client.post("/api/public/leads", json={"name": name, "phone": phone})


def test_json_twin_reads_and_changes_the_settings(client_as, user_of, db):
    seller = user_of(Role.SALES)
    mop = client_as(Role.MOP)
    data = mop.get("/api/mop/distribution").json()
    assert data["mode"] == "auto" and data["weights"] == {str(seller.id): 1}
    assert data["daily_cap"] == {str(seller.id): None}
    body = {"mode": "manual", "weights": {str(seller.id): 3}, "daily_cap": {str(seller.id): 10}}
    changed = mop.put("/api/mop/distribution", json=body).json()
    assert (changed["mode"], changed["weights"], changed["daily_cap"]) == (
        "manual",
        {str(seller.id): 3},
        {str(seller.id): 10},
    )
    bad = mop.put("/api/mop/distribution", json={"weights": {str(seller.id): 500}})
    assert bad.status_code == 422 and "weights" in bad.text
    stranger = mop.put("/api/mop/distribution", json={"daily_cap": {str(user_of(Role.MOP).id): 3}})
    assert stranger.status_code == 422
    assert stranger.json()["detail"][0]["loc"] == ["body", "daily_cap"]
    assert stranger.json()["detail"][0]["msg"].startswith("Это не активные продажники")
    assert client_as(Role.SALES).get("/api/sales/distribution").status_code == 404  # not mounted for sales
    assert client_as(Role.SALES).get("/api/mop/distribution").status_code == 403


def test_the_page_saves_mode_weights_and_caps_and_shows_errors_by_the_field(client_as, user_of, db):
    seller = user_of(Role.SALES)
    attendance.check_in(db, seller)
    mop = client_as(Role.MOP)
    page = mop.get("/dashboard/mop/distribution")
    assert page.status_code == 200 and "Автораспределение" in page.text and "На смене с" in page.text
    saved = mop.post(
        "/dashboard/mop/distribution",
        data={"mode": "auto", f"weight_{seller.id}": "2", f"cap_{seller.id}": "", "csrf_token": mop.csrf},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/dashboard/mop/distribution?saved=true"
    assert mop.get("/api/mop/distribution").json()["weights"] == {str(seller.id): 2}
    wrong = mop.post(
        "/dashboard/mop/distribution",
        data={"mode": "auto", f"weight_{seller.id}": "много", f"cap_{seller.id}": "-1", "csrf_token": mop.csrf},
    )
    assert wrong.status_code == 422
    assert (
        f'data-testid="error-weight_{seller.id}"' in wrong.text and f'data-testid="error-cap_{seller.id}"' in wrong.text
    )
    assert 'value="много"' in wrong.text
    assert mop.get("/api/mop/distribution").json()["weights"] == {str(seller.id): 2}  # nothing half-saved


def test_requests_wait_in_the_unassigned_queue_then_go_out_on_check_in(client, client_as, user_of, db):
    for n in range(2):
        assert landing_request(client, f"+99893777000{n}").status_code == 201
    mop = client_as(Role.MOP)
    queue = mop.get("/api/mop/leads", params={"assigned": "none"}).json()
    assert queue["total"] == 2 and all(item["assigned"] is None for item in queue["items"])
    assert mop.get("/api/mop/leads", params={"assigned": "someone"}).status_code == 422
    seller = client_as(Role.SALES)
    assert seller.post("/api/sales/attendance/check-in").status_code == 201
    assert mop.get("/api/mop/leads", params={"assigned": "none"}).json()["total"] == 0
    mine = seller.get("/api/sales/leads").json()
    assert mine["total"] == 2


def test_the_lead_page_says_why_the_lead_came_to_its_salesperson(client, client_as, user_of, db):
    attendance.check_in(db, user_of(Role.SALES))
    landing_request(client, "+998937770010", name="Рустам")
    seller = client_as(Role.SALES)
    lead = seller.get("/api/sales/leads").json()["items"][0]
    detail = seller.get(f"/api/sales/leads/{lead['id']}").json()
    assert [a["reason"] for a in detail["assignments"]] == ["turn"]
    landing_request(client, "+998937770010", name="Рустам")
    page = seller.get(f"/dashboard/sales/leads/{lead['id']}").text
    assert "Автоматически передан" in page and "по очереди" in page
    assert "повторное обращение: клиент остаётся у своего продажника" in page
    audit = client_as(Role.ADMIN).get("/dashboard/admin/audit", params={"action": "auto_assign"}).text
    assert "распределён автоматически" in audit and "по очереди" in audit


def test_manual_mode_keeps_the_queue_for_the_mop(client, client_as, user_of, db):
    attendance.check_in(db, user_of(Role.SALES))
    mop = client_as(Role.MOP)
    mop.put("/api/mop/distribution", json={"mode": "manual"})
    landing_request(client, "+998937770020")
    assert mop.get("/api/mop/leads", params={"assigned": "none"}).json()["total"] == 1
    mop.put("/api/mop/distribution", json={"mode": "auto"})
    assert mop.get("/api/mop/leads", params={"assigned": "none"}).json()["total"] == 0
