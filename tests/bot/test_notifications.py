"""Telegram notifications end to end: the domain commits, a job runs on a real Celery worker on
Redis, the message reaches the Bot API stand-in in Russian. Each kind; once per key on redelivery;
403 marks the chat unreachable; 429's retry_after and 5xx backoff; quiet hours; switches off."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import Role
from app.core import clock
from app.db import write_session
from app.domain.bookings.crud import bookings
from app.domain.bookings.schemas import BookingCreate, ExtensionRequest
from app.domain.leads.crud import pipeline
from app.domain.leads.models import Lead
from app.domain.leads.schemas import Assignment
from app.domain.notify.crud import SendKey, notify
from app.domain.notify.models import Delivery, NotifyKind, SentNotification
from app.domain.notify.rules import due_key
from app.domain.notify.schemas import NotifySettingsUpdate
from app.domain.telegram.models import TelegramLink
from app.migrations import upgrade
from settings import Settings
from settings import settings as default_settings
from tasks import notify as jobs
from tasks.celery_app import celery_app, make_celery
from tests.bot.conftest import TOKEN
from tests.bot.helpers import link
from tests.conftest import BACKENDS, PG_URL, reset_postgres
from tests.factories import free_apartment, make_lead, make_user
from tests.workers import create_postgres_database, own_redis_url

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
DAYTIME = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 12:00 in Tashkent
NIGHT = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # 23:00 in Tashkent
MORNING = datetime(2026, 12, 4, 3, 1, tzinfo=UTC)  # 08:01 in Tashkent


@pytest.fixture(scope="module", params=BACKENDS)
def live_url(request, tmp_path_factory) -> str:
    """A migrated database of each backend that the worker and the test both commit to."""
    if request.param == "postgresql":
        url = PG_URL.rsplit("/", 1)[0] + "/" + PG_URL.rsplit("/", 1)[1] + "_live"
        create_postgres_database(url)
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('notify') / 'live.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def worker(live_url, bot_api_server) -> Iterator[object]:
    """A Celery worker on Redis in this process, the notification jobs pointed at the stand-in."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    patch = pytest.MonkeyPatch()
    for name, value in {
        "database_url": live_url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base": bot_api_server.url,
        "redis_url": REDIS_URL,
        "broker_url": REDIS_URL,
        "notify_quiet_hours": "22-08",
        "notify_max_retries": 3,
        "public_base_url": "https://crm.example.uz",
    }.items():
        patch.setattr(default_settings, name, value)
    app = make_celery(Settings(broker_url=REDIS_URL))
    app.loader.import_module("celery.contrib.testing.tasks")
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
            yield app
    finally:
        celery_app.set_default()
        patch.undo()


@pytest.fixture
def daytime(time_machine, worker) -> None:
    """Noon in the company's time zone (the clock ticks on)."""
    time_machine.move_to(DAYTIME)


def drain(app: object) -> None:
    """Wait until the worker has run everything queued before now (the solo pool runs in order)."""
    app.tasks["celery.ping"].delay().get(timeout=30)


def wait_for(found: Callable[[], list], timeout: float = 30) -> list:
    """Poll until `found()` is not empty."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("nothing arrived in time")


def to_chat(bot_api, chat: int) -> list:
    """Messages the stand-in got for `chat`."""
    return [c for c in bot_api.sent() if str(c.params.get("chat_id")) == str(chat)]


def labels(call) -> list[str]:
    """The message's button labels."""
    return [b["text"] for b in call.buttons()]


def salesperson(url: str, chat: int, **fields) -> User:
    """A linked salesperson (committed)."""
    with write_session(url) as db:
        seller = make_user(db, Role.SALES, **fields)
        link(db, seller, chat)
    return seller


def with_leads(url: str, chat: int, count: int = 1, name: str = "Buyer") -> tuple[User, list[Lead]]:
    """A linked salesperson with `count` leads of their own (committed)."""
    seller = salesperson(url, chat)
    with write_session(url) as db:
        leads = [make_lead(db, seller, name=name) for _ in range(count)]
    return seller, leads


def journal(url: str, key: SendKey) -> SentNotification | None:
    """The key's journal row."""
    with write_session(url) as db:
        return db.scalar(
            select(SentNotification).where(
                SentNotification.kind == key.kind,
                SentNotification.object_id == key.object_id,
                SentNotification.recipient_id == key.recipient_id,
                SentNotification.due_key == key.due_key,
            )
        )


