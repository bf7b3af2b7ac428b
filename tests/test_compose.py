"""docker-compose.yml brings up web (migrate, then serve), worker, beat, PostgreSQL and Redis, and
trusts no forwarded client address while the web port is published."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def test_compose_services_healthchecks_and_volumes():
    config = yaml.safe_load(COMPOSE.read_text())
    services = config["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    web_command = " ".join(services["web"]["command"])
    assert web_command.index("main.py migrate") < web_command.index("--port 8000")
    for name in ("web", "worker", "postgres", "redis"):
        assert "test" in services[name]["healthcheck"], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "tasks.celery_app:celery_app" in services["worker"]["command"]
    assert {"appdata", "pgdata"} <= set(config["volumes"])


def test_compose_as_shipped_lets_no_client_choose_its_address():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name, service in services.items():
        environment = service.get("environment", {})
        assert "TRUST_PROXY" not in environment, name
        if environment.get("TRUSTED_PROXIES"):  # trusting a proxy: only the proxy may reach the app
            assert "*" not in environment["TRUSTED_PROXIES"] and not service.get("ports"), name
