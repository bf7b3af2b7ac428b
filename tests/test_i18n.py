"""The gettext catalogs: every UI string has a Russian translation with the same placeholders."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from app.web.i18n import translate

ROOT = Path(__file__).resolve().parent.parent
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _load_script() -> ModuleType:
    """scripts/i18n.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("crm_i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


i18n_script = _load_script()


@pytest.fixture(scope="module")
def template() -> Catalog:
    """Every msgid the current code uses, extracted once for this module."""
    return i18n_script.build_template()


@pytest.fixture(scope="module")
def ru_catalog() -> Catalog:
    """The stored Russian catalog."""
    catalog = i18n_script.read_catalog("ru")
    assert catalog is not None, "app/locale/ru/LC_MESSAGES/messages.po is missing"
    return catalog


def test_both_catalogs_exist() -> None:
    """The Russian and English catalogs are committed."""
    for language in ("ru", "en"):
        assert (ROOT / "app" / "locale" / language / "LC_MESSAGES" / "messages.po").is_file()


def test_extraction_finds_every_kind_of_msgid(template: Catalog) -> None:
    """Template strings, render-time labels and error messages all reach the template."""
    for msgid in ("Log in", "Admin", "Page not found", "This field is required.", "Enter a valid phone number."):
        assert msgid in template, msgid


def test_every_msgid_has_a_russian_translation(template: Catalog) -> None:
    """No msgid of the current code is missing, empty or fuzzy in the Russian catalog."""
    problems = i18n_script.check("ru", template=template)
    assert not problems, "run `python scripts/i18n.py`, then translate:\n" + "\n".join(problems)


def test_russian_placeholders_match_the_msgid(ru_catalog: Catalog) -> None:
    """Each %(name)s of a msgid appears in its translation (every plural form), which still formats."""
    assert not i18n_script.placeholder_problems(ru_catalog)
    wrong = []
    for message in ru_catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
        names = {re.match(r"%\((\w+)\)", p).group(1): 1 for msgid in ids for p in i18n_script.placeholders(msgid)}
        for text in strings:
            try:
                text % names
            except (ValueError, TypeError, KeyError) as exc:
                wrong.append(f"{text!r} does not format: {exc}")
    assert not wrong, "\n".join(wrong)


def test_check_reports_missing_empty_fuzzy_and_placeholder_problems(tmp_path, monkeypatch) -> None:
    """The check function flags each kind of gap in a catalog."""
    template = Catalog(locale=None)
    for msgid in ("Kept", "Empty", "Fuzzy", "Absent", "Hello, %(name)s"):
        template.add(msgid, locations=[("app/x.py", 1)])
    catalog = Catalog(locale="ru")
    catalog.add("Kept", "Оставлено")
    catalog.add("Empty", "")
    catalog.add("Fuzzy", "Нечётко", flags=["fuzzy"])
    catalog.add("Hello, %(name)s", "Привет, %(nmae)s")
    po_path = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True)
    with po_path.open("wb") as po_file:
        i18n_script.write_po(po_file, catalog)
    monkeypatch.setattr(i18n_script, "LOCALE_DIR", tmp_path)

    problems = "\n".join(i18n_script.check("ru", template=template))

    assert "'Kept'" not in problems
    for fragment in ("untranslated: 'Empty'", "fuzzy", "'Fuzzy'", "not in catalog", "'Absent'", "placeholders differ"):
        assert fragment in problems, fragment


def test_translate_uses_the_catalogs() -> None:
    """Russian comes from the ru catalog; English shows the msgid itself."""
    russian = translate("ru", "Log in")
    assert russian != "Log in" and CYRILLIC.search(russian)
    assert translate("en", "Log in") == "Log in"
    assert translate("ru", "Welcome, %(name)s.", name="Азиз") == "Добро пожаловать, Азиз."
