"""The Celery application: Redis broker when BROKER_URL/REDIS_URL is set, inline otherwise."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from settings import Settings, settings

BEAT_SCHEDULE = {
    "daily-database-backup": {"task": "tasks.backup.backup_database", "schedule": crontab(hour=2, minute=30)},
    "expire-bookings": {"task": "tasks.bookings.expire_bookings", "schedule": 60.0},
    # beat runs in TIME_ZONE (timezone below): at 00:01 company time, and at minute 1 of every hour
    # so a beat that was down at midnight still closes yesterday's shifts soon after
    "close-forgotten-shifts": {"task": "tasks.attendance.close_forgotten_shifts", "schedule": crontab(minute=1)},
    # notifications (tasks/notify.py): what is due is found by scans; each send is a job of its own
    "notify-callbacks-due": {"task": "tasks.notify.scan_callbacks", "schedule": 60.0},
    "notify-bookings-expiring": {"task": "tasks.notify.scan_bookings", "schedule": 300.0},
    "notify-release-deferred": {"task": "tasks.notify.release_deferred", "schedule": 60.0},
    "notify-overdue-digest": {"task": "tasks.notify.send_digests", "schedule": crontab(hour=9, minute=0)},
}


REDIS_SCHEMES = ("redis", "rediss", "redis+socket", "sentinel")


def is_redis(url: str) -> bool:
    """Whether `url` names a Redis broker (Kombu's redis, rediss, redis+socket or sentinel transport)."""
    return url.partition("://")[0].lower() in REDIS_SCHEMES


def configure(app: Celery, config: Settings) -> Celery:
    """Point `app` at the configured broker, or make every task run inline."""
    broker = config.celery_broker
    # Redis has no acknowledgements of its own: a job a worker took waits in its "unacked" set, and a
    # job whose worker vanished (kill -9, power loss) is handed out again only once it is older than
    # the visibility timeout. It must exceed the longest job (an import of IMPORT_MAX_ROWS rows), or a
    # job still running is handed out a second time. (The Redis result backend has no such timeout.)
    transport = {"visibility_timeout": config.broker_visibility_timeout} if is_redis(broker) else {}
    app.conf.update(
        broker_url=broker or "memory://",
        result_backend=broker or None,
        task_always_eager=not broker,
        task_eager_propagates=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options=transport,
        result_expires=3600,
        timezone=config.time_zone,
        enable_utc=True,
        beat_schedule=BEAT_SCHEDULE,
    )
    return app


def make_celery(config: Settings) -> Celery:
    """A Celery app for `config`; tasks are shared, so they run on whichever app is current."""
    app = configure(
        Celery("crm", include=["tasks.backup", "tasks.bookings", "tasks.attendance", "tasks.imports", "tasks.notify"]),
        config,
    )
    app.set_default()
    return app


celery_app = make_celery(settings)
