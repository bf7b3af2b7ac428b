"""Import jobs: the preview or apply of an import runs on a worker when a broker is configured,
inline in the caller's transaction otherwise.

The web request marks the import as previewing or applying and commits; only then is the job
sent (an after-commit hook), so the worker always finds it. A job redelivered after its import
finished does nothing (`imports.run` looks at the status first); one whose worker died mid-apply
finds the import still "applying" with nothing of it committed, and runs it again from the start.
"""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.auth.models import User
from app.db import write_session
from app.domain.imports.crud import imports
from settings import Settings
from settings import settings as default_settings


def run_import_now(import_id: int, actor_id: int, config: Settings | None = None) -> str:
    """Preview or apply the import in one transaction of its own; returns its final status."""
    config = config or default_settings
    with write_session(config.database_url) as db:
        actor = db.get(User, actor_id)
        if actor is None:
            return "failed"
        return imports.run(db, actor, import_id, config.data_dir).status.value


@shared_task(name="tasks.imports.run_import", acks_late=True)
def run_import(import_id: int, actor_id: int) -> str:
    """Celery job: preview or apply an import (whichever its status asks for)."""
    return run_import_now(import_id, actor_id)


def start(db: Session, actor: User, import_id: int, config: Settings) -> None:
    """Run the import's preview or apply: on a worker once `db` commits, or now in `db` without a broker."""
    if config.celery_broker:
        actor_id = actor.id
        event.listen(db, "after_commit", lambda _session: run_import.delay(import_id, actor_id), once=True)
    else:
        imports.run(db, actor, import_id, config.data_dir)
