"""The webhook: the secret header (401, nothing runs), one handling per update_id, 429 honoured,
a blocked user's chat marked unreachable without a crash, the bot off without a token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.auth.permissions import Role
from app.domain.telegram.models import TelegramLink, TelegramUpdate
from tests.bot.helpers import link
from tests.conftest import make_settings


def test_a_wrong_or_missing_secret_gets_401_and_nothing_runs(tg, bot_api, db):
    chat = tg(700)
    update = chat.message("/start")
    assert chat.post(update, secret="wrong").status_code == 401
    assert chat.client.post("/telegram/webhook", json=update).status_code == 401
    assert bot_api.calls == []
    assert db.get(TelegramUpdate, update["update_id"]) is None


def test_a_retried_delivery_is_handled_once(tg, bot_api, db, user_of):
    link(db, user_of(Role.SALES), 701)
    chat = tg(701)
    update = chat.message("/checkin")
    assert chat.post(update).status_code == 200
    assert chat.post(update).status_code == 200
    assert len(bot_api.sent()) == 1
    assert "Вы пришли на смену" in bot_api.sent()[0].text


def test_not_an_update_is_refused(tg):
    assert tg(702).post({"hello": "world"}).status_code == 400


def test_429_is_waited_out_and_the_message_arrives(tg, bot_api, db, user_of):
    link(db, user_of(Role.SALES), 703)
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    tg(703).send("/start")
    attempts = bot_api.sent()
    assert len(attempts) == 2 and "Здравствуйте" in attempts[1].text


def test_a_server_error_is_retried(tg, bot_api, db, user_of):
    link(db, user_of(Role.SALES), 704)
    bot_api.fail("sendMessage", 502, "Bad Gateway")
    tg(704).send("/start")
    assert len(bot_api.sent()) == 2


def test_a_blocked_user_is_marked_unreachable_and_nothing_crashes(tg, bot_api, db, user_of, client_as):
    seller = user_of(Role.SALES)
    link(db, seller, 705)
    bot_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert tg(705).send("/checkin").status_code == 200
    db.expire_all()
    assert db.get(TelegramLink, seller.id).unreachable_at is not None
    assert client_as(Role.SALES).get("/api/sales/telegram").json()["unreachable"] is True
    assert "заблокировали" in client_as(Role.SALES).get("/dashboard/sales/telegram").text
    tg(705).send("/start")  # writing to the bot again: reachable again
    db.expire_all()
    assert db.get(TelegramLink, seller.id).unreachable_at is None


def test_without_a_token_the_webhook_is_off(database_url, tmp_path, db):
    from app.main import create_app

    app = create_app(make_settings(database_url, tmp_path), check_schema=False)
    response = TestClient(app).post("/telegram/webhook", json={"update_id": 1})
    assert response.status_code == 404
