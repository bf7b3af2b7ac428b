"""Exports keep phones as they are and neutralise only what a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.auth.permissions import Role
from app.web.export import looks_like_formula
from tests.factories import make_lead

PHONE = "+998901234567"
FORMULAS = ['=HYPERLINK("http://x")', "@SUM(A1)", "-cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", [PHONE, "+1", "-5", "-12.50", "-", "Азиз", "", "5+5", "a=b"])
def test_values_that_are_no_formulas_stay_as_they_are(text):
    assert not looks_like_formula(text)


@pytest.mark.parametrize("text", [*FORMULAS, "+998 90 123", "+9989+1", "-1+2", "-A1", "=1"])
def test_formula_like_values_are_recognised(text):
    assert looks_like_formula(text)


def exported_leads(client, fmt: str) -> dict[str, str]:
    """name -> phone as the sales leads export gives them."""
    answer = client.get("/api/sales/leads/export", params={"format": fmt})
    assert answer.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(answer.content)).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    name, phone = header.index("name"), header.index("phone")
    return {row[name]: row[phone] for row in rows[1:]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_phones_are_exported_without_an_apostrophe_and_formulas_with_one(fmt, client_as, user_of, db):
    seller = user_of(Role.SALES)
    make_lead(db, seller, name="Азиз Каримов", phone=PHONE)
    for number, text in enumerate(FORMULAS):
        make_lead(db, seller, name=text, phone=f"+99893000000{number}")
    exported = exported_leads(client_as(Role.SALES), fmt)
    assert exported["Азиз Каримов"] == PHONE
    for text in FORMULAS:
        kept = text.replace("\r", "\n") if fmt == "xlsx" else text  # XML reads a CR back as a line feed
        assert "'" + kept in exported, text
    assert all(not phone.startswith("'") for phone in exported.values())
