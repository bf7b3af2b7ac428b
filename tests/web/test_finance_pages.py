"""Finance pages: every page for finance and admin (403 for sales), recording a payment through
the statement's form (shrinking the statement and the debts list; errors next to the fields,
nothing saved), a foreign-currency payment without a rate, cancelling, the receipt, rates,
exports that follow the filters, and a fixed number of queries on the debts page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.finance.crud import payments
from app.domain.finance.models import Payment
from app.domain.finance.schemas import PaymentCreate
from tests.factories import make_contract, make_user

D = Decimal
OVERDUE_START = date(2025, 1, 10)  # every instalment of a short schedule from here is long overdue


def overdue_contract(db, months: int = 4, currency: str = "UZS"):
    """A contract of 6 000 (60 m² x 100) in `months` equal instalments, all overdue."""
    return make_contract(db, price_per_m2="100", months=months, start=OVERDUE_START, currency=currency)


def pay(db, contract, amount: str, day: date = date(2026, 1, 15)) -> Payment:
    """A payment recorded straight through the domain by a financier."""
    data = PaymentCreate(contract_id=contract.id, amount=D(amount), paid_at=day, method="cash")
    return payments.record(db, make_user(db, Role.FINANCE), data)[0]


def payment_form(contract, csrf: str, **fields) -> dict:
    """A filled "Record payment" form."""
    values = {
        "contract_id": str(contract.id),
        "amount": "1500",
        "paid_at": "2026-01-15",
        "method": "transfer",
        "type": "installment",
        "currency": contract.currency.value,
        "rate": "",
        "note": "",
        "idempotency_key": f"test-{contract.id}-{fields.get('amount', '1500')}",
        "csrf_token": csrf,
    }
    return {**values, **fields}


def value_of(html: str, testid: str, row: str | None = None) -> Decimal:
    """The data-value of the element with `testid` (inside the row marked data-contract=`row`)."""
    if row is not None:
        html = row_of(html, row)
    match = re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html)
    assert match, f"no {testid} on the page"
    return D(match.group(1))


def row_of(html: str, contract_id: str | int) -> str:
    """The <tr> of a contract in a list."""
    match = re.search(rf'<tr data-testid="(?:debt|balance)-row" data-contract="{contract_id}".*?</tr>', html, re.S)
    assert match, f"contract {contract_id} is not in the list"
    return match.group(0)


def payments_of(db, contract) -> int:
    return db.scalar(select(func.count()).select_from(Payment).where(Payment.contract_id == contract.id))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def in_english(client_as, user_of):
    """A financier's browser speaking English (the messages checked here are the msgids)."""
    user_of(Role.FINANCE).language = "en"
    browser = client_as(Role.FINANCE)
    browser.cookies.set("crm_lang", "en")
    return browser


