"""Numbers, money, dates and times as the user's language writes them (Babel's ru and en conventions).

Every page and template formats through these functions (registered once as Jinja filters and
globals in templating.py); the language is the current request's (`app.web.i18n.current_language`)
and times are shown in the company's time zone (`app.core.clock.local`).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, get_currency_precision

from app.core import clock
from app.web.i18n import current_language, gettext

Number = Decimal | int | float

# Skeletons, not fixed patterns: each language orders and punctuates them its own way.
DATE_SKELETON = "yMd"  # 05.03.2026 / 3/5/2026
MONTH_SKELETON = "MMM"  # март / Mar
MONTH_YEAR_SKELETON = "yMMM"  # март 2026 г. / Mar 2026


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _current() -> Locale:
    return _locale(current_language.get())


def _decimal(value: Number | str) -> Decimal:
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    return Decimal(0) if value == 0 else value  # no "-0"


def _code(currency: Any) -> str:
    return str(getattr(currency, "value", currency) or "UZS")


def _pattern(source: NumberPattern, places: int) -> NumberPattern:
    pattern = copy.copy(source)
    pattern.frac_prec = (places, places)
    return pattern


def money(value: Number | None, currency: Any = "UZS", *, symbol: bool = True) -> str:
    """An exact sum in its currency: never rounded; a whole UZS sum has no decimals, USD always two.

    "209 057 520 сум", "1 234,50 $" in Russian; "209,057,520 sum", "$1,234.50" in English.
    `symbol=False` gives the figure alone (table columns whose header names the currency).
    """
    if value is None:
        return ""
    amount, code, locale = _decimal(value), _code(currency), _current()
    if code == "UZS":
        places = 0 if amount == amount.to_integral_value() else 2
        figure = _pattern(locale.decimal_formats[None], places).apply(amount, locale, decimal_quantization=False)
        return f"{figure}\u00a0{gettext('sum')}" if symbol else figure
    places = get_currency_precision(code)
    pattern = _pattern(locale.currency_formats["standard"], places)
    if not symbol:
        pattern = _pattern(locale.decimal_formats[None], places)
        return pattern.apply(amount, locale, decimal_quantization=False)
    return pattern.apply(amount, locale, currency=code, currency_digits=False, decimal_quantization=False)


def number(value: Number | None) -> str:
    """A number with every digit it has and no trailing zeros: "12 939,5" / "12,939.5"."""
    if value is None:
        return ""
    locale = _current()
    return _pattern(locale.decimal_formats[None], 0).apply(_decimal(value), locale, decimal_quantization=False)


def about(value: int | None) -> str:
    """A large count rounded to two significant digits, for "about" labels: "100 000" / "100,000"."""
    if value is None:
        return ""
    digits = len(str(abs(int(value))))
    return number(round(int(value), -max(0, digits - 2)))


def percent(value: Number | None) -> str:
    """A share given in percent (30 means 30 %), as the language writes it: "30 %" / "30%"."""
    if value is None:
        return ""
    locale = _current()
    pattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (0, 0)
    return pattern.apply(_decimal(value) / 100, locale, decimal_quantization=False)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return clock.local(value).date() if isinstance(value, dt.datetime) else value


def date(value: dt.date | dt.datetime | None) -> str:
    """A calendar day ("05.03.2026" / "3/5/2026"); a moment is shown as the company's day."""
    if value is None:
        return ""
    locale = _current()
    return format_date(_day(value), locale.datetime_skeletons[DATE_SKELETON], locale=locale)


@lru_cache(maxsize=8192)
def _day_text(language: str, day: dt.date) -> str:
    locale = _locale(language)
    return format_date(day, locale.datetime_skeletons[DATE_SKELETON], locale=locale)


@lru_cache(maxsize=8192)
def _clock_text(language: str, wall: dt.time, width: str) -> str:
    return format_time(wall, width, locale=_locale(language))


def datetime(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A moment on the company's wall clock: "05.03.2026, 14:07" / "3/5/2026, 2:07 PM".

    The day and the clock reading are formatted once per language and value (a list of 100
    rows does the Babel work for each distinct day and minute once, then looks them up)."""
    if value is None:
        return ""
    language, moment = current_language.get(), clock.local(value)
    day = _day_text(language, moment.date())
    wall = moment.time().replace(microsecond=0) if seconds else moment.time().replace(second=0, microsecond=0)
    clock_time = _clock_text(language, wall, "medium" if seconds else "short")
    return _locale(language).datetime_formats["short"].replace("{1}", day).replace("{0}", clock_time)


def time(value: dt.datetime | None) -> str:
    """The time of a moment on the company's wall clock: "14:07" / "2:07 PM"."""
    if value is None:
        return ""
    language, moment = current_language.get(), clock.local(value)
    return _clock_text(language, moment.time().replace(second=0, microsecond=0), "short")


def month(value: dt.date | str | None, *, year: bool = True) -> str:
    """A month ("2026-03" or a date): "март 2026 г." / "Mar 2026", or the month alone with `year=False`."""
    if value is None or value == "":
        return ""
    day = dt.date.fromisoformat(f"{value}-01") if isinstance(value, str) else _day(value)
    locale = _current()
    skeleton = MONTH_YEAR_SKELETON if year else MONTH_SKELETON
    return format_date(day, locale.datetime_skeletons[skeleton], locale=locale)


def input_number(value: Number | None) -> str:
    """A number as a form field shows it back, machine-friendly: "209 057 520", "1 234.50"."""
    if value is None:
        return ""
    amount = _decimal(value)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}".replace(",", " ")
    return f"{amount:,f}".replace(",", " ")


def input_datetime(value: dt.datetime | None) -> str:
    """A moment as a datetime-local field holds it, on the company's wall clock: "2030-01-10T15:30"."""
    return clock.local(value).strftime("%Y-%m-%dT%H:%M") if value is not None else ""


FORMATS = {
    "money": money,
    "number": number,
    "about": about,
    "percent": percent,
    "date": date,
    "datetime": datetime,
    "time": time,
    "month": month,
    "input_number": input_number,
    "input_datetime": input_datetime,
}
