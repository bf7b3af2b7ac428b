"""The pipeline's JSON twins: manual leads and phone conflicts, transitions, row scope,
bookings with 201/409, extensions, contracts, assignment and merge."""

from __future__ import annotations

from app.auth.permissions import Role
from tests.factories import free_apartment, make_lead, make_user


def test_create_lead_201_existing_200_foreign_409(client_as, user_of, db):
    sales = client_as(Role.SALES)
    created = sales.post("/api/sales/leads", json={"name": "Покупатель", "phone": "+998 90 765 43 21"})
    assert created.status_code == 201 and created.json()["phone"] == "+998907654321"
    again = sales.post("/api/sales/leads", json={"name": "Покупатель", "phone": "907654321"})
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    other = make_user(db, Role.SALES, full_name="Другой Продажник")
    make_lead(db, other, phone="+998935551122")
    conflict = sales.post("/api/sales/leads", json={"name": "X", "phone": "93 555 11 22"})
    assert conflict.status_code == 409 and "Другой Продажник" not in conflict.text  # whose lead stays unsaid
    assert "Этот телефон уже есть у лида другого продажника." in conflict.text
    mop = client_as(Role.MOP).post("/api/mop/leads", json={"name": "X", "phone": "93 555 11 22"})
    assert mop.status_code == 200 and mop.json()["assigned"]["id"] == other.id  # the MOP still sees who
    bad = sales.post("/api/sales/leads", json={"name": "X", "phone": "12"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "phone"


def test_status_transitions_through_json(client_as, user_of, db):
    sales = client_as(Role.SALES)
    lead = make_lead(db, user_of(Role.SALES))
    assert sales.post(f"/api/sales/leads/{lead.id}/status", json={"status": "in_work"}).json()["status"] == "in_work"
    sold = sales.post(f"/api/sales/leads/{lead.id}/status", json={"status": "sold"})
    assert sold.status_code == 422 and sold.json()["detail"][0]["loc"] == ["body", "status"]
    lost = sales.post(f"/api/sales/leads/{lead.id}/status", json={"status": "lost"})
    assert lost.status_code == 422
    assert sales.post(f"/api/sales/leads/{lead.id}/comments", json={"text": "перезвонить"}).status_code == 201
    detail = sales.get(f"/api/sales/leads/{lead.id}").json()
    assert [c["text"] for c in detail["comments"]] == ["перезвонить"]
    assert [h["to_status"] for h in detail["history"]] == ["in_work"]


def test_row_scope_everywhere_in_json(client_as, db):
    sales = client_as(Role.SALES)
    theirs = make_lead(db, make_user(db, Role.SALES), name="Чужой")
    assert sales.get(f"/api/sales/leads/{theirs.id}").status_code == 404
    assert sales.post(f"/api/sales/leads/{theirs.id}/status", json={"status": "in_work"}).status_code == 404
    assert sales.post(f"/api/sales/leads/{theirs.id}/comments", json={"text": "x"}).status_code == 404
    assert sales.post(f"/api/sales/leads/{theirs.id}/edit", json={"temperature": "hot"}).status_code == 404
    board = sales.get("/api/sales/kanban").json()
    assert all(item["id"] != theirs.id for column in board for item in column["items"])
    apartment = free_apartment(db)
    booked = sales.post("/api/sales/bookings", json={"apartment_id": apartment.id, "lead_id": theirs.id})
    assert booked.status_code == 404
    assert sales.get("/api/sales/leads/export").text.count("Чужой") == 0


def test_booking_201_then_409_and_the_grid_shows_it(client_as, user_of, db):
    sales = client_as(Role.SALES)
    lead = make_lead(db, user_of(Role.SALES))
    apartment = free_apartment(db)
    first = sales.post("/api/sales/bookings", json={"apartment_id": apartment.id, "lead_id": lead.id, "hours": 5})
    assert first.status_code == 201
    body = first.json()
    assert {"id", "expires_at"} <= set(body) and body["status"] == "active"
    rival = client_as(Role.ADMIN)  # admin may book too, but the apartment is taken
    second = rival.post("/api/sales/bookings", json={"apartment_id": apartment.id, "lead_id": lead.id})
    assert second.status_code == 409 and "detail" in second.json()
    grid = sales.get(f"/api/sales/buildings/{apartment.building_id}/grid").json()
    statuses = {a["id"]: a["status"] for f in grid["floors"] for a in f["apartments"]}
    assert statuses[apartment.id] == "booked"
    assert (
        sales.post(
            "/api/sales/bookings", json={"apartment_id": apartment.id, "lead_id": lead.id, "hours": 0}
        ).status_code
        == 422
    )


def test_extension_asked_by_sales_decided_by_mop(client_as, user_of, db):
    sales, mop = client_as(Role.SALES), client_as(Role.MOP)
    lead = make_lead(db, user_of(Role.SALES))
    booking = sales.post(
        "/api/sales/bookings", json={"apartment_id": free_apartment(db).id, "lead_id": lead.id, "hours": 2}
    ).json()
    asked = sales.post(f"/api/sales/bookings/{booking['id']}/extension", json={"hours": 48, "reason": "ипотека"})
    assert asked.json()["extension_status"] == "pending"
    assert (
        sales.post(f"/api/sales/bookings/{booking['id']}/extension/decision", json={"approve": True}).status_code == 404
    )  # no such route for sales
    assert [b["id"] for b in mop.get("/api/mop/extensions").json()] == [booking["id"]]
    decided = mop.post(f"/api/mop/bookings/{booking['id']}/extension/decision", json={"approve": True}).json()
    assert decided["extension_status"] == "approved" and decided["expires_at"] > booking["expires_at"]


def test_contract_from_booking_through_json(client_as, user_of, db):
    sales = client_as(Role.SALES)
    lead = make_lead(db, user_of(Role.SALES))
    apartment = free_apartment(db, price_per_m2="1000")
    booking = sales.post("/api/sales/bookings", json={"apartment_id": apartment.id, "lead_id": lead.id}).json()
    body = {
        "booking_id": booking["id"],
        "buyer_full_name": "Каримов Азиз",
        "buyer_passport": "AB1234567",
        "buyer_phone": "+998901234567",
        "down_payment": "1000",
        "months": 6,
        "start_date": "2026-12-01",
    }
    made = sales.post("/api/sales/contracts", json=body)
    assert made.status_code == 201
    contract = made.json()
    assert len(contract["schedule"]) == 7 and contract["number"]
    assert sum(float(i["amount"]) for i in contract["schedule"]) == float(contract["total"])
    assert sales.get(f"/api/sales/contracts/{contract['id']}").status_code == 200
    assert client_as(Role.FINANCE).get(f"/api/finance/contracts/{contract['id']}").status_code == 200
    assert sales.post("/api/sales/contracts", json=body).status_code == 409  # the booking is converted
    lead_view = sales.get(f"/api/sales/leads/{lead.id}").json()
    assert lead_view["status"] == "sold" and lead_view["contracts"][0]["number"] == contract["number"]


def test_assignment_and_merge_by_mop(client_as, user_of, db):
    mop = client_as(Role.MOP)
    seller = user_of(Role.SALES)
    first, second = make_lead(db), make_lead(db)
    assigned = mop.post("/api/mop/leads/assign", json={"lead_ids": [first.id, second.id], "salesperson_id": seller.id})
    assert assigned.json() == {"changed": 2}
    mine = client_as(Role.SALES).get("/api/sales/leads").json()
    assert {x["id"] for x in mine["items"]} >= {first.id, second.id}
    merged = mop.post("/api/mop/leads/merge", json={"keep_id": first.id, "merge_id": second.id})
    assert merged.status_code == 200 and merged.json()["touches_count"] == 2
    assert mop.get(f"/api/mop/leads/{second.id}").status_code == 404
    assert (
        client_as(Role.SALES)
        .post("/api/sales/leads/assign", json={"lead_ids": [first.id], "salesperson_id": seller.id})
        .status_code
        == 404
    )


def test_contract_exports_follow_row_scope(client_as, user_of, db):
    import csv
    import io

    sales = client_as(Role.SALES)
    lead = make_lead(db, user_of(Role.SALES))
    booking = sales.post("/api/sales/bookings", json={"apartment_id": free_apartment(db).id, "lead_id": lead.id}).json()
    sales.post(
        "/api/sales/contracts",
        json={
            "booking_id": booking["id"],
            "buyer_full_name": "Каримов Азиз",
            "buyer_passport": "AB1234567",
            "buyer_phone": "+998901234567",
            "down_payment": "0",
            "months": 3,
            "start_date": "2026-12-01",
        },
    )
    rows = list(csv.reader(io.StringIO(sales.get("/dashboard/sales/contracts/export").content.decode("utf-8-sig"))))
    assert rows[0][0] == "number" and rows[1][3] == "Каримов Азиз"
    other = client_as(Role.ADMIN).get("/api/admin/contracts/export", params={"format": "xlsx"})
    assert other.status_code == 200 and other.headers["content-disposition"].endswith('contracts.xlsx"')
    stranger = make_user(db, Role.SALES)
    from app.auth.service import session_token

    other_sales = type(sales)(sales.app)
    other_sales.cookies.set("crm_session", session_token(sales.app.state.settings, stranger))
    assert len(other_sales.get("/api/sales/contracts/export").content.decode("utf-8-sig").splitlines()) == 1
