"""Cell normalisers: the spellings found in real price lists and lead lists, made into values.

Each returns the value, or raises ValueError with an English msgid saying what is wrong.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers

from app.auth.schemas import DEFAULT_REGION

CENT = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_CURRENCY = re.compile(r"(?i)(сум|сўм|so['ʻ`’]?m|sum|uzs|usd|у\.?\s?е\.?|\$|€|руб)\.?")
_ROOMS = re.compile(r"(?i)^\s*(\d{1,2})\s*(?:-?\s*(?:к|комн|комнатная|комнаты|xona|room|rooms|br)\.?)?\s*$")
SERIAL_EPOCH = date(1899, 12, 30)
MAX_SERIAL = 2958466  # 31.12.9999
_STUDIO = {"студия", "studio", "ст", "0"}


def text(value: object) -> str:
    """A cell as trimmed text ('' for empty); whole floats from spreadsheets lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _uzbek_patterns() -> tuple[re.Pattern[str], ...]:
    """The national number patterns of Uzbek numbers, from the phonenumbers metadata."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("UZ")
    types = [d for d in (meta.fixed_line, meta.mobile) if d is not None and d.national_number_pattern]
    return tuple(re.compile(d.national_number_pattern) for d in types)


_UZBEK = _uzbek_patterns()
_NON_DIGITS = re.compile(r"\D")


def phone(value: object) -> str:
    """A phone in E.164: +998 90 123-45-67, 998901234567, (90) 123 45 67, 8 90 123 45 67."""
    raw = text(value)
    if not raw:
        raise ValueError("The phone is empty.")
    digits = _NON_DIGITS.sub("", raw)
    if raw.startswith("8") and len(digits) == 10:  # an old domestic prefix: 8 90 1234567
        digits = digits[1:]
    if len(digits) == 9:
        candidate = "+998" + digits
    elif len(digits) == 12 and digits.startswith("998"):
        candidate = "+" + digits
    else:
        candidate = raw
    if candidate.startswith("+998") and len(candidate) == 13 and candidate[1:].isdigit():
        national = candidate[4:]  # the usual case, judged by phonenumbers' own patterns without parsing
        if any(p.fullmatch(national) for p in _UZBEK):
            return candidate
        raise ValueError("Not a phone number.")
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Not a phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def decimal(value: object) -> Decimal:
    """A number from '1 250 000 сум', '$34,148.40', '62,5', '1.250.000', or a spreadsheet number."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    raw = _SPACES.sub("", _CURRENCY.sub("", text(value)))
    if not raw:
        raise ValueError("The number is empty.")
    if "," in raw and "." in raw:  # the later one is the decimal mark
        raw = raw.replace(",", "") if raw.rfind(".") > raw.rfind(",") else raw.replace(".", "").replace(",", ".")
    elif "," in raw:  # 1,250,000 and 34,148 group thousands; 62,5 is a decimal comma
        groups = raw.split(",")
        thousands = len(groups) > 2 or len(groups[-1]) == 3
        raw = raw.replace(",", "") if thousands else raw.replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError("Not a number.") from exc
    if not number.is_finite():
        raise ValueError("Not a number.")
    return number


def money(value: object) -> Decimal:
    """An amount rounded to the cent (see `decimal` for the spellings)."""
    return decimal(value).quantize(CENT)


def integer(value: object) -> int:
    """A whole number ('12', '12.0', 12.0)."""
    number = decimal(value)
    if number != number.to_integral_value():
        raise ValueError("Not a whole number.")
    return int(number)


def rooms(value: object) -> int:
    """Rooms from '2', '2 к.', '2-комн.', '3 xona', 'студия' (0)."""
    raw = text(value).lower()
    if raw in _STUDIO:
        return 0
    match = _ROOMS.match(raw)
    if match is None:
        raise ValueError("Not a number of rooms.")
    return int(match.group(1))


def day(value: object) -> date:
    """A date from dd.mm.yyyy, dd/mm/yyyy, yyyy-mm-dd, a spreadsheet date, or a serial day number
    (Google Sheets' unformatted dates and Excel's: days since 30.12.1899)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < MAX_SERIAL:
            raise ValueError("Not a date (write it as dd.mm.yyyy).")
        return SERIAL_EPOCH + timedelta(days=int(value))
    raw = text(value)
    if raw.isdigit() and len(raw) <= 6:  # a serial day number written out as text
        return day(int(raw))
    for pattern in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError("Not a date (write it as dd.mm.yyyy).")
