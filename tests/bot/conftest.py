"""Fixtures of the bot tests: the Bot API stand-in, the app in webhook mode, a chat that talks to it."""

from __future__ import annotations

from itertools import count

import pytest
from fastapi.testclient import TestClient

from tests.bot.stub import BotApiStub, start_stub
from tests.conftest import make_settings

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret-for-tests-0123"
_updates = count(1000)


@pytest.fixture(scope="session")
def bot_api_server():
    """One stand-in server for the session."""
    stub, server = start_stub()
    yield stub
    server.shutdown()


@pytest.fixture
def bot_api(bot_api_server) -> BotApiStub:
    """The stand-in with no calls recorded yet."""
    bot_api_server.reset()
    return bot_api_server


@pytest.fixture
def settings(database_url, tmp_path, bot_api):
    """The test app's settings in webhook mode, the Bot API pointed at the stand-in."""
    return make_settings(
        database_url,
        tmp_path,
        telegram_bot_token=TOKEN,
        telegram_api_base=bot_api.url,
        telegram_webhook_secret=SECRET,
        telegram_mode="webhook",
        telegram_bot_username="crm_test_bot",
        public_base_url="https://crm.example.uz",
    )


class TgChat:
    """A private chat that sends messages and presses buttons through the webhook."""

    def __init__(self, client: TestClient, chat_id: int, language: str = "ru") -> None:
        self.client, self.chat_id, self.language = client, chat_id, language

    def _sender(self) -> dict:
        return {"id": self.chat_id, "is_bot": False, "first_name": "Тест", "language_code": self.language}

    def post(self, update: dict, secret: str = SECRET):
        """Deliver an update as Telegram does."""
        return self.client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})

    def message(self, text: str) -> dict:
        """An update carrying a text message from this chat."""
        n = next(_updates)
        message = {
            "message_id": n,
            "date": 1764633600,
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Тест"},
            "from": self._sender(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": n, "message": message}

    def send(self, text: str):
        """Send a text message."""
        return self.post(self.message(text))

    def press(self, data: str):
        """Press an inline button with this callback data."""
        n = next(_updates)
        message = {"message_id": 1, "date": 1764633600, "chat": {"id": self.chat_id, "type": "private"}, "text": "…"}
        query = {"id": str(n), "from": self._sender(), "chat_instance": "1", "data": data, "message": message}
        return self.post({"update_id": n, "callback_query": query})


@pytest.fixture
def tg(app):
    """Open a chat by id: `tg(555)`."""
    with TestClient(app, follow_redirects=False) as client:  # one event loop for the bot's HTTP session
        yield lambda chat_id, language="ru": TgChat(client, chat_id, language)
