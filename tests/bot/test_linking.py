"""Linking a chat to a staff account: the code from the profile, /start <code>, wrong, used,
expired and throttled codes, unlinking, and a deactivated user's chat stopping at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.auth.models import User
from app.auth.permissions import Role
from app.core import clock
from app.domain.telegram.crud import telegram
from app.domain.telegram.models import TelegramLink, TelegramLinkCode

LINK_FIRST = "Сначала привяжите аккаунт"


def code_for(client_as, role=Role.SALES) -> dict:
    """The JSON twin's fresh code for the role's user."""
    response = client_as(role).post(f"/api/{role.value}/telegram/link")
    assert response.status_code == 201, response.text
    return response.json()


def test_profile_code_links_the_chat(client_as, user_of, tg, bot_api, db):
    body = code_for(client_as)
    assert body["deep_link"] == f"https://t.me/crm_test_bot?start={body['code']}"
    assert len(body["code"]) <= 64 and body["code"].replace("-", "").replace("_", "").isalnum()
    chat = tg(555)
    assert chat.send(f"/start {body['code']}").status_code == 200
    assert "привязан" in bot_api.sent()[-1].text
    assert telegram.user_for_chat(db, 555).id == user_of(Role.SALES).id
    status = client_as(Role.SALES).get("/api/sales/telegram").json()
    assert status["linked"] is True


def test_the_page_shows_the_link_and_unlinks(client_as, tg, bot_api, db, user_of):
    browser = client_as(Role.MOP)
    page = browser.post("/dashboard/mop/telegram/link", data={"csrf_token": browser.csrf})
    assert page.status_code == 200
    assert "https://t.me/crm_test_bot?start=" in page.text and 'data-testid="telegram-code"' in page.text
    code = page.text.split("?start=", 1)[1].split('"', 1)[0]
    tg(777).send(f"/start {code}")
    assert "Отвязать Telegram" in browser.get("/dashboard/mop/telegram").text
    assert browser.post("/dashboard/mop/telegram/unlink", data={"csrf_token": browser.csrf}).status_code == 303
    assert telegram.user_for_chat(db, 777) is None
    tg(777).send("/leads")
    assert LINK_FIRST in bot_api.sent()[-1].text


def test_profile_page_offers_telegram(client_as):
    assert 'href="/dashboard/sales/telegram"' in client_as(Role.SALES).get("/profile").text


def test_wrong_used_and_expired_codes_are_refused(client_as, tg, bot_api, db, user_of):
    chat = tg(556)
    chat.send("/start not-a-real-code")
    assert "недействителен" in bot_api.sent()[-1].text
    body = code_for(client_as)
    chat.send(f"/start {body['code']}")
    tg(557).send(f"/start {body['code']}")
    assert "уже использован" in bot_api.sent()[-1].text
    assert telegram.user_for_chat(db, 557) is None
    late = code_for(client_as)
    db.execute(update(TelegramLinkCode).values(expires_at=clock.now() - timedelta(seconds=1)))
    tg(558).send(f"/start {late['code']}")
    assert "истёк" in bot_api.sent()[-1].text
    assert telegram.user_for_chat(db, 558) is None


def test_wrong_codes_are_throttled(client_as, tg, bot_api, db):
    chat = tg(559)
    for n in range(5):
        chat.send(f"/start wrong{n}")
    good = code_for(client_as)
    chat.send(f"/start {good['code']}")
    assert "Слишком много" in bot_api.sent()[-1].text
    assert telegram.user_for_chat(db, 559) is None


def test_relinking_moves_the_chat_and_logout_unlinks(client_as, tg, bot_api, db, user_of):
    tg(600).send(f"/start {code_for(client_as)['code']}")
    tg(601).send(f"/start {code_for(client_as)['code']}")
    links = db.query(TelegramLink).filter_by(user_id=user_of(Role.SALES).id).all()
    assert [link.chat_id for link in links] == [601]
    tg(601).send("/logout")
    assert "больше не привязан" in bot_api.sent()[-1].text
    assert telegram.user_for_chat(db, 601) is None


def test_a_deactivated_user_is_stopped_at_once(client_as, tg, bot_api, db, user_of):
    chat = tg(610)
    chat.send(f"/start {code_for(client_as)['code']}")
    db.execute(update(User).where(User.id == user_of(Role.SALES).id).values(is_active=False))
    chat.send("/leads")
    assert LINK_FIRST in bot_api.sent()[-1].text


def test_unlinked_chat_gets_only_a_polite_answer(tg, bot_api):
    tg(620).send("/leads")
    tg(620).press("ld:open:1")
    assert LINK_FIRST in bot_api.sent()[-1].text
    assert LINK_FIRST in bot_api.sent("answerCallbackQuery")[-1].params["text"]
