"""Settings come from the environment with safe defaults; unsafe production settings refuse."""

from __future__ import annotations

import pytest

from settings import DEV_SECRET_KEY, ConfigError, Settings


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
