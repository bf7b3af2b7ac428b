"""Which language a page speaks: DEFAULT_LANGUAGE (Russian) for visitors, whatever the browser asks for,
until they pick another with the switch in the public header; a logged-in user's profile language."""

from __future__ import annotations

import re

import pytest

from app.auth.deps import SESSION_COOKIE
from app.auth.permissions import Role
from app.auth.service import session_token
from app.web.middleware import LANG_COOKIE
from tests.conftest import csrf_from
from tests.factories import make_building, make_complex

SWITCH = re.compile(r'<form[^>]*action="/language"[^>]*data-testid="language-switch"')


@pytest.fixture
def place(db):
    """A public complex with one building of apartments."""
    complex_ = make_complex(db, "lang-test")
    make_building(db, complex_.id, floors=2, units=2)
    return complex_


@pytest.fixture
def visitor(client):
    """An anonymous browser whose Accept-Language asks for English."""
    client.headers["Accept-Language"] = "en-US,en;q=0.9"
    return client


def switch(browser, language: str, back: str):
    """Press a language in the public header of the page `back`."""
    token = csrf_from(browser, back)
    return browser.post("/language", data={"language": language, "next": back, "csrf_token": token})


def test_a_visitor_reads_russian_whatever_the_browser_asks_for(visitor, place):
    for path in ("/", "/c/lang-test"):
        page = visitor.get(path)
        assert page.status_code == 200
        assert '<html lang="ru">' in page.text and "Жилые комплексы" in page.text, path
        assert "Residential complexes" not in page.text


def test_the_public_header_has_the_language_switch(visitor, place):
    for path in ("/", "/c/lang-test"):
        page = visitor.get(path).text
        header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
        assert SWITCH.search(header), path
        assert "Русский" in header and 'name="language" value="en"' in header and ">English<" in header
        assert 'aria-current="true"' in header  # the language being read is marked, not offered


def test_the_switch_changes_the_language_and_goes_back(visitor, place):
    switched = switch(visitor, "en", "/c/lang-test?rooms=2")
    assert switched.status_code == 303 and switched.headers["location"] == "/c/lang-test?rooms=2"
    assert visitor.cookies.get(LANG_COOKIE) == "en"
    for path in ("/", "/c/lang-test"):
        page = visitor.get(path).text
        assert '<html lang="en">' in page and "Residential complexes" in page, path
        assert "Жилые комплексы" not in page
    assert switch(visitor, "ru", "/").headers["location"] == "/"
    assert '<html lang="ru">' in visitor.get("/c/lang-test").text


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example", "/\\evil.example", "", "javascript:x"])
def test_the_switch_never_sends_the_browser_off_site(visitor, place, back):
    token = csrf_from(visitor, "/")
    answer = visitor.post("/language", data={"language": "en", "next": back, "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_an_unknown_language_is_refused(visitor, place):
    token = csrf_from(visitor, "/")
    answer = visitor.post("/language", data={"language": "xx", "next": "/", "csrf_token": token})
    assert answer.status_code == 422 and LANG_COOKIE not in visitor.cookies
    assert "Выберите русский или английский язык." in answer.text


def test_the_fast_path_serves_each_language_its_own_page(app, client, place, count_queries):
    app.state.settings.public_version_ttl_ms = 60_000
    russian = client.get("/c/lang-test")
    english_browser = type(client)(app, follow_redirects=False)
    assert switch(english_browser, "en", "/c/lang-test").status_code == 303
    english = english_browser.get("/c/lang-test")
    with count_queries() as statements:  # both now come from memory, each in its own language
        russian_again = client.get("/c/lang-test")
        english_again = english_browser.get("/c/lang-test")
    assert statements == []
    assert '<html lang="ru">' in russian.text and '<html lang="ru">' in russian_again.text
    assert '<html lang="en">' in english.text and '<html lang="en">' in english_again.text
    assert russian_again.headers["ETag"] != english_again.headers["ETag"]
    # a Russian revalidation never gets the English page's 304, and back again
    assert client.get("/c/lang-test", headers={"If-None-Match": english_again.headers["ETag"]}).status_code == 200


def test_a_logged_in_user_reads_their_profile_language(app, client, db, user_of, place):
    seller = user_of(Role.SALES)
    seller.language = "en"
    db.flush()
    client.cookies.set(SESSION_COOKIE, session_token(app.state.settings, seller))  # no language cookie at all
    assert '<html lang="en">' in client.get("/c/lang-test").text
    assert '<html lang="en">' in client.get("/dashboard/sales/").text


def test_the_switch_of_a_logged_in_user_changes_their_profile(app, client, db, user_of, place):
    seller = user_of(Role.SALES)
    client.cookies.set(SESSION_COOKIE, session_token(app.state.settings, seller))
    assert '<html lang="ru">' in client.get("/c/lang-test").text
    assert switch(client, "en", "/c/lang-test").status_code == 303
    db.expire_all()
    assert seller.language == "en"
    assert '<html lang="en">' in client.get("/c/lang-test").text
    assert "Log out" in client.get("/dashboard/sales/").text


@pytest.mark.parametrize(
    ("profile", "cookie", "message"), [("en", None, "Lead not found."), ("ru", "en", "Лид не найден.")]
)
def test_a_logged_in_users_messages_follow_their_profile_not_the_cookie(
    app, client, db, user_of, profile, cookie, message
):
    seller = user_of(Role.SALES)
    seller.language = profile
    db.flush()
    client.cookies.set(SESSION_COOKIE, session_token(app.state.settings, seller))
    if cookie:
        client.cookies.set(LANG_COOKIE, cookie)  # a language pressed on the site before, or on another account
    missing = client.get("/api/sales/leads/999999")
    assert missing.status_code == 404 and missing.json()["detail"] == message
    bearer = type(client)(app).get(
        "/api/sales/leads/999999", headers={"Authorization": f"Bearer {session_token(app.state.settings, seller)}"}
    )
    assert bearer.json()["detail"] == message