def finance_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route under /dashboard/finance."""
    found = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path or ""
        if isinstance(route, APIRoute) and path.startswith("/dashboard/finance"):
            found += [(method, re.sub(r":\w+}", "}", path)) for method in sorted(route.methods - {"HEAD"})]
    return found


# --- pages and access --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_every_finance_page_renders_for_finance_and_admin(role, client_as, db):
    contract = overdue_contract(db)
    payment = pay(db, contract, "1000")
    browser = client_as(role)
    pages = [
        "/balances",
        "/debts",
        "/debts?currency=USD&bucket=90%2B",
        "/cashflow",
        "/rates",
        "/payments",
        f"/payments?contract={contract.number}",
        f"/contracts/{contract.id}/statement",
        f"/payments/{payment.id}/receipt",
    ]
    for path in pages:
        response = browser.get(f"/dashboard/finance{path}")
        assert response.status_code == 200, (path, response.text[:300])
        assert "<html" in response.text
    statement = browser.get(f"/dashboard/finance/contracts/{contract.id}/statement").text
    assert contract.number in statement and "Каримов Азиз" in statement
    assert statement.count('data-testid="instalment-row"') == 4
    assert statement.count('data-overdue="true"') == 4  # every instalment is overdue and marked
    assert 'name="paid_at" type="date" value="' in statement and 'data-testid="record-form"' in statement


def test_sales_gets_403_on_every_finance_page(app, client_as, db):
    contract = overdue_contract(db)
    payment = pay(db, contract, "1000")
    sales = client_as(Role.SALES)
    routes = finance_routes(app)
    assert {path for _, path in routes} >= {
        "/dashboard/finance/balances",
        "/dashboard/finance/balances/export",
        "/dashboard/finance/debts",
        "/dashboard/finance/debts/export",
        "/dashboard/finance/cashflow",
        "/dashboard/finance/cashflow/export",
        "/dashboard/finance/rates",
        "/dashboard/finance/payments",
        "/dashboard/finance/payments/export",
        "/dashboard/finance/contracts/{contract_id}/statement",
        "/dashboard/finance/payments/{payment_id}/receipt",
        "/dashboard/finance/payments/{payment_id}/cancel",
    }
    for method, path in routes:
        url = path.replace("{contract_id}", str(contract.id)).replace("{payment_id}", str(payment.id))
        url = re.sub(r"\{[^}]+\}", "1", url)
        if method == "GET":
            response = sales.get(url)
        else:
            response = sales.request(method, url, data=payment_form(contract, sales.csrf))
        assert response.status_code == 403, (method, url, response.status_code)
    assert payments_of(db, contract) == 1


# --- recording, errors, cancelling -------------------------------------------------------


def test_recording_a_payment_shrinks_the_statement_and_the_debt(client_as, db):
    contract = overdue_contract(db)
    finance = client_as(Role.FINANCE)
    statement_url = f"/dashboard/finance/contracts/{contract.id}/statement"
    before = finance.get(statement_url).text
    assert value_of(before, "remaining") == D(6000) and value_of(before, "overdue") == D(6000)
    debts_before = finance.get("/dashboard/finance/debts").text
    assert value_of(debts_before, "overdue", contract.id) == D(6000)

    response = finance.post("/dashboard/finance/payments", data=payment_form(contract, finance.csrf, amount="1 500"))
    assert response.status_code == 303
    payment_id = db.scalar(select(Payment.id).where(Payment.contract_id == contract.id))
    assert response.headers["location"] == f"{statement_url}?paid={payment_id}"
    after = finance.get(response.headers["location"]).text
    assert value_of(after, "remaining") == D(4500) and value_of(after, "overdue") == D(4500)
    assert 'data-testid="saved"' in after and f"/payments/{payment_id}/receipt" in after
    assert after.count('data-overdue="true"') == 3  # the first instalment is paid off
    assert value_of(finance.get("/dashboard/finance/debts").text, "overdue", contract.id) == D(4500)

    retry = finance.post("/dashboard/finance/payments", data=payment_form(contract, finance.csrf, amount="1 500"))
    assert retry.status_code == 303 and payments_of(db, contract) == 1  # a double submit pays once

    finance.post(
        "/dashboard/finance/payments", data=payment_form(contract, finance.csrf, amount="4500", idempotency_key="rest")
    )
    debts = finance.get("/dashboard/finance/debts").text
    assert f'data-contract="{contract.id}"' not in debts  # paid off: no longer a debt


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter a number."),
        ("-5", "Must be greater than 0."),
        ("0", "Must be greater than 0."),
        ("", "This field is required."),
    ],
)
def test_a_bad_amount_shows_the_error_and_saves_nothing(amount, message, client_as, user_of, db):
    contract = overdue_contract(db)
    finance = in_english(client_as, user_of)
    response = finance.post(
        "/dashboard/finance/payments", data=payment_form(contract, finance.csrf, amount=amount, note="kept")
    )
    assert response.status_code == 422
    error = re.search(r'data-testid="error-amount">([^<]+)<', response.text)
    assert error and error.group(1) == message
    assert 'value="kept"' in response.text  # the other values come back
    assert payments_of(db, contract) == 0
    assert value_of(response.text, "remaining") == D(6000)


def test_a_foreign_currency_payment_without_a_rate_asks_for_the_rate(client_as, user_of, db):
    contract = overdue_contract(db)
    finance = in_english(client_as, user_of)
    page = finance.get(f"/dashboard/finance/contracts/{contract.id}/statement").text
    assert re.search(r'data-testid="rate-field"\s+hidden', page)  # same currency: no rate asked
    response = finance.post(
        "/dashboard/finance/payments", data=payment_form(contract, finance.csrf, amount="1", currency="USD")
    )
    assert response.status_code == 422
    assert "No exchange rate for 2026-01-15" in re.search(r'data-testid="error-rate">([^<]+)<', response.text).group(1)
    assert not re.search(r'data-testid="rate-field"\s+hidden', response.text)
    assert payments_of(db, contract) == 0
    done = finance.post(
        "/dashboard/finance/payments",
        data=payment_form(contract, finance.csrf, amount="0.1", currency="USD", rate="12 700"),
    )
    assert done.status_code == 303
    statement = finance.get(done.headers["location"]).text
    assert value_of(statement, "paid") == D(1270) and "at 12,700" in statement


def test_cancelling_through_the_form_restores_the_debt(client_as, user_of, db):
    contract = overdue_contract(db)
    payment = pay(db, contract, "3000")
    finance = in_english(client_as, user_of)
    assert value_of(finance.get("/dashboard/finance/debts").text, "overdue", contract.id) == D(3000)
    short = finance.post(
        f"/dashboard/finance/payments/{payment.id}/cancel", data={"reason": "  x ", "csrf_token": finance.csrf}
    )
    assert short.status_code == 422 and 'data-testid="error-reason"' in short.text
    assert '<details class="cancel-payment" open>' in short.text
    done = finance.post(
        f"/dashboard/finance/payments/{payment.id}/cancel",
        data={"reason": "bounced transfer", "csrf_token": finance.csrf},
    )
    assert done.status_code == 303 and done.headers["location"].endswith(f"?cancelled={payment.id}")
    statement = finance.get(done.headers["location"]).text
    assert value_of(statement, "remaining") == D(6000) and "bounced transfer" in statement
    assert value_of(finance.get("/dashboard/finance/debts").text, "overdue", contract.id) == D(6000)
    again = finance.post(
        f"/dashboard/finance/payments/{payment.id}/cancel", data={"reason": "twice over", "csrf_token": finance.csrf}
    )
    assert again.status_code == 422 and "already cancelled" in again.text and 'data-testid="cancel-error"' in again.text


def test_the_receipt_shows_the_amount_and_the_debt_left_after_it(client_as, db):
    contract = overdue_contract(db)
    first = pay(db, contract, "1500", day=date(2026, 1, 10))
    second = pay(db, contract, "1000", day=date(2026, 2, 10))
    finance = client_as(Role.FINANCE)

    def receipt(payment) -> tuple[str, str, str]:
        html = finance.get(f"/dashboard/finance/payments/{payment.id}/receipt").text
        assert 'class="sidenav"' not in html and "@media print" not in html  # no navigation; print CSS linked
        return tuple(
            re.search(rf'data-testid="{name}">([^<]+)<', html).group(1)
            for name in ("receipt-amount", "receipt-remaining", "contract-number")
        )

    assert receipt(first)[:2] == ("1\u00a0500\u00a0сум", "4\u00a0500\u00a0сум")
    assert receipt(second)[:2] == ("1\u00a0000\u00a0сум", "3\u00a0500\u00a0сум")
    assert contract.number in receipt(first)[2]
    assert finance.get("/dashboard/finance/payments/999999/receipt").status_code == 404


# --- rates, payments list, cash flow -----------------------------------------------------


def test_rates_form_saves_and_shows_errors(client_as, user_of, db):
    finance = in_english(client_as, user_of)
    bad = finance.post(
        "/dashboard/finance/rates", data={"day": "2026-03-01", "uzs_per_usd": "0", "csrf_token": finance.csrf}
    )
    assert bad.status_code == 422 and 'data-testid="error-uzs_per_usd"' in bad.text
    done = finance.post(
        "/dashboard/finance/rates", data={"day": "2026-03-01", "uzs_per_usd": "12 800,5", "csrf_token": finance.csrf}
    )
    assert done.status_code == 303
    page = finance.get(done.headers["location"]).text
    assert 'data-day="2026-03-01"' in page and "12,800.5" in page and 'data-testid="saved"' in page


def test_payments_list_filters_by_contract_status_and_dates(client_as, db):
    mine, other = overdue_contract(db), overdue_contract(db)
    kept = pay(db, mine, "100", day=date(2026, 3, 1))
    pay(db, other, "200", day=date(2026, 3, 2))
    dropped = pay(db, mine, "300", day=date(2026, 4, 1))
    payments.cancel(db, make_user(db, Role.FINANCE), dropped.id, "wrong contract")
    finance = client_as(Role.FINANCE)

    def ids(**params) -> list[int]:
        html = finance.get("/dashboard/finance/payments", params=params).text
        return [int(i) for i in re.findall(r'data-testid="payment-row" data-payment="(\d+)"', html)]

    assert set(ids(contract=mine.number)) == {kept.id, dropped.id}
    assert ids(contract=mine.number, status="cancelled") == [dropped.id]
    assert ids(contract=mine.number, date_to="2026-03-31") == [kept.id]
    assert ids(contract="no-such-contract") == []
    fragment = finance.get(
        "/dashboard/finance/payments", params={"status": "completed"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'data-testid="payment-row"' in fragment.text


def test_cashflow_page_draws_the_chart_and_refuses_a_backwards_period(client_as, user_of, db):
    contract = overdue_contract(db, months=3)  # 2 000 due on 10.02, 10.03 and 10.04.2025
    pay(db, contract, "2000", day=date(2025, 2, 12))
    finance = in_english(client_as, user_of)
    page = finance.get("/dashboard/finance/cashflow", params={"date_from": "2025-01-01", "date_to": "2025-04-30"})
    assert page.status_code == 200
    assert page.text.count('data-testid="month-row"') == 4
    assert page.text.count('data-testid="bar-plan"') == 4 and page.text.count('data-testid="bar-fact"') == 4
    assert "<title>Feb 2025 · Fact: 2,000\u00a0sum</title>" in page.text
    assert "this year" not in page.text
    default = finance.get("/dashboard/finance/cashflow").text
    assert default.count('data-testid="month-row"') == 12
    backwards = finance.get("/dashboard/finance/cashflow", params={"date_from": "2025-05-01", "date_to": "2025-01-01"})
    assert backwards.status_code == 422 and 'data-testid="error-date_to"' in backwards.text
    assert finance.get("/dashboard/finance/cashflow", params={"date_from": "soon"}).status_code == 422


# --- exports -----------------------------------------------------------------------------


def test_exports_follow_the_filters(client_as, db):
    first, second = overdue_contract(db), overdue_contract(db)
    recent = make_contract(db, price_per_m2="100", months=4, start=date(2099, 1, 1))  # nothing due yet
    pay(db, first, "1000", day=date(2025, 2, 1))
    pay(db, second, "700", day=date(2025, 3, 1))
    finance = client_as(Role.FINANCE)

    balances = csv_rows(finance.get("/dashboard/finance/balances/export", params={"q": first.number}))
    assert balances[0][:3] == ["number", "buyer", "currency"] and [r[0] for r in balances[1:]] == [first.number]
    assert balances[1][4:6] == ["1000.00", "5000.00"]
    every = xlsx_rows(finance.get("/dashboard/finance/balances/export", params={"format": "xlsx"}))
    assert {first.number, second.number, recent.number} <= {r[0] for r in every[1:]}

    debts = csv_rows(finance.get("/dashboard/finance/debts/export", params={"bucket": "90+"}))
    numbers = {r[0] for r in debts[1:]}
    assert {first.number, second.number} <= numbers and recent.number not in numbers
    fresh = csv_rows(finance.get("/dashboard/finance/debts/export", params={"bucket": "1-30"}))
    assert not {first.number, second.number} & {r[0] for r in fresh[1:]}
    one_building = xlsx_rows(
        finance.get(
            "/dashboard/finance/debts/export", params={"format": "xlsx", "building_id": _building_of(db, first)}
        )
    )
    assert [r[0] for r in one_building[1:]] == [first.number]

    paid = csv_rows(finance.get("/dashboard/finance/payments/export", params={"contract": second.number}))
    assert [(r[2], r[4]) for r in paid[1:]] == [(second.number, "700.00")]
    march = xlsx_rows(
        finance.get(
            "/dashboard/finance/payments/export",
            params={"format": "xlsx", "date_from": "2025-03-01", "date_to": "2025-03-31"},
        )
    )
    assert [r[2] for r in march[1:]] == [second.number]

    flow = csv_rows(
        finance.get(
            "/dashboard/finance/cashflow/export",
            params={"date_from": "2025-02-01", "date_to": "2025-03-31", "currency": "UZS"},
        )
    )
    assert [r[0] for r in flow[1:]] == ["2025-02", "2025-03", "total"]
    assert flow[1][3] == "1000.00" and flow[2][3] == "700.00"
    flow_xlsx = xlsx_rows(
        finance.get(
            "/dashboard/finance/cashflow/export",
            params={"date_from": "2025-01-01", "date_to": "2025-06-30", "format": "xlsx"},
        )
    )
    assert len(flow_xlsx) == 1 + 6 + 1
    assert (
        finance.get(
            "/dashboard/finance/cashflow/export", params={"date_from": "2025-05-01", "date_to": "2025-01-01"}
        ).status_code
        == 422
    )


def _building_of(db, contract) -> int:
    from app.domain.inventory.models import Apartment

    return db.scalar(select(Apartment.building_id).where(Apartment.id == contract.apartment_id))


# --- query count -------------------------------------------------------------------------


def test_debts_page_queries_do_not_grow_with_the_debts(client_as, db, count_queries):
    finance = client_as(Role.FINANCE)

    def queries() -> int:
        with count_queries() as statements:
            response = finance.get("/dashboard/finance/debts")
            assert response.status_code == 200
        return len(statements)

    for _ in range(2):
        pay(db, overdue_contract(db), "100")
    few = queries()
    for _ in range(5):
        pay(db, overdue_contract(db), "100")
    assert queries() == few


def test_input_a_person_can_type_never_breaks_a_page(client_as, db):
    contract = overdue_contract(db)
    finance = client_as(Role.FINANCE)
    for path, status in (
        ("/debts?bucket=17-18", 422),
        ("/payments?date_from=someday", 422),
        ("/balances?page=0", 422),
        ("/contracts/999999/statement", 404),
        ("/payments/999999/receipt", 404),
        ("/cashflow?currency=EUR", 422),
        ("/cashflow?date_from=2020-01-01&date_to=2035-01-01", 422),
        ("/balances/export?format=pdf", 422),
    ):
        assert finance.get(f"/dashboard/finance{path}").status_code == status, path
    for contract_id in ("", "abc", "0"):
        response = finance.post(
            "/dashboard/finance/payments", data=payment_form(contract, finance.csrf, contract_id=contract_id)
        )
        assert response.status_code == 422
    missing = finance.post(
        "/dashboard/finance/payments", data=payment_form(contract, finance.csrf, contract_id="999999")
    )
    assert missing.status_code == 404
    odd = finance.post(
        "/dashboard/finance/payments",
        data=payment_form(contract, finance.csrf, method="barter", paid_at="31.02.2026", rate="x"),
    )
    assert odd.status_code == 422 and all(f'data-testid="error-{name}"' in odd.text for name in ("method", "paid_at"))
    assert payments_of(db, contract) == 0
