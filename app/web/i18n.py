"""Gettext catalogs (Russian default, English) loaded from the .po files at start-up."""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = {"ru": "Русский", "en": "English"}
current_language: ContextVar[str] = ContextVar("current_language", default="ru")


@cache
def translations_for(language: str) -> NullTranslations:
    """The compiled catalog for `language` (English msgids when it has none)."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str | tuple[str, str], **params: object) -> str:
    """Translate `message` (or a (context, message) pair) into the current request's language
    and fill `%(name)s` params."""
    translations = translations_for(current_language.get())
    text = translations.pgettext(*message) if isinstance(message, tuple) else translations.gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware translation (Russian has three forms) in the current language."""
    text = translations_for(current_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def translate(language: str, message: str | tuple[str, str], **params: object) -> str:
    """Translate `message` (or a (context, message) pair) into `language` explicitly."""
    translations = translations_for(language)
    text = translations.pgettext(*message) if isinstance(message, tuple) else translations.gettext(message)
    return text % params if params else text
