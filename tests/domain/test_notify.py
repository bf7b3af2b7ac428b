"""The notification journal and its rules: quiet hours in company time, and a send key that is
claimed once, released for a retry, held for the morning, or taken over from a worker that died."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.auth.permissions import Role
from app.core import clock
from app.domain.notify.crud import STALE_CLAIM, SendKey, notify
from app.domain.notify.models import Delivery, NotifyKind
from app.domain.notify.rules import quiet_until
from tests.factories import make_user

QUIET = (time(22, 0), time(8, 0))


def tashkent(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Tashkent (UTC+5) in December 2026, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=5)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (tashkent(3, 21, 59), None),
        (tashkent(3, 22, 0), tashkent(4, 8)),
        (tashkent(3, 23, 30), tashkent(4, 8)),
        (tashkent(4, 3, 0), tashkent(4, 8)),
        (tashkent(4, 8, 0), None),
    ],
)
def test_quiet_hours_run_over_midnight_in_company_time(moment, until):
    assert quiet_until(moment, QUIET) == until


def test_quiet_hours_within_a_day_and_none():
    assert quiet_until(tashkent(3, 13, 30), (time(13, 0), time(14, 0))) == tashkent(3, 14)
    assert quiet_until(tashkent(3, 14, 0), (time(13, 0), time(14, 0))) is None
    assert quiet_until(tashkent(3, 23, 0), None) is None


@pytest.fixture
def key(db) -> SendKey:
    """A send key for a fresh salesperson."""
    return SendKey(NotifyKind.NEW_LEAD, 1, make_user(db, Role.SALES).id, "20261203T070000")


def test_a_key_is_claimed_once_and_a_failed_try_releases_it_for_the_retry(db, key):
    assert notify.claim(db, key) is True
    assert notify.claim(db, key) is False  # a duplicate while the first is sending
    notify.settle(db, key, Delivery.PENDING, "502 Bad Gateway")
    assert notify.claim(db, key) is True  # the retry takes it again
    notify.settle(db, key, Delivery.SENT)
    assert notify.claim(db, key) is False and notify.status(db, key) == Delivery.SENT
    assert notify.defer(db, key, clock.now()) is False  # a sent key is never held again


def test_a_deferred_key_is_taken_only_after_its_time_and_released_by_beat(db, key, time_machine):
    time_machine.move_to(tashkent(3, 23))
    assert notify.defer(db, key, tashkent(4, 8)) is True
    assert notify.claim(db, key) is False and notify.release_deferred(db) == []
    time_machine.move_to(tashkent(4, 8, 1))
    assert key in notify.release_deferred(db)
    assert notify.status(db, key) == Delivery.PENDING and notify.claim(db, key) is True


def test_a_pending_key_whose_retry_was_lost_is_released_again(db, key, time_machine):
    time_machine.move_to(tashkent(3, 12))
    notify.claim(db, key)
    notify.settle(db, key, Delivery.PENDING, "502 Bad Gateway")
    time_machine.move_to(tashkent(3, 12, 20))
    assert key not in notify.release_deferred(db)  # its retry may still come
    time_machine.move_to(tashkent(3, 12, 31))
    assert key in notify.release_deferred(db)
    assert key not in notify.release_deferred(db)  # handed out once per half hour
    assert notify.claim(db, key) is True


def test_a_worker_that_died_holding_a_key_gives_it_up_after_a_while(db, key, time_machine):
    time_machine.move_to(tashkent(3, 12))
    assert notify.claim(db, key) is True
    time_machine.move_to(tashkent(3, 12) + STALE_CLAIM - timedelta(seconds=1))
    assert notify.claim(db, key) is False
    time_machine.move_to(tashkent(3, 12) + STALE_CLAIM + timedelta(seconds=1))
    assert notify.claim(db, key) is True  # a redelivered job takes it over
    time_machine.move_to(tashkent(3, 12, 45))
    assert key in notify.release_deferred(db)  # and beat hands it to a job should nothing come


def test_settings_are_per_user_and_on_by_default(db):
    first, second = make_user(db, Role.SALES), make_user(db, Role.SALES)
    from app.domain.notify.schemas import NotifySettingsUpdate

    notify.update_settings(db, first, NotifySettingsUpdate(booking_expiring=False))
    assert notify.wants(db, first.id, NotifyKind.BOOKING_EXPIRING) == (False, False)
    assert notify.wants(db, second.id, NotifyKind.BOOKING_EXPIRING) == (True, False)
