"""app.web.format: money, numbers, percents, dates, times and months in Russian and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.domain.inventory.models import Currency
from app.web import format as fmt
from app.web.i18n import current_language

NB = "\u00a0"  # Babel's group separator in Russian, and the space before a currency word


@pytest.fixture
def ru():
    token = current_language.set("ru")
    yield
    current_language.reset(token)


@pytest.fixture
def en():
    token = current_language.set("en")
    yield
    current_language.reset(token)


def test_money_in_russian(ru):
    assert fmt.money(Decimal("209057520"), "UZS") == f"209{NB}057{NB}520{NB}сум"
    assert fmt.money(Decimal("209057520.00"), Currency.UZS) == f"209{NB}057{NB}520{NB}сум"  # a whole sum: no decimals
    assert fmt.money(Decimal("12939.5"), "UZS") == f"12{NB}939,50{NB}сум"  # never rounded away
    assert fmt.money(Decimal("1234.5"), "USD") == f"1{NB}234,50{NB}$"
    assert fmt.money(Decimal("1234"), Currency.USD) == f"1{NB}234,00{NB}$"  # USD always shows cents
    assert fmt.money(Decimal("0.01"), "USD") == f"0,01{NB}$"
    assert fmt.money(Decimal("-5000"), "UZS") == f"-5{NB}000{NB}сум"
    assert fmt.money(Decimal("-1234.5"), "USD") == f"-1{NB}234,50{NB}$"
    assert fmt.money(0, "UZS") == f"0{NB}сум"
    assert fmt.money(Decimal("-0.00"), "USD") == f"0,00{NB}$"  # no "-0"
    assert fmt.money(Decimal("1.005"), "USD") == f"1,005{NB}$"  # an odd stored sum is shown exactly
    assert fmt.money(Decimal("1234.5"), "USD", symbol=False) == f"1{NB}234,50"
    assert fmt.money(None, "UZS") == ""


def test_money_in_english(en):
    assert fmt.money(Decimal("209057520"), "UZS") == f"209,057,520{NB}sum"
    assert fmt.money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert fmt.money(Decimal("-1234.5"), "USD") == "-$1,234.50"
    assert fmt.money(Decimal("-5000"), "UZS") == f"-5,000{NB}sum"
    assert fmt.money(0, "USD") == "$0.00"
    assert fmt.money(Decimal("999999999999.99"), "USD") == "$999,999,999,999.99"
    assert fmt.money(None, "USD") == ""


def test_numbers_and_percents(ru):
    assert fmt.number(Decimal("12950.00")) == f"12{NB}950"
    assert fmt.number(Decimal("12939.50")) == f"12{NB}939,5"
    assert fmt.number(-3) == "-3" and fmt.number(0) == "0" and fmt.number(None) == ""
    assert (
        fmt.percent(30) == f"30{NB}%"
        and fmt.percent(Decimal("12.5")) == f"12,5{NB}%"
        and fmt.percent(Decimal("30.0")) == f"30{NB}%"
    )
    current_language.set("en")
    assert fmt.number(Decimal("12939.50")) == "12,939.5" and fmt.number(Decimal("-0.5")) == "-0.5"
    assert fmt.percent(30) == "30%" and fmt.percent(Decimal("12.5")) == "12.5%" and fmt.percent(None) == ""


def test_dates_and_times_are_the_company_calendar(ru):
    moment = datetime(2026, 3, 1, 20, 30, 5, tzinfo=UTC)  # 2 March, 01:30 in Tashkent (UTC+5)
    assert fmt.date(date(2026, 3, 5)) == "05.03.2026"
    assert fmt.date(moment) == "02.03.2026"
    assert fmt.datetime(moment) == "02.03.2026, 01:30"
    assert fmt.datetime(moment, seconds=True) == "02.03.2026, 01:30:05"
    assert fmt.month("2026-03") == "март 2026\u202fг." and fmt.month(date(2026, 1, 9), year=False) == "янв."
    assert fmt.date(None) == fmt.datetime(None) == fmt.month(None) == ""
    current_language.set("en")
    assert fmt.date(date(2026, 3, 5)) == "3/5/2026"
    assert fmt.datetime(moment) == "3/2/2026, 1:30\u202fAM"
    assert fmt.month("2025-02") == "Feb 2025" and fmt.month("2025-02", year=False) == "Feb"


def test_form_fields_get_a_plain_machine_friendly_form(ru):
    assert fmt.input_number(Decimal("1200000.00")) == "1 200 000"
    assert fmt.input_number(Decimal("1234.50")) == "1 234.50"
    assert fmt.input_number(Decimal("-18000")) == "-18 000"
    assert fmt.input_number(None) == ""
    assert fmt.input_datetime(datetime(2030, 1, 10, 10, 30, tzinfo=UTC)) == "2030-01-10T15:30"
    assert fmt.input_datetime(None) == ""
