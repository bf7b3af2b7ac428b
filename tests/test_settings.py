"""Settings come from the environment with safe defaults; unsafe production settings refuse."""

from __future__ import annotations

import pytest
from celery import Celery

from settings import DEV_SECRET_KEY, ConfigError, Settings
from tasks.celery_app import configure


def test_defaults_are_local_and_embedded(monkeypatch):
    for name in ("DATABASE_URL", "APP_ENV", "SECRET_KEY", "BROKER_URL", "REDIS_URL", "PORT", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    config = Settings.from_env()
    assert config.database_url.startswith("sqlite:///") and config.database_url.endswith("data/crm.db")
    assert (config.host, config.port, config.workers) == ("127.0.0.1", 8000, 1)
    assert config.celery_broker == "" and not config.production


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/0")
    config = Settings.from_env()
    assert (config.database_url, config.port, config.celery_broker) == (
        "postgresql+psycopg://u@h/db",
        9000,
        "redis://r:6379/0",
    )
    assert not config.is_sqlite


@pytest.mark.parametrize("secret", ["", DEV_SECRET_KEY, "too-short"])
def test_production_needs_a_real_secret(monkeypatch, secret):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env()


def test_production_with_a_real_secret_starts(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    assert Settings.from_env().production


def test_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="TIME_ZONE"):
        Settings.from_env()


def test_no_proxy_is_trusted_by_default(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("TRUST_PROXY", raising=False)
    assert Settings.from_env().trusted_networks == ()


def test_trusted_proxies_are_ips_and_cidrs(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2, 172.16.0.0/12,fd00::/8")
    assert [str(n) for n in Settings.from_env().trusted_networks] == ["10.0.0.2/32", "172.16.0.0/12", "fd00::/8"]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2,proxy.local")
    with pytest.raises(ConfigError, match=r"TRUSTED_PROXIES.*proxy\.local"):
        Settings.from_env()


def test_the_old_trust_everyone_switch_names_its_replacement(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("TRUST_PROXY", "true")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env()


@pytest.mark.parametrize(
    ("value", "hours"),
    [("22-08", ((22, 0), (8, 0))), ("22:30-07:15", ((22, 30), (7, 15))), ("off", None), ("13-13", None)],
)
def test_quiet_hours_are_read_in_company_time(monkeypatch, value, hours):
    monkeypatch.setenv("NOTIFY_QUIET_HOURS", value)
    quiet = Settings.from_env().quiet_hours
    assert (None if quiet is None else tuple((t.hour, t.minute) for t in quiet)) == hours


@pytest.mark.parametrize("value", ["22", "22-25", "night", "22-08-09"])
def test_bad_quiet_hours_refuse_to_start_and_say_how(monkeypatch, value):
    monkeypatch.setenv("NOTIFY_QUIET_HOURS", value)
    with pytest.raises(ConfigError, match=r"NOTIFY_QUIET_HOURS.*22-08"):
        Settings.from_env()


def test_the_broker_visibility_timeout_is_an_hour_unless_set(monkeypatch):
    monkeypatch.delenv("BROKER_VISIBILITY_TIMEOUT", raising=False)
    assert Settings.from_env().broker_visibility_timeout == 3600
    monkeypatch.setenv("BROKER_VISIBILITY_TIMEOUT", "7200")
    assert Settings.from_env().broker_visibility_timeout == 7200


@pytest.mark.parametrize("value", ["0", "-60"])
def test_a_visibility_timeout_under_a_second_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("BROKER_VISIBILITY_TIMEOUT", value)
    with pytest.raises(ConfigError, match="BROKER_VISIBILITY_TIMEOUT"):
        Settings.from_env()


@pytest.mark.parametrize(
    ("broker", "options"),
    [
        ("redis://r:6379/0", {"visibility_timeout": 90}),
        ("rediss://r:6380/0", {"visibility_timeout": 90}),
        ("sentinel://s:26379", {"visibility_timeout": 90}),
        ("amqp://guest@r//", {}),
        ("", {}),
    ],
)
def test_the_visibility_timeout_reaches_a_redis_broker_only(broker, options):
    app = configure(Celery("probe", set_as_current=False), Settings(broker_url=broker, broker_visibility_timeout=90))
    assert app.conf.broker_transport_options == options