def test_a_lead_assigned_by_the_mop_reaches_the_salesperson_as_the_bots_card(live_url, worker, bot_api, daytime):
    seller = salesperson(live_url, 7001)
    with write_session(live_url) as db:
        mop = make_user(db, Role.MOP)
        lead = make_lead(db, None, name="Азиз Каримов", phone="+998901230001")
        pipeline.assign(db, mop, Assignment(lead_ids=[lead.id], salesperson_id=seller.id))
    message = wait_for(lambda: to_chat(bot_api, 7001))[0]
    assert message.text.startswith("🆕 Вам назначен новый лид")
    assert "<b>Азиз Каримов</b>" in message.text and "+998901230001" in message.text
    assert "Статус: В работе" in message.text
    assert {"Перезвонить через час", "Завтра в 10:00", "Выбрать дату", "Добавить комментарий"} <= set(labels(message))
    url = f"https://crm.example.uz/dashboard/sales/leads/{lead.id}"
    assert any(b.get("url") == url for b in message.buttons())


def test_automatic_distribution_notifies_whoever_got_the_lead(live_url, worker, bot_api, daytime):
    from app.domain.distribution.crud import distribution
    from app.domain.staff.attendance import attendance

    seller = salesperson(live_url, 7002)
    with write_session(live_url) as db:
        attendance.check_in(db, db.get(User, seller.id))
    with write_session(live_url) as db:
        lead = make_lead(db, None, name="Очередной Клиент")
        distribution.route_lead(db, lead)
        got = db.get(Lead, lead.id).assigned_id
    assert got == seller.id  # the only one on shift
    assert "Очередной Клиент" in wait_for(lambda: to_chat(bot_api, 7002))[0].text


def test_a_redelivered_or_duplicated_job_sends_once(live_url, worker, bot_api, daytime):
    seller, (lead,) = with_leads(live_url, 7003, name="Дважды")
    args = (lead.id, seller.id, "20261203T070000")
    results = [jobs.new_lead.delay(*args) for _ in range(3)]
    outcomes = sorted(r.get(timeout=30) for r in results)
    assert outcomes == ["duplicate", "duplicate", "sent"]
    assert len(to_chat(bot_api, 7003)) == 1
    assert journal(live_url, SendKey(NotifyKind.NEW_LEAD, *args)).status == Delivery.SENT


def test_a_callback_due_in_15_minutes_is_announced_once_by_the_beat_scan(live_url, worker, bot_api, daytime):
    seller = salesperson(live_url, 7004)
    with write_session(live_url) as db:
        soon = make_lead(db, seller, name="Скоро Звоним", next_callback_at=clock.now() + timedelta(minutes=10))
        make_lead(db, seller, name="Позже Звоним", next_callback_at=clock.now() + timedelta(minutes=40))
    assert jobs.scan_callbacks.delay().get(timeout=30) >= 1
    message = wait_for(lambda: to_chat(bot_api, 7004))[0]
    local = clock.local(soon.next_callback_at)
    assert message.text.startswith(f"⏰ Перезвонить в {local:%H:%M}: <b>Скоро Звоним</b>")
    assert {"✓ Готово", "Через час", "Завтра в 10:00"} <= set(labels(message))
    jobs.scan_callbacks.delay().get(timeout=30)
    drain(worker)
    assert [m.text for m in to_chat(bot_api, 7004) if "Звоним" in m.text] == [message.text]


def test_a_booking_running_out_within_6_hours_is_announced(live_url, worker, bot_api, daytime):
    seller = salesperson(live_url, 7005)
    with write_session(live_url) as db:
        me = db.get(User, seller.id)
        apartment = free_apartment(db)
        lead = make_lead(db, me, name="Клиент Брони")
        booking = bookings.create(db, me, BookingCreate(apartment_id=apartment.id, lead_id=lead.id, hours=5), 72)
        number = apartment.number
    jobs.scan_bookings.delay().get(timeout=30)
    message = wait_for(lambda: to_chat(bot_api, 7005))[0]
    assert f"кв. № {number}" in message.text and "<b>Клиент Брони</b>" in message.text
    assert "истекает" in message.text and "Попросите МОП продлить" in message.text
    key = SendKey(NotifyKind.BOOKING_EXPIRING, booking.id, seller.id, due_key(booking.expires_at))
    wait_for(lambda: [1] if journal(live_url, key).status == Delivery.SENT else [])  # keyed by its expiry
    assert jobs.scan_bookings.delay().get(timeout=30) == 0  # announced once


