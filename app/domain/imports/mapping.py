"""The fields each kind of import fills, and a suggested mapping from the file's headers
(Russian, English and Uzbek spellings). A mapping is {field: header}."""

from __future__ import annotations

import re

from app.domain.imports.models import ImportKind


def N_(message: str) -> str:  # noqa: N802 - the gettext marker babel knows
    """Mark a msgid translated where it is shown."""
    return message


# field -> (label msgid, header spellings, lower case, compared without spaces and punctuation)
APARTMENT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "complex": (
        N_("Complex"),
        ("жк", "комплекс", "жилойкомплекс", "complex", "project", "проект", "turarjoymajmuasi", "majmua"),
    ),
    "building": (N_("Building"), ("блок", "корпус", "дом", "building", "block", "bino", "blok", "korpus")),
    "number": (
        N_("Apartment number"),
        (
            "номер",
            "номерквартиры",
            "квартира",
            "кв",
            "number",
            "apartment",
            "unit",
            "no",
            "raqam",
            "xonadon",
            "kvartira",
        ),
    ),
    "floor": (N_("Floor"), ("этаж", "floor", "qavat", "etaj")),
    "section": (N_("Section"), ("подъезд", "секция", "section", "entrance", "podyezd", "kirish", "blokqism")),
    "rooms": (
        N_("Rooms"),
        ("комнаты", "комнат", "колвокомнат", "количествокомнат", "rooms", "bedrooms", "xonalar", "xona", "xonasoni"),
    ),
    "area": (
        N_("Area, m²"),
        ("площадь", "площадьм2", "площадьм²", "area", "aream2", "size", "maydon", "maydoni", "kvm"),
    ),
    "price_per_m2": (
        N_("Price per m²"),
        (
            "ценазам2",
            "ценазам²",
            "ценам2",
            "ценазаметр",
            "pricem2",
            "priceperm2",
            "pricepersqm",
            "m2narxi",
            "1m2narxi",
            "narxm2",
        ),
    ),
    "total_price": (
        N_("Total price"),
        (
            "цена",
            "стоимость",
            "общаястоимость",
            "итого",
            "сумма",
            "price",
            "totalprice",
            "total",
            "narx",
            "narxi",
            "umuminarx",
            "summa",
        ),
    ),
    "status": (N_("Status"), ("статус", "состояние", "status", "holat", "holati")),
}
LEAD_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "phone": (
        N_("Phone"),
        (
            "телефон",
            "тел",
            "номертелефона",
            "мобильный",
            "phone",
            "phonenumber",
            "mobile",
            "tel",
            "telefon",
            "telefonraqami",
        ),
    ),
    "name": (
        N_("Name"),
        (
            "имя",
            "фио",
            "клиент",
            "имяклиента",
            "name",
            "fullname",
            "client",
            "customer",
            "ism",
            "ismi",
            "fish",
            "mijoz",
        ),
    ),
    "assigned": (
        N_("Salesperson"),
        ("менеджер", "продажник", "ответственный", "manager", "salesperson", "owner", "assignedto", "menejer", "masul"),
    ),
    "complex": (N_("Complex"), ("жк", "комплекс", "complex", "project", "проект", "majmua")),
}
PAYMENT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "contract": (
        N_("Contract number"),
        ("номердоговора", "договор", "договорномер", "contract", "contractnumber", "contractno", "shartnoma"),
    ),
    "date": (N_("Date"), ("дата", "датаоплаты", "датаплатежа", "date", "paymentdate", "paidat", "sana", "tolovsanasi")),
    "amount": (
        N_("Amount"),
        ("сумма", "суммаоплаты", "суммаплатежа", "amount", "sum", "paid", "summa", "tolovsummasi", "miqdor"),
    ),
    "method": (
        N_("Payment method"),
        ("способоплаты", "способ", "методоплаты", "method", "paymentmethod", "tolovusuli", "usul", "tolovturi"),
    ),
    "external_id": (
        N_("External id"),
        (
            "внешнийid",
            "idплатежа",
            "номерплатежа",
            "транзакция",
            "externalid",
            "id",
            "paymentid",
            "transactionid",
            "tranzaksiya",
        ),
    ),
}
FIELDS = {ImportKind.APARTMENTS: APARTMENT_FIELDS, ImportKind.LEADS: LEAD_FIELDS, ImportKind.PAYMENTS: PAYMENT_FIELDS}
REQUIRED = {
    ImportKind.APARTMENTS: ("complex", "building", "number"),
    ImportKind.LEADS: ("phone",),
    ImportKind.PAYMENTS: ("contract", "date", "amount", "method"),
}
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def squash(header: str) -> str:
    """A header compared by its letters and digits only, lower case ('Цена за м²' -> 'ценазам²')."""
    return _NOISE.sub("", header.lower().replace("²", "2").replace("ё", "е"))


def suggest(kind: ImportKind, headers: list[str]) -> dict[str, str]:
    """The suggested {field: header}: an exact spelling first, then a header that starts with one."""
    fields = FIELDS[kind]
    squashed = {h: squash(h) for h in headers if h}
    result: dict[str, str] = {}
    taken: set[str] = set()
    for exact in (True, False):
        for name, (_label, spellings) in fields.items():
            if name in result:
                continue
            for header, key in squashed.items():
                if header in taken or not key:
                    continue
                if (key in spellings) if exact else any(key.startswith(s) for s in spellings if len(s) > 2):
                    result[name] = header
                    taken.add(header)
                    break
    return result


def check_mapping(kind: ImportKind, mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping kept to known fields and present headers; ValueError naming a required field left out."""
    fields = FIELDS[kind]
    clean = {f: h for f, h in mapping.items() if f in fields and h and h in headers}
    return clean


def missing_required(kind: ImportKind, mapping: dict[str, str]) -> list[str]:
    """The required fields the mapping does not give a column."""
    return [f for f in REQUIRED[kind] if f not in mapping]
