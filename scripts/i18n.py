"""Keep the gettext catalogs complete: extract msgids, update ru/en .po files, or --check them."""

# Usage:
#     python scripts/i18n.py            extract into app/locale/messages.pot, update the ru and en messages.po
#     python scripts/i18n.py --check    exit 1 listing msgids without a usable Russian translation, 0 otherwise
#
# Msgids come from three places:
# 1. gettext calls found by babel (see babel.cfg): `_("...")` / `gettext("...")` in app/**/*.py
#    and `{{ _("...") }}` in templates/**/*.html;
# 2. labels translated at render time, read by importing their modules (ROLE_LABELS,
#    COUNTER_LABELS, STATUS_TITLES, form error messages, NavItem labels) plus EXTRA_MSGIDS;
# 3. the first string literal of AppError-style calls (`Invalid("...")`, `Conflict("...")`, ...)
#    and of `ValueError("...")` raised in pydantic validators, found by parsing app/**/*.py.
# Existing translations are kept; a changed msgid gets its old translation marked fuzzy, which
# --check reports until a person reviews it and deletes the fuzzy flag.

from __future__ import annotations

import argparse
import ast
import importlib
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING_FILE = ROOT / "babel.cfg"
LOCALE_DIR = ROOT / "app" / "locale"
POT_FILE = LOCALE_DIR / "messages.pot"
LANGUAGES = ("ru", "en")
CHECKED_LANGUAGE = "ru"
PROJECT = "Residential CRM"
COMMENT_TAGS = ("Translators:",)
HEADER_COMMENT = (
    "# Residential CRM, %(language)s catalog: msgids are the English UI strings.\n"
    "# Regenerate with `python scripts/i18n.py`; `python scripts/i18n.py --check` lists gaps."
)

# gettext-style callables: babel's defaults plus app.web.i18n.translate(language, message).
KEYWORDS = {**DEFAULT_KEYWORDS, "translate": (2,)}

# Calls whose first string argument is a msgid translated when the error is rendered.
ERROR_CALLS = frozenset(
    {
        "AppError",
        "Invalid",
        "Conflict",
        "NotFound",
        "Forbidden",
        "CSRFError",
        "TooManyRequests",
        "NotAuthenticated",
        "ValueError",
    }
)

# module -> names of dicts whose values are msgids translated at render time.
RENDER_TIME_DICTS = {
    "app.auth.permissions": ("ROLE_LABELS",),
    "app.web.labels": (
        "COUNTER_LABELS",
        "STATUS_LABELS",
        "LEAD_STATUS_LABELS",
        "LEAD_SOURCE_LABELS",
        "BOOKING_STATUS_LABELS",
        "CONTRACT_STATUS_LABELS",
        "PAYMENT_STATUS_LABELS",
        "AUDIT_ACTION_LABELS",
        "AUDIT_FIELD_LABELS",
        "WORK_ORDER_STATUS_LABELS",
    ),
    "app.domain.dispatch.rules": ("MESSAGES",),
    "app.web.handlers": ("STATUS_TITLES", "HTTP_MESSAGES"),
    "app.web.forms": ("_MESSAGES",),
}
ROLES_MODULE = "app.roles"  # the mount table builds the navigation

