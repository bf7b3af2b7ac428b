"""The lead card's callback buttons: in an hour, tomorrow at 10:00 and "pick a date" (a day, then
an hour of it), each setting the exact moment in company time; stale or forged buttons refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.auth.permissions import Role
from app.core import clock
from app.domain.leads.models import Lead
from tests.bot.helpers import link
from tests.factories import make_lead, make_user

NOW = datetime(2026, 12, 3, 4, 30, tzinfo=UTC)  # 09:30 in Tashkent, a Thursday


@pytest.fixture
def at_nine_thirty(time_machine):
    """The clock at 09:30 company time, ticking."""
    time_machine.move_to(NOW)


def labels(call) -> list[str]:
    """The labels of a message's buttons."""
    return [b["text"] for b in call.buttons()]


def data_of(call, text_part: str) -> str:
    """The callback data of the button whose label holds `text_part`."""
    return next(b["callback_data"] for b in call.buttons() if text_part in b["text"])


def callback_of(db, lead_id: int) -> datetime:
    """The lead's next callback as stored."""
    db.expire_all()
    return db.get(Lead, lead_id).next_callback_at


def open_card(tg, bot_api, chat: int, lead_id: int):
    """Press the lead's button; the card as edited."""
    tg(chat).press(f"ld:open:{lead_id}")
    return bot_api.sent("editMessageText")[-1]


def test_the_card_offers_the_three_callback_buttons(tg, bot_api, db, user_of, at_nine_thirty):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 900)
    card = open_card(tg, bot_api, 900, lead.id)
    assert {"Перезвонить через час", "Завтра в 10:00", "Выбрать дату"} <= set(labels(card))


def test_in_an_hour_and_tomorrow_at_ten_set_those_moments(tg, bot_api, db, user_of, at_nine_thirty):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 901)
    card = open_card(tg, bot_api, 901, lead.id)
    tg(901).press(data_of(card, "через час"))
    assert abs(callback_of(db, lead.id) - (clock.now() + timedelta(hours=1))) < timedelta(minutes=1)
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Звонок назначен."
    tg(901).press(data_of(card, "Завтра в 10:00"))
    assert callback_of(db, lead.id) == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)  # 10:00 in Tashkent
    assert "04.12.2026, 10:00" in bot_api.sent("editMessageText")[-1].text


def test_pick_a_date_offers_a_week_then_the_hours_and_sets_the_callback(tg, bot_api, db, user_of, at_nine_thirty):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, name="Дилноза")
    link(db, seller, 902)
    card = open_card(tg, bot_api, 902, lead.id)
    tg(902).press(data_of(card, "Выбрать дату"))
    days = bot_api.sent("editMessageText")[-1]
    assert "Когда перезвонить Дилноза?" in days.text
    assert [t for t in labels(days) if t != "Назад"] == [f"{d:02d}.12.2026" for d in range(3, 10)]
    tg(902).press(data_of(days, "03.12.2026"))  # today: only the hours still ahead
    today_hours = bot_api.sent("editMessageText")[-1]
    later_today = [f"{h}:00" for h in (10, 11, 12, 14, 15, 16, 17, 18)]
    assert [t for t in labels(today_hours) if t != "Назад"] == later_today
    tg(902).press(data_of(days, "05.12.2026"))
    hours = bot_api.sent("editMessageText")[-1]
    assert "09:00" in labels(hours) and "05.12.2026" in hours.text
    tg(902).press(data_of(hours, "15:00"))
    assert callback_of(db, lead.id) == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # 15:00 in Tashkent
    assert "05.12.2026, 15:00" in bot_api.sent("editMessageText")[-1].text
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Звонок назначен."


def test_a_past_hour_or_a_day_outside_the_week_is_not_set(tg, bot_api, db, user_of, at_nine_thirty):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 903)
    tg(903).press(f"ca:{lead.id}:20261203:9")  # 09:00 today has passed: the hours are offered again
    assert "09:00" not in labels(bot_api.sent("editMessageText")[-1])
    tg(903).press(f"ca:{lead.id}:20261230:10")
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Выберите один из предложенных дней."
    tg(903).press(f"ca:{lead.id}:2026-12-04:10")
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Лид не найден."
    assert callback_of(db, lead.id) is None


def test_another_salespersons_lead_cannot_be_given_a_date(tg, bot_api, db, user_of, at_nine_thirty):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    theirs = make_lead(db, other)
    link(db, seller, 904)
    for data in (f"ld:cbpick:{theirs.id}", f"ca:{theirs.id}:20261204:10"):
        tg(904).press(data)
        assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Лид не найден."
    assert callback_of(db, theirs.id) is None
