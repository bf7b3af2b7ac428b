"""The Russian interface shows no code, id or English word: every demo role opens every page of
its navigation and a few detail pages linked from them; the text a person reads (tags stripped)
holds no Latin word outside brand names and the data people typed, and no None/True/False or
snake_case identifier."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.deps import SESSION_COOKIE
from app.auth.models import User
from app.auth.permissions import Role
from app.auth.service import session_token
from app.demo import load_demo
from app.domain.audit.crud import audit
from app.domain.contracts.models import Contract
from app.domain.inventory.models import Building, Complex
from app.domain.leads.models import Lead, LeadComment
from app.web.navigation import navigation_for
from tests.factories import PASSWORD

# What Russian staff read in Latin letters too: product names, file formats, the currency codes
# money is shown with, the marketing term UTM and the names printed on keyboard keys.
ALLOWED = {
    "CRM",
    "English",
    "Telegram",
    "Instagram",
    "Facebook",
    "YouTube",
    "Google",
    "Sheets",
    "USD",
    "UZS",
    "CSV",
    "XLSX",
    "PDF",
    "JPEG",
    "PNG",
    "WebP",
    "UTM",
    "Ctrl",
    "Shift",
    "Delete",
    "Z",
    "Y",
}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
EMAIL = re.compile(r"\S+@\S+\.\w+")
URL = re.compile(r"\b(?:https?://|www\.)\S+|/\S+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
DETAIL_LINK = re.compile(r'href="(/dashboard/[a-z]+/[^"?#]*\d[^"?#]*)"')


class ReadText(HTMLParser):
    """The text a person reads on a page: text nodes and a few attributes, no scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)
        if tag in ("input", "button") and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def read_text(html: str) -> str:
    """The page's readable text, one part a line."""
    parser = ReadText()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def data_words(db) -> set[str]:
    """Latin words of what people typed (names of leads, buyers, complexes, comments): data, not labels."""
    texts = [
        *db.scalars(select(Lead.name)),
        *db.scalars(select(Lead.utm_source)),
        *db.scalars(select(Lead.utm_medium)),
        *db.scalars(select(Lead.utm_campaign)),
        *db.scalars(select(Complex.name)),
        *db.scalars(select(Complex.slug)),
        *db.scalars(select(Complex.city)),
        *db.scalars(select(Complex.address)),
        *db.scalars(select(Building.name)),
        *db.scalars(select(Contract.buyer_full_name)),
        *db.scalars(select(Contract.buyer_passport)),
        *db.scalars(select(LeadComment.text)),
        *db.scalars(select(User.full_name)),
        *db.scalars(select(User.username)),
    ]
    return {word for text in texts if text for word in LATIN_WORD.findall(text)}


def problems_of(text: str, allowed: set[str]) -> list[str]:
    """Raw codes and English words in `text` (e-mails, phone numbers and links left out)."""
    found = []
    for line in text.splitlines():
        clean = URL.sub(" ", EMAIL.sub(" ", line))
        for word in LATIN_WORD.findall(clean):
            if word not in allowed:
                found.append(f"{word!r} in {line[:120]!r}")
        found.extend(f"identifier {m!r} in {line[:120]!r}" for m in IDENTIFIER.findall(clean))
    return found


def shape(path: str) -> str:
    """A link with its ids blanked, so one detail page of each kind is opened."""
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def demo(db):
    """The demo data in the test's transaction."""
    load_demo(db, PASSWORD)
    db.flush()
    return db


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_every_demo_role_reads_in_russian(app, demo, role):
    allowed = ALLOWED | data_words(demo)
    for user in demo.scalars(select(User).where(User.role == role)):
        browser = TestClient(app, follow_redirects=False)
        browser.cookies.set(SESSION_COOKIE, session_token(app.state.settings, user))
        demo.commit()
        pages = [item.href for item in navigation_for(user, "/")] + ["/profile"]
        if role == Role.ADMIN:  # the audit log's first page of every kind of row, not only the latest
            pages += [f"/dashboard/admin/audit?entity={entity}&page_size=100" for entity in audit.entities(demo)]
        seen_shapes: set[str] = set()
        problems: dict[str, list[str]] = {}
        opened = 0
        while pages:
            path = pages.pop(0)
            response = browser.get(path)
            assert response.status_code == 200, (user.username, path, response.status_code)
            opened += 1
            found = problems_of(read_text(response.text), allowed)
            if found:
                problems[path] = found
            for link in DETAIL_LINK.findall(response.text):
                if shape(link) not in seen_shapes and "/export" not in link and len(seen_shapes) < 40:
                    seen_shapes.add(shape(link))
                    pages.append(link)
        assert opened > 1
        assert not problems, "\n".join(f"{path}: {p}" for path, found in problems.items() for p in dict.fromkeys(found))