# Msgids used at render time that no collector above can see, with where they come from.
EXTRA_MSGIDS = {
    "Error": "app/web/handlers.py",  # fallback title: gettext(STATUS_TITLES.get(status, "Error"))
    "The request could not be processed.": "app/web/handlers.py",  # fallback of HTTP_MESSAGES
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_DATE_HEADERS = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


@dataclass(frozen=True)
class Found:
    """One msgid and where it was found."""

    msgid: str | tuple[str, ...]
    path: str
    lineno: int | None
    comment: str = ""
    context: str | None = None


def _relative(path: str | Path) -> str:
    """A repository-relative POSIX path for catalog locations."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).as_posix()


def extract_gettext_calls() -> Iterator[Found]:
    """Msgids of gettext calls in the Python and Jinja files mapped by babel.cfg."""
    with MAPPING_FILE.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    # Resolve the Jinja extractor directly so extraction does not depend on entry points.
    method_map = [(p, "jinja2.ext:babel_extract" if m == "jinja2" else m) for p, m in method_map]
    roots = {pattern.split("/", 1)[0] for pattern, _ in method_map}

    def wanted(dirpath: str) -> bool:
        """Walk only the top folders named in the mapping; skip hidden and __pycache__ folders."""
        relative = Path(dirpath).relative_to(ROOT)
        if relative.name.startswith((".", "_")):
            return False
        return any(ch in root for root in roots for ch in "*?[") or relative.parts[0] in roots

    for filename, lineno, message, comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=wanted,
    ):
        yield Found(message, filename, lineno, " ".join(comments))


def _locate(module_file: str | None, text: str) -> tuple[str, int | None]:
    """(relative path, line) of the first line of `module_file` holding `text` as a literal."""
    if not module_file or not Path(module_file).is_file():
        return _relative(module_file or "<unknown>"), None
    source = Path(module_file).read_text(encoding="utf-8").splitlines()
    for quoted in (f'"{text}"', f"'{text}'"):
        for number, line in enumerate(source, start=1):
            if quoted in line:
                return _relative(module_file), number
    return _relative(module_file), None  # built at import time, e.g. from an f-string


def render_time_messages() -> Iterator[Found]:
    """Labels translated only when rendered: the listed dicts, every NavItem and EXTRA_MSGIDS."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for module_name, names in RENDER_TIME_DICTS.items():
        module = importlib.import_module(module_name)
        for name in names:
            for value in getattr(module, name).values():
                context, msgid = value if isinstance(value, tuple) else (None, value)  # C_(context, msgid)
                if msgid:
                    yield Found(
                        msgid, *_locate(module.__file__, msgid), comment=f"{name} ({module_name})", context=context
                    )
    roles = importlib.import_module(ROLES_MODULE)
    for items in roles.menus().values():
        for item in items:
            yield Found(item.label, *_locate(roles.__file__, item.label), comment="navigation label")
    for msgid, path in EXTRA_MSGIDS.items():
        yield Found(msgid, *_locate(str(ROOT / path), msgid), comment="render-time fallback")


def _call_name(node: ast.Call) -> str | None:
    """`Name` for `Name(...)` and `mod.Name(...)` calls."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def error_messages() -> Iterator[Found]:
    """First string literal of error calls (and of calls to their subclasses) in app/**/*.py."""
    trees = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if "__pycache__" not in path.parts:
            trees.append((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    names = set(ERROR_CALLS)
    classes = [node for _, tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grew = True
    while grew:  # subclasses of subclasses, e.g. class BookingTaken(Conflict)
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    for path, tree in trees:
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) in names and n.args]
        for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip():
                yield Found(first.value, _relative(path), node.lineno, comment=f"{_call_name(node)}(...)")


def build_template() -> Catalog:
    """The template catalog of every msgid the code uses, in source order."""
    template = Catalog(
        project=PROJECT,
        version="1.0",
        charset="utf-8",
        fuzzy=False,
        header_comment=HEADER_COMMENT % {"language": "template"},
    )
    for found in (*extract_gettext_calls(), *render_time_messages(), *error_messages()):
        if not found.msgid or (isinstance(found.msgid, tuple) and not found.msgid[0]):
            continue
        existing = template.get(found.msgid, found.context)
        comments = [found.comment] if found.comment else []
        if existing is not None:
            if (found.path, found.lineno) not in existing.locations:
                existing.locations.append((found.path, found.lineno))
            existing.auto_comments.extend(c for c in comments if c not in existing.auto_comments)
        else:
            template.add(
                found.msgid, locations=[(found.path, found.lineno)], auto_comments=comments, context=found.context
            )
    return template


def _po_path(language: str) -> Path:
    """The catalog file of `language`."""
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog | None:
    """The catalog of `language` as stored, or None when there is none yet."""
    path = _po_path(language)
    if not path.exists():
        return None
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def _write_if_changed(path: Path, catalog: Catalog, **options: object) -> bool:
    """Write `catalog` to `path` unless only its date headers would change; True when written."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, **options)
    new = buffer.getvalue()

    def without_dates(data: bytes) -> list[bytes]:
        """The file's lines minus the creation and revision date headers."""
        return [line for line in data.splitlines() if not line.startswith(_DATE_HEADERS)]

    if path.exists() and without_dates(path.read_bytes()) == without_dates(new):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    return True


def update_catalog(language: str, template: Catalog) -> Catalog:
    """Merge `template` into the stored catalog of `language`, keeping its translations."""
    catalog = read_catalog(language)
    if catalog is None:
        catalog = Catalog(
            locale=language,
            project=PROJECT,
            version="1.0",
            charset="utf-8",
            fuzzy=False,
            header_comment=HEADER_COMMENT % {"language": language},
        )
    # A msgid that comes back after being dropped gets its old translation back.
    for msgid, message in list(catalog.obsolete.items()):
        if msgid in template and msgid not in catalog and message.string:
            catalog[message.id] = message
            del catalog.obsolete[msgid]
    catalog.update(template, update_creation_date=True)
    catalog.fuzzy = False
    _write_if_changed(_po_path(language), catalog, width=100, no_location=True, sort_output=True, ignore_obsolete=True)
    return catalog


def _translated(message: Message | None) -> bool:
    """True when every form of the message has a non-empty translation and it is not fuzzy."""
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


def placeholders(text: str) -> list[str]:
    """The sorted `%(name)s` placeholders of `text`, directive included."""
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text))


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Msgids whose translation's `%(name)s` placeholders differ from the msgid's."""
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
        if len(ids) == 1:  # the same placeholders, as often as in the msgid
            wrong = [text for text in strings if text and placeholders(text) != placeholders(ids[0])]
        else:  # plural forms: each form uses the names of the singular or plural msgid
            expected = set(placeholders(ids[0])) | set(placeholders(ids[-1]))
            wrong = [text for text in strings if text and not set(placeholders(text)) <= expected]
        problems.extend(f"placeholders differ: {ids[0]!r} -> {text!r}" for text in wrong)
    return problems


def check(language: str = CHECKED_LANGUAGE, template: Catalog | None = None) -> list[str]:
    """Problems with `language`'s catalog for the current code; empty when it is complete."""
    template = template if template is not None else build_template()
    catalog = read_catalog(language)
    if catalog is None:
        return [f"{_relative(_po_path(language))} is missing: run python scripts/i18n.py"]
    problems = []
    for expected in template:
        if not expected.id:
            continue
        message = catalog.get(expected.id, expected.context)
        where = ", ".join(f"{path}:{line}" if line else path for path, line in expected.locations[:2])
        if message is None:
            problems.append(f"not in catalog (run python scripts/i18n.py): {expected.id!r} [{where}]")
        elif message.fuzzy and message.string:
            problems.append(f"fuzzy (review, then drop the fuzzy flag): {expected.id!r} [{where}]")
        elif not _translated(message):
            problems.append(f"untranslated: {expected.id!r} [{where}]")
    return problems + placeholder_problems(catalog)


def update() -> Catalog:
    """Write the .pot and update every language's catalog; returns the template."""
    template = build_template()
    _write_if_changed(POT_FILE, template, width=100, no_location=True, sort_output=True)
    for language in LANGUAGES:
        update_catalog(language, template)
    return template


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report msgids lacking a Russian translation")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in the {CHECKED_LANGUAGE} catalog" if problems else "ru catalog complete")
        return 1 if problems else 0
    template = update()
    count = sum(1 for message in template if message.id)
    problems = check(template=template)
    print(f"{count} msgids; {_relative(POT_FILE)} and {', '.join(LANGUAGES)} catalogs updated")
    for problem in problems:
        print(problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