def test_the_extension_decision_reaches_the_requester(live_url, worker, bot_api, daytime):
    seller = salesperson(live_url, 7006)
    with write_session(live_url) as db:
        me, mop = db.get(User, seller.id), make_user(db, Role.MOP)
        apartment = free_apartment(db)
        lead = make_lead(db, me)
        booking = bookings.create(db, me, BookingCreate(apartment_id=apartment.id, lead_id=lead.id, hours=48), 72)
        bookings.request_extension(db, me, booking.id, ExtensionRequest(hours=24, reason="Ждём перевод"))
    with write_session(live_url) as db:
        bookings.decide_extension(db, db.get(User, mop.id), booking.id, approve=True)
    approved = wait_for(lambda: to_chat(bot_api, 7006))[0]
    assert approved.text.startswith("✅ Продление одобрено") and f"кв. № {apartment.number}" in approved.text
    with write_session(live_url) as db:
        bookings.request_extension(db, db.get(User, seller.id), booking.id, ExtensionRequest(hours=24, reason="Ещё"))
    with write_session(live_url) as db:
        bookings.decide_extension(db, db.get(User, mop.id), booking.id, approve=False)
    rejected = wait_for(lambda: to_chat(bot_api, 7006)[1:])[0]
    assert rejected.text.startswith("❌ В продлении отказано")


def test_the_mop_gets_the_morning_digest_of_overdue_callbacks(live_url, worker, bot_api, daytime):
    with write_session(live_url) as db:
        late_one = make_user(db, Role.SALES, full_name="Опоздалов Первый")
        late_two = make_user(db, Role.SALES, full_name="Опоздалов Второй")
        for owner, count in ((late_one, 3), (late_two, 1)):
            for n in range(count):
                make_lead(db, owner, next_callback_at=clock.now() - timedelta(hours=n + 1))
        link(db, make_user(db, Role.MOP), 7007)
    jobs.send_digests.delay().get(timeout=30)
    digest = wait_for(lambda: to_chat(bot_api, 7007))[0]
    assert digest.text.startswith("📋 Просроченные перезвоны на 03.12.2026:")
    assert "— Опоздалов Первый: 3, самый давний с" in digest.text
    assert "— Опоздалов Второй: 1" in digest.text and "Всего:" in digest.text
    jobs.send_digests.delay().get(timeout=30)
    drain(worker)
    assert len(to_chat(bot_api, 7007)) == 1  # once a day


def test_a_chat_that_blocked_the_bot_is_marked_unreachable_and_skipped(live_url, worker, bot_api, daytime):
    seller, (first, second) = with_leads(live_url, 7008, 2)
    bot_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert jobs.new_lead.delay(first.id, seller.id, "k1").get(timeout=30) == "unreachable"
    with write_session(live_url) as db:
        assert db.get(TelegramLink, seller.id).unreachable_at is not None
    assert jobs.new_lead.delay(second.id, seller.id, "k2").get(timeout=30) == "no chat"
    assert len(to_chat(bot_api, 7008)) == 1  # the refused one only
    assert journal(live_url, SendKey(NotifyKind.NEW_LEAD, first.id, seller.id, "k1")).status == Delivery.UNREACHABLE


def test_429_waits_retry_after_then_sends_once(live_url, worker, bot_api, daytime):
    seller, (lead,) = with_leads(live_url, 7009, name="Терпеливый")
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
    assert jobs.new_lead.delay(lead.id, seller.id, "k").get(timeout=60) == "sent"
    calls = to_chat(bot_api, 7009)
    assert len(calls) == 2 and "Терпеливый" in calls[1].text
    assert calls[1].at - calls[0].at >= 2  # not before retry_after
    row = journal(live_url, SendKey(NotifyKind.NEW_LEAD, lead.id, seller.id, "k"))
    assert row.status == Delivery.SENT and row.attempts == 2


def test_5xx_is_retried_with_backoff_and_given_up_after_max_retries(live_url, worker, bot_api, daytime):
    seller, (lucky, hopeless) = with_leads(live_url, 7010, 2)
    bot_api.fail("sendMessage", 502, "Bad Gateway")
    assert jobs.new_lead.delay(lucky.id, seller.id, "k").get(timeout=60) == "sent"
    first, second = to_chat(bot_api, 7010)
    assert second.at - first.at >= 2  # backed off
    for _ in range(4):
        bot_api.fail("sendMessage", 500, "Internal Server Error")
    assert jobs.new_lead.delay(hopeless.id, seller.id, "k").get(timeout=120) == "failed"
    assert len(to_chat(bot_api, 7010)) == 2 + 4  # the first try and 3 retries, then no more
    assert journal(live_url, SendKey(NotifyKind.NEW_LEAD, hopeless.id, seller.id, "k")).status == Delivery.FAILED


