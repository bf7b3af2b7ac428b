"""Migration 0012 builds the lead search index over existing leads, keeps it in step, and comes off cleanly."""

from __future__ import annotations

from sqlalchemy import inspect, text

from alembic import command
from app.db import get_engine
from app.migrations import alembic_config, upgrade

LEAD = (
    "INSERT INTO leads (name, phone, source, status, lost_reason, utm_source, utm_medium, utm_campaign, "
    "utm_content, utm_term, touches_count, search_key, last_touch_at, created_at, updated_at) VALUES "
    "(:name, :phone, 'call', 'new', '', '', '', '', '', '', 1, :key, :at, :at, :at)"
)


def add_lead(url: str, name: str, phone: str) -> None:
    key = f"{name.lower()} {phone.lstrip('+')}"
    with get_engine(url).begin() as conn:
        conn.execute(text(LEAD), {"name": name, "phone": phone, "key": key, "at": "2026-11-01 10:00:00"})


def indexed(url: str, fragment: str) -> list[str]:
    """Names the database's search index finds for `fragment` (3+ characters)."""
    with get_engine(url).connect() as conn:
        if url.startswith("sqlite"):
            sql = "SELECT name FROM leads WHERE id IN (SELECT rowid FROM leads_search WHERE leads_search MATCH :q)"
            return list(conn.scalars(text(sql), {"q": f'"{fragment}"'}))
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # answer from the GIN index
        return list(conn.scalars(text("SELECT name FROM leads WHERE search_key LIKE :q"), {"q": f"%{fragment}%"}))


def search_objects(url: str) -> set[str]:
    found = inspect(get_engine(url))
    names = set(found.get_table_names()) | {index["name"] for index in found.get_indexes("leads")}
    return names & {"leads_search", "ix_leads_search_key_trgm", "ix_leads_created_at_id", "ix_leads_created_at"}


def test_search_index_up_down_and_up_again(empty_database):
    url, config = empty_database, alembic_config(empty_database)
    command.upgrade(config, "0008")
    add_lead(url, "Дилноза Юсупова", "+998901112233")  # a lead from before the index
    command.upgrade(config, "0012_lead_search_index")
    expected = {"leads_search" if url.startswith("sqlite") else "ix_leads_search_key_trgm", "ix_leads_created_at_id"}
    assert search_objects(url) == expected
    assert indexed(url, "юсуп") == ["Дилноза Юсупова"]
    add_lead(url, "Aziz Karimov", "+998935550101")  # and one after: the triggers index it
    assert indexed(url, "karim") == ["Aziz Karimov"]
    with get_engine(url).begin() as conn:
        conn.execute(text("UPDATE leads SET search_key = 'aziz qodirov 998935550101' WHERE name = 'Aziz Karimov'"))
    assert indexed(url, "karim") == [] and indexed(url, "qodir") == ["Aziz Karimov"]
    command.downgrade(config, "0008")
    assert search_objects(url) == {"ix_leads_created_at"}
    upgrade(url)
    assert indexed(url, "qodir") == ["Aziz Karimov"]
    command.check(config)
