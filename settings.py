"""Every setting of the application, read from the environment and a .env file."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production

load_dotenv(BASE_DIR / ".env")


def _env(name: str, default: str = "") -> str:
    """Return the environment variable `name`, or `default` when unset or blank."""
    value = os.environ.get(name, "")
    return value if value.strip() else default


def _env_int(name: str, default: int) -> int:
    """Return the environment variable `name` as an integer."""
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable `name` as a boolean (1/true/yes/on)."""
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _pairs(text: str, key: type) -> dict:
    """ "a=1,b=2" as {a: 1, b: 2} with keys of type `key`; ValueError for anything else."""
    result = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, days = part.split("=")
        if int(days) < 0:
            raise ValueError(part)
        result[key(name.strip())] = int(days)
    return result


def _env_date(name: str, default: date) -> date:
    """Return the environment variable `name` as an ISO date (YYYY-MM-DD)."""
    value = _env(name, default.isoformat())
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2010-01-01") from exc


def _wall_time(text: str) -> time:
    """ "22" or "22:30" as a time of day; ValueError for anything else."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


@dataclass
class Settings:
    """The application's settings; build with `Settings.from_env()`."""

    production: bool = False
    secret_key: str = DEV_SECRET_KEY
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    broker_url: str = ""
    redis_url: str = ""
    broker_visibility_timeout: int = 3600  # Redis broker: seconds before a vanished worker's job is handed out again
    session_hours: int = 12
    cookie_secure: bool = False
    trusted_proxies: str = ""  # comma-separated IPs/CIDRs whose X-Forwarded-For/-Proto we believe
    login_max_failures_per_user_address: int = 5
    login_max_failures_per_ip: int = 20
    login_max_failures_per_user: int = 10
    login_slowdown_seconds: int = 30
    login_window_seconds: int = 900
    default_language: str = "ru"
    time_zone: str = "Asia/Tashkent"
    data_dir: Path = field(default_factory=lambda: BASE_DIR / "data")
    backup_dir: Path = field(default_factory=lambda: BASE_DIR / "data" / "backups")
    backup_keep: int = 7
    media_dir: Path = field(default_factory=lambda: BASE_DIR / "data" / "media")
    max_upload_mb: int = 5
    import_max_mb: int = 20
    import_max_rows: int = 200_000
    company_founded: date = date(2000, 1, 1)
    booking_hours: int = 72
    shift_start: str = "09:00"  # HH:MM company time; a later first check-in is a late arrival
    sales_discount_limit_percent: int = 5
    public_version_ttl_ms: int = 500
    service_requests_per_link: int = 5  # buyer requests per hour through one service link
    service_requests_per_address: int = 20  # buyer requests per hour from one client address
    work_order_due_days: str = "handover=14,defect=7,viewing=3,maintenance=30"  # days to the due date by kind
    work_order_urgent_days: str = "1=1,2=3"  # priorities 1 and 2 (urgent) shorten the due date to these days
    report_cache_seconds: int = 60  # the longest a cached ROP aggregate may lag a change (app/core/cache.py)
    db_pool_size: int = 0  # 0: the request slots plus a reserve (app.db.DEFAULT_POOL_SIZE)
    db_pool_timeout: int = 5
    demo_password: str = "demo12345"  # noqa: S105 - documented demo password
    log_level: str = "INFO"
    telegram_bot_token: str = ""  # empty: the bot is off and nothing tries to reach Telegram
    telegram_bot_username: str = ""  # for the deep link t.me/<username>?start=<code>
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: str = ""
    telegram_mode: str = "polling"  # polling (python -m bot) | webhook (POST /telegram/webhook)
    public_base_url: str = ""  # where people open the dashboard, e.g. https://crm.example.uz
    google_service_account_file: str = ""  # a service account's JSON key: Google Sheets imports; empty: off
    sheets_api_base: str = ""  # empty: Google itself; tests and stand-ins point it elsewhere
    notify_quiet_hours: str = "22-08"  # company time; non-urgent notifications wait for its end ("off" = none)
    notify_rate_per_second: int = 28  # messages per second to Telegram over every worker (its limit is 30)
    notify_chat_interval_ms: int = 1100  # the least time between two messages to one chat (Telegram: 1 s)
    notify_max_retries: int = 6  # attempts after a 429 or a 5xx before a notification is given up

    @classmethod
    def from_env(cls) -> Settings:
        """Read every setting from the environment (and .env), with local defaults."""
        data_dir = Path(_env("DATA_DIR", str(BASE_DIR / "data")))
        settings = cls(
            production=_env("APP_ENV", "development").lower() == "production",
            secret_key=_env("SECRET_KEY", DEV_SECRET_KEY),
            database_url=_env("DATABASE_URL", f"sqlite:///{data_dir / 'crm.db'}"),
            host=_env("HOST", "127.0.0.1"),
            port=_env_int("PORT", 8000),
            workers=_env_int("WORKERS", 1),
            broker_url=_env("BROKER_URL"),
            redis_url=_env("REDIS_URL"),
            broker_visibility_timeout=_env_int("BROKER_VISIBILITY_TIMEOUT", 3600),
            session_hours=_env_int("SESSION_HOURS", 12),
            cookie_secure=_env_bool("COOKIE_SECURE", False),
            trusted_proxies=_env("TRUSTED_PROXIES"),
            login_max_failures_per_user_address=_env_int("LOGIN_MAX_FAILURES_PER_USER_ADDRESS", 5),
            login_max_failures_per_ip=_env_int("LOGIN_MAX_FAILURES_PER_IP", 20),
            login_max_failures_per_user=_env_int("LOGIN_MAX_FAILURES_PER_USER", 10),
            login_slowdown_seconds=_env_int("LOGIN_SLOWDOWN_SECONDS", 30),
            login_window_seconds=_env_int("LOGIN_WINDOW_SECONDS", 900),
            default_language=_env("DEFAULT_LANGUAGE", "ru"),
            time_zone=_env("TIME_ZONE", "Asia/Tashkent"),
            data_dir=data_dir,
            backup_dir=Path(_env("BACKUP_DIR", str(data_dir / "backups"))),
            backup_keep=_env_int("BACKUP_KEEP", 7),
            media_dir=Path(_env("MEDIA_DIR", str(data_dir / "media"))),
            max_upload_mb=_env_int("MAX_UPLOAD_MB", 5),
            service_requests_per_link=_env_int("SERVICE_REQUESTS_PER_LINK", 5),
            service_requests_per_address=_env_int("SERVICE_REQUESTS_PER_ADDRESS", 20),
            import_max_mb=_env_int("IMPORT_MAX_MB", 20),
            import_max_rows=_env_int("IMPORT_MAX_ROWS", 200_000),
            company_founded=_env_date("COMPANY_FOUNDED", date(2000, 1, 1)),
            booking_hours=_env_int("BOOKING_HOURS", 72),
            shift_start=_env("SHIFT_START", "09:00"),
            sales_discount_limit_percent=_env_int("SALES_DISCOUNT_LIMIT_PERCENT", 5),
            public_version_ttl_ms=_env_int("PUBLIC_VERSION_TTL_MS", 500),
            work_order_due_days=_env("WORK_ORDER_DUE_DAYS", "handover=14,defect=7,viewing=3,maintenance=30"),
            work_order_urgent_days=_env("WORK_ORDER_URGENT_DAYS", "1=1,2=3"),
            report_cache_seconds=_env_int("REPORT_CACHE_SECONDS", 60),
            db_pool_size=_env_int("DB_POOL_SIZE", 0),
            db_pool_timeout=_env_int("DB_POOL_TIMEOUT", 5),
            demo_password=_env("DEMO_PASSWORD", "demo12345"),
            log_level=_env("LOG_LEVEL", "INFO"),
            telegram_bot_token=_env("TELEGRAM_BOT_TOKEN"),
            telegram_bot_username=_env("TELEGRAM_BOT_USERNAME").lstrip("@"),
            telegram_api_base=_env("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
            telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET"),
            telegram_mode=_env("TELEGRAM_MODE", "polling").lower(),
            public_base_url=_env("PUBLIC_BASE_URL").rstrip("/"),
            google_service_account_file=_env("GOOGLE_SERVICE_ACCOUNT_FILE"),
            sheets_api_base=_env("SHEETS_API_BASE").rstrip("/"),
            notify_quiet_hours=_env("NOTIFY_QUIET_HOURS", "22-08"),
            notify_rate_per_second=_env_int("NOTIFY_RATE_PER_SECOND", 28),
            notify_chat_interval_ms=_env_int("NOTIFY_CHAT_INTERVAL_MS", 1100),
            notify_max_retries=_env_int("NOTIFY_MAX_RETRIES", 6),
        )
        if _env_bool("TRUST_PROXY") and not settings.trusted_proxies:
            raise ConfigError(
                "TRUST_PROXY is replaced by TRUSTED_PROXIES: list your reverse proxies' addresses, "
                "e.g. TRUSTED_PROXIES=10.0.0.2 or 172.16.0.0/12 (and remove TRUST_PROXY)"
            )
        settings.check()
        return settings

    @cached_property
    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """TRUSTED_PROXIES as networks (empty: no proxy is trusted); ValueError names a bad entry."""
        networks = []
        for part in filter(None, (p.strip() for p in self.trusted_proxies.split(","))):
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"not an IP address or CIDR: {part!r}") from exc
        return tuple(networks)

    @property
    def max_upload_bytes(self) -> int:
        """The largest accepted upload, in bytes."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def import_max_bytes(self) -> int:
        """The largest accepted import file, in bytes."""
        return self.import_max_mb * 1024 * 1024

    @property
    def shift_start_time(self) -> time:
        """SHIFT_START as a time of day."""
        hours, minutes = self.shift_start.strip().split(":")
        return time(int(hours), int(minutes))

    @property
    def work_order_due(self) -> tuple[dict[str, int], dict[int, int]]:
        """WORK_ORDER_DUE_DAYS by kind and WORK_ORDER_URGENT_DAYS by priority, as numbers of days."""
        return _pairs(self.work_order_due_days, str), _pairs(self.work_order_urgent_days, int)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """NOTIFY_QUIET_HOURS ("22-08" or "22:30-07:45") as (start, end) wall times, or None for none."""
        text = self.notify_quiet_hours.strip()
        if text.lower() in {"", "off", "none"}:
            return None
        start, end = (_wall_time(part) for part in text.split("-"))
        return None if start == end else (start, end)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def celery_broker(self) -> str:
        """The Celery broker URL, or '' to run jobs inline."""
        return self.broker_url or self.redis_url

    def check(self) -> None:
        """Refuse unsafe production settings with a message that says what to set."""
        if self.production and (self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32):
            raise ConfigError(
                "APP_ENV=production needs a real SECRET_KEY (32+ random characters), e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"TIME_ZONE={self.time_zone!r} is not a known time zone, e.g. Asia/Tashkent") from exc
        try:
            self.trusted_networks  # noqa: B018 - parsed once here so a typo stops the start
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {exc}; use IPs or CIDRs separated by commas") from exc
        if self.broker_visibility_timeout < 1:
            raise ConfigError(
                "BROKER_VISIBILITY_TIMEOUT must be 1 second or more, and above the longest job (default 3600)"
            )
        if self.db_pool_size < 0 or self.db_pool_timeout < 1:
            raise ConfigError("DB_POOL_SIZE must be 0 (automatic) or more, DB_POOL_TIMEOUT 1 second or more")
        if self.service_requests_per_link < 1 or self.service_requests_per_address < 1:
            raise ConfigError("SERVICE_REQUESTS_PER_LINK and SERVICE_REQUESTS_PER_ADDRESS must be 1 or more")
        try:
            self.shift_start_time  # noqa: B018 - parsed once here so a typo stops the start
        except ValueError as exc:
            raise ConfigError(
                f"SHIFT_START={self.shift_start!r} is not a time of day; write it as HH:MM, e.g. 09:00"
            ) from exc
        if self.telegram_mode not in {"polling", "webhook"}:
            raise ConfigError("TELEGRAM_MODE must be 'polling' or 'webhook'")
        if self.telegram_bot_token and self.telegram_mode == "webhook" and len(self.telegram_webhook_secret) < 16:
            raise ConfigError(
                "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET (16+ characters of A-Z, a-z, 0-9, _ or -), e.g. "
                "TELEGRAM_WEBHOOK_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        try:
            self.work_order_due  # noqa: B018 - parsed once here so a typo stops the start
        except ValueError as exc:
            raise ConfigError(
                "WORK_ORDER_DUE_DAYS / WORK_ORDER_URGENT_DAYS: write key=days pairs separated by commas, "
                "e.g. defect=7,viewing=3 and 1=1,2=3"
            ) from exc
        try:
            self.quiet_hours  # noqa: B018 - parsed once here so a typo stops the start
        except ValueError as exc:
            raise ConfigError(
                f"NOTIFY_QUIET_HOURS={self.notify_quiet_hours!r}: write START-END in hours of company time, "
                "e.g. 22-08 or 22:30-07:00, or off for none"
            ) from exc
        if self.notify_rate_per_second < 1 or self.notify_chat_interval_ms < 0 or self.notify_max_retries < 0:
            raise ConfigError(
                "NOTIFY_RATE_PER_SECOND must be 1 or more, NOTIFY_CHAT_INTERVAL_MS and NOTIFY_MAX_RETRIES 0 or more"
            )
        if self.default_language not in {"ru", "en"}:
            raise ConfigError("DEFAULT_LANGUAGE must be 'ru' or 'en'")


settings = Settings.from_env()
