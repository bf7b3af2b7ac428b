"""Payments from a file: recorded through the finance CRUD (the balance moves as on the finance
page), each kind of rejection, and idempotency by natural key or external id."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.audit.models import AuditEntry
from app.domain.contracts.crud import contracts
from app.domain.finance.models import Payment
from tests.factories import make_contract

API = "/api/admin/imports"
HEADER = "Номер договора;Дата;Сумма;Способ оплаты"


def post_csv(client, lines: list[str], name: str = "payments.csv"):
    """Upload a payments CSV through the JSON twin; the import's state."""
    content = "\n".join(lines).encode()
    created = client.post(API, data={"kind": "payments"}, files={"file": (name, content, "text/csv")})
    assert created.status_code == 201, created.text
    return client.get(f"{API}/{created.json()['id']}").json()


def rejects(client, import_id: int) -> dict[int, tuple[str, str]]:
    """{line: (field, reason)} of the rejected rows."""
    items = client.get(f"{API}/{import_id}/rows", params={"outcome": "reject", "page_size": 200}).json()["items"]
    return {r["line"]: (r["field"], r["reason"]) for r in items}


def test_payments_are_recorded_like_on_the_finance_page_and_each_bad_row_is_rejected(client_as, db, user_of):
    contract = make_contract(db, price_per_m2="100", months=4)
    cancelled = make_contract(db, price_per_m2="100", months=4)
    contracts.cancel(db, user_of(Role.ADMIN), cancelled.id, "Клиент отказался")
    db.commit()
    admin, finance = client_as(Role.ADMIN), client_as(Role.FINANCE)
    before = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    lines = [
        HEADER,
        f"{contract.number};15.01.2026;1 500 сум;наличные",  # 2: good
        "НЕТ-999;15.01.2026;100;наличные",  # 3: unknown contract
        f"{cancelled.number};15.01.2026;100;карта",  # 4: cancelled contract
        f"{contract.number};15.01.2026;много;карта",  # 5: not a number
        f"{contract.number};16.01.2026;0;карта",  # 6: zero
        f"{contract.number};17.01.2026;-5;карта",  # 7: negative
        f"{contract.number};01.01.1999;100;карта",  # 8: before the company existed
        f"{contract.number};01.01.2099;100;карта",  # 9: in the future
        f"{contract.number};18.01.2026;100;бартер",  # 10: unknown method
        f"{contract.number};15.01.2026;1500;наличные",  # 11: the same payment as row 2
    ]
    job = post_csv(admin, lines)
    assert job["status"] == "preview" and job["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 9}
    assert job["mapping"] == {
        "contract": "Номер договора",
        "date": "Дата",
        "amount": "Сумма",
        "method": "Способ оплаты",
    }
    assert db.scalar(select(func.count()).select_from(Payment)) == 0  # a preview records nothing
    found = rejects(admin, job["id"])
    assert {line: field for line, (field, _) in found.items()} == {
        3: "contract",
        4: "contract",
        5: "amount",
        6: "amount",
        7: "amount",
        8: "date",
        9: "date",
        10: "method",
        11: "contract",
    }
    assert found[3][1] == "Неизвестный договор." and found[4][1] == "Договор расторгнут."
    assert found[6][1] == found[7][1] == "Сумма должна быть больше нуля."
    assert found[8][1] == "Дата раньше основания компании." and found[9][1] == "Дата в будущем."
    assert found[11][1] == "Этот платёж уже есть в одной из строк выше."
    applied = admin.post(f"{API}/{job['id']}/apply").json()
    assert applied["status"] == "done" and applied["counts"]["create"] == 1
    after = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert before["paid"] == "0.00" and after["paid"] == "1500.00"
    assert after["schedule"][0]["paid"] == "1500.00"
    assert [p["method"] for p in after["payments"]] == ["cash"]
    audits = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "payment")).all()
    assert sorted(audits) == ["create", "import"]
    again = post_csv(admin, lines)
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 1, "reject": 9}
    assert admin.post(f"{API}/{again['id']}/apply").json()["counts"]["create"] == 0
    assert db.scalar(select(func.count()).select_from(Payment)) == 1


def test_a_payment_entered_on_the_finance_page_is_not_imported_twice_and_external_ids_key_payments(client_as, db):
    contract = make_contract(db, price_per_m2="100", months=4)
    db.commit()
    admin, finance = client_as(Role.ADMIN), client_as(Role.FINANCE)
    body = {"contract_id": contract.id, "amount": "700", "paid_at": "2026-02-01", "method": "transfer"}
    assert finance.post("/api/finance/payments", json=body).status_code == 201
    lines = [
        "Contract number,Date,Amount,Payment method,External id",
        f"{contract.number},2026-02-01,700,Перечисление,",  # the one entered by hand
        f"{contract.number},46054,300,card,TX-1",  # a Sheets-style serial date: 01.02.2026
        f"{contract.number},2026-02-02,300,card,TX-1",  # the same external id again
    ]
    job = post_csv(admin, lines, name="bank.csv")
    assert job["counts"] == {"create": 1, "update": 0, "unchanged": 1, "reject": 1}
    admin.post(f"{API}/{job['id']}/apply")
    changed = [lines[0], f"{contract.number},2026-02-03,300,card,TX-1"]  # TX-1 already is another payment
    second = post_csv(admin, changed, name="bank.csv")
    assert second["counts"]["reject"] == 1
    assert rejects(admin, second["id"])[2] == ("external_id", "Этот внешний id уже у другого платежа.")
    statement = finance.get(f"/api/finance/contracts/{contract.id}/statement").json()
    assert statement["paid"] == "1000.00" and len(statement["payments"]) == 2


def test_payment_headers_are_recognised_in_uzbek_too():
    from app.domain.imports.mapping import suggest
    from app.domain.imports.models import ImportKind

    headers = ["Shartnoma raqami", "Sana", "Summa", "To'lov usuli", "Tranzaksiya"]
    assert suggest(ImportKind.PAYMENTS, headers) == {
        "contract": "Shartnoma raqami",
        "date": "Sana",
        "amount": "Summa",
        "method": "To'lov usuli",
        "external_id": "Tranzaksiya",
    }
