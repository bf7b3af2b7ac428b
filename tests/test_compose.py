"""docker-compose.yml brings up web (migrate, then serve), worker, beat, PostgreSQL and Redis."""

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