def test_quiet_hours_hold_a_new_lead_until_the_morning(live_url, worker, bot_api, time_machine):
    time_machine.move_to(NIGHT)
    seller, (lead,) = with_leads(live_url, 7011, name="Ночной Лид")
    key = SendKey(NotifyKind.NEW_LEAD, lead.id, seller.id, "night")
    assert jobs.new_lead.delay(*key.args()).get(timeout=30) == "deferred"
    row = journal(live_url, key)
    assert row.status == Delivery.DEFERRED and row.not_before == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 08:00
    assert jobs.release_deferred.delay().get(timeout=30) == 0 and not to_chat(bot_api, 7011)
    time_machine.move_to(MORNING)
    assert jobs.release_deferred.delay().get(timeout=30) >= 1
    assert "Ночной Лид" in wait_for(lambda: to_chat(bot_api, 7011))[0].text


def test_a_callback_goes_at_night_only_for_whoever_made_it_urgent(live_url, worker, bot_api, time_machine):
    time_machine.move_to(NIGHT)
    calm, urgent = salesperson(live_url, 7012), salesperson(live_url, 7013)
    with write_session(live_url) as db:
        notify.update_settings(db, db.get(User, urgent.id), NotifySettingsUpdate(callback_urgent_at_night=True))
        for owner in (calm, urgent):
            make_lead(db, owner, name="Ночной Звонок", next_callback_at=clock.now() + timedelta(minutes=5))
    jobs.scan_callbacks.delay().get(timeout=30)
    assert "Ночной Звонок" in wait_for(lambda: to_chat(bot_api, 7013))[0].text
    drain(worker)
    assert not to_chat(bot_api, 7012)
    with write_session(live_url) as db:
        held = db.scalars(select(SentNotification).where(SentNotification.recipient_id == calm.id)).all()
    assert [(r.kind, r.status) for r in held] == [(NotifyKind.CALLBACK_DUE, Delivery.DEFERRED)]


def test_a_switch_turned_off_sends_nothing(live_url, worker, bot_api, daytime):
    seller = salesperson(live_url, 7014)
    with write_session(live_url) as db:
        mop = make_user(db, Role.MOP)
        notify.update_settings(db, db.get(User, seller.id), NotifySettingsUpdate(new_lead=False))
        lead = make_lead(db, None, name="Молчаливый")
        pipeline.assign(db, mop, Assignment(lead_ids=[lead.id], salesperson_id=seller.id))
    drain(worker)
    assert jobs.new_lead.delay(lead.id, seller.id, "again").get(timeout=30) == "switched off"
    assert not to_chat(bot_api, 7014)


@pytest.fixture
def inline_jobs(live_url, bot_api, monkeypatch, time_machine) -> None:
    """No broker: jobs run in this process (the suite's Celery app is inline), at noon."""
    time_machine.move_to(DAYTIME)
    assert celery_app.conf.task_always_eager
    for name, value in {
        "database_url": live_url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base": bot_api.url,
        "redis_url": "",
        "broker_url": "",
    }.items():
        monkeypatch.setattr(default_settings, name, value)


def test_without_a_broker_the_assignment_still_notifies_in_process(live_url, inline_jobs, bot_api):
    seller = salesperson(live_url, 7015)
    with write_session(live_url) as db:
        mop = make_user(db, Role.MOP)
        leads = [make_lead(db, None, name=f"Без Брокера {n}") for n in range(2)]
        pipeline.assign(db, mop, Assignment(lead_ids=[lead.id for lead in leads], salesperson_id=seller.id))
    got = wait_for(lambda: to_chat(bot_api, 7015)[1:])  # paced: one chat, 1 per interval
    assert {c.text.split("\n")[2] for c in to_chat(bot_api, 7015)} == {"<b>Без Брокера 0</b>", "<b>Без Брокера 1</b>"}
    assert got[0].at - to_chat(bot_api, 7015)[0].at >= 1


def test_a_job_that_must_wait_for_its_chat_is_delayed_not_dropped(live_url, worker, bot_api, daytime, monkeypatch):
    monkeypatch.setattr(default_settings, "notify_chat_interval_ms", 3000)  # longer than a job sleeps
    seller, (first, second) = with_leads(live_url, 7016, 2, name="Терпение")
    assert jobs.new_lead.delay(first.id, seller.id, "k").get(timeout=30) == "sent"
    assert jobs.new_lead.delay(second.id, seller.id, "k").get(timeout=30) == "delayed"
    earlier, later = wait_for(lambda: to_chat(bot_api, 7016)[1:] and to_chat(bot_api, 7016))
    assert later.at - earlier.at >= 3
    key = SendKey(NotifyKind.NEW_LEAD, second.id, seller.id, "k")
    wait_for(lambda: [1] if journal(live_url, key).status == Delivery.SENT else [])
