"""House rule for a strict Content-Security-Policy: templates carry no inline handlers, no
inline scripts, no style attributes or blocks, and stylesheets only in the page head."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)  # template code, not HTML
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
HX_ON = re.compile(r"\shx-on", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLESHEET = re.compile(r"<link\b[^>]*rel=\"stylesheet\"", re.I)
HEAD_BLOCK = re.compile(r"\{%-?\s*block head\s*-?%\}(.*?)\{%-?\s*endblock", re.S)
HEAD_TAG = re.compile(r"<head>(.*?)</head>", re.S)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _html(path: Path) -> str:
    return JINJA.sub(lambda m: " " + "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


@pytest.mark.parametrize(
    "rule", [HANDLER, HX_ON, STYLE_ATTR, STYLE_BLOCK], ids=["on-handler", "hx-on", "style", "style-block"]
)
def test_templates_have_no_inline_behaviour_or_style(rule):
    found = [
        f"{p.relative_to(TEMPLATES)}:{_line_of(_html(p), m.start())}"
        for p in _templates()
        for m in rule.finditer(_html(p))
    ]
    assert not found, f"{rule.pattern} in: {', '.join(found)}"


def test_scripts_are_files_or_json_data():
    found = []
    for path in _templates():
        for match in SCRIPT.finditer(_html(path)):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                found.append(f"{path.relative_to(TEMPLATES)}:{match.group(0)}")
    assert not found, f"inline scripts: {found}"


def test_stylesheets_sit_in_the_head():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        allowed = "".join(HEAD_BLOCK.findall(text) + HEAD_TAG.findall(text))
        macros = "".join(re.findall(r"\{%-?\s*macro stylesheet.*?endmacro", text, re.S))  # used from head blocks
        if len(STYLESHEET.findall(text)) != len(STYLESHEET.findall(allowed + macros)):
            found.append(str(path.relative_to(TEMPLATES)))
    assert not found, f"stylesheets outside the head: {found}"


def test_the_rules_see_what_they_forbid():
    sample = (
        '<button onclick="x()" hx-on::click="y" style="color:red">{{ ui.field("a", options=b) }}</button>'
        "<script>z()</script>"
    )
    html = JINJA.sub(" ", sample)
    assert HANDLER.search(html) and HX_ON.search(html) and STYLE_ATTR.search(html)
    assert not HANDLER.search(JINJA.sub(" ", '{{ ui.field("a", options=b) }} <tr data-month="1">'))
    assert [m.group(1) for m in SCRIPT.finditer(html)] == [""]


LIST_PAGES = [
    "users/list.html",
    "audit/audit.html",
    "inventory/apartments.html",
    "inventory/complexes.html",
    "leads/list.html",
    "bookings/list.html",
    "contracts/list.html",
    "balances/balances.html",
    "debts/debts.html",
    "payments/list.html",
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_are_built_by_the_list_macro(name):
    text = (TEMPLATES / "features" / name).read_text(encoding="utf-8")
    assert "list_ui.list_page(" in text and ("list_ui.rows(" in text or "list_ui.results(" in text)
    for scaffold in ('class="filters"', "<thead>", "ui.pager(", "ui.sort_header(", "Nothing found."):
        assert scaffold not in text, f"{name} still writes {scaffold} by hand"
