"""Lead list under growth: covering (sort key, id) indexes and a trigram search index.

Reviewed by hand. The list reads page ids from indexes on (sort column, id) (an index-only
walk for deep pages), so `ix_leads_created_at` and `ix_leads_status_created_at` gain the id and
the other sort keys get theirs. The search (app/domain/leads/search.py) looks fragments up in:

- SQLite: the FTS5 table `leads_search` (trigram tokenizer, external content = leads.search_key),
  filled here and kept in step by three triggers on `leads`. NOTE: a later batch migration that
  recreates `leads` on SQLite drops these triggers; it must create them again (see TRIGGERS).
- PostgreSQL: the pg_trgm extension and a GIN index on leads.search_key (serves LIKE '%x%').

Neither is in the models' metadata; alembic/env.py leaves them out of autogenerate.

Revision ID: 0012_lead_search_index
Revises: 0011_sales_plans
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_lead_search_index"
down_revision: str | None = "0011_sales_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = (
    """CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
  INSERT INTO leads_search(rowid, search_key) VALUES (new.id, new.search_key);
END""",
    """CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
  INSERT INTO leads_search(leads_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
END""",
    """CREATE TRIGGER leads_search_update AFTER UPDATE OF search_key ON leads BEGIN
  INSERT INTO leads_search(leads_search, rowid, search_key) VALUES ('delete', old.id, old.search_key);
  INSERT INTO leads_search(rowid, search_key) VALUES (new.id, new.search_key);
END""",
)
DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS leads_search_insert",
    "DROP TRIGGER IF EXISTS leads_search_delete",
    "DROP TRIGGER IF EXISTS leads_search_update",
)
SORT_INDEXES = {
    "ix_leads_created_at_id": ["created_at", "id"],
    "ix_leads_status_created_at_id": ["status", "created_at", "id"],
    "ix_leads_assigned_id_created_at_id": ["assigned_id", "created_at", "id"],
    "ix_leads_last_touch_at_id": ["last_touch_at", "id"],
    "ix_leads_name_id": ["name", "id"],
}


def upgrade() -> None:
    """Swap in the (sort key, id) indexes; add the search index of this database."""
    op.drop_index("ix_leads_created_at", table_name="leads")
    op.drop_index("ix_leads_status_created_at", table_name="leads")
    for name, columns in SORT_INDEXES.items():
        op.create_index(name, "leads", columns)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE leads_search USING fts5(search_key, content='leads', content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO leads_search(leads_search) VALUES ('rebuild')")
        for trigger in TRIGGERS:
            op.execute(trigger)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_leads_search_key_trgm ON leads USING gin (search_key gin_trgm_ops)")


def downgrade() -> None:
    """Drop the search index and the (sort key, id) indexes; restore the previous two."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_TRIGGERS:
            op.execute(statement)
        op.execute("DROP TABLE IF EXISTS leads_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_leads_search_key_trgm")  # the extension stays: others may use it
    for name in SORT_INDEXES:
        op.drop_index(name, table_name="leads")
    op.create_index("ix_leads_created_at", "leads", ["created_at"])
    op.create_index("ix_leads_status_created_at", "leads", ["status", "created_at"])
