"""Helpers of the import job tests (tests/test_import_tasks.py, tests/test_import_worker.py): a
migrated database with an admin and one complex, and the steps of an import, each committed in a
transaction of its own as the web request or the job would."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.auth.models import User
from app.auth.permissions import Role
from app.db import write_session
from app.domain.imports.crud import imports
from app.domain.imports.models import ImportKind
from app.domain.imports.readers import FileUpload
from app.domain.leads.models import Lead
from app.migrations import upgrade
from settings import Settings
from tests.conftest import PG_URL, make_settings, reset_postgres
from tests.factories import make_complex, make_user
from tests.workers import create_postgres_database

LEADS = "Телефон;Имя\n+998901112233;Азиз\n+998901112234;Нодира\nне телефон;Кто\n".encode()
COMPLEX = "Imported Towers"  # the complex of live_database, by name (a leads file's ЖК column)


def live_database(url: str, data_dir: Path) -> tuple[Settings, int]:
    """Migrate the (empty) database at `url` and give it an admin and one complex; the settings of a
    worker using it with `data_dir`, and the admin's id."""
    upgrade(url)
    with write_session(url) as db:
        admin = make_user(db, Role.ADMIN, username="importer")
        make_complex(db, "imported-towers", public=False, name=COMPLEX, actor=admin)
        admin_id = admin.id
    return make_settings(url, data_dir), admin_id


def uploaded(config: Settings, admin_id: int, content: bytes = LEADS, filename: str = "leads.csv") -> int:
    """An uploaded leads file marked for its preview, committed; its id."""
    with write_session(config.database_url) as db:
        admin = db.get(User, admin_id)
        upload = FileUpload(io.BytesIO(content), filename)
        job = imports.create(
            db, admin, ImportKind.LEADS, upload, config.data_dir, config.import_max_bytes, config.import_max_rows
        )
        imports.begin(db, admin, job.id, apply=False, data_dir=config.data_dir)
        return job.id


def mark_apply(config: Settings, admin_id: int, import_id: int) -> None:
    """Mark a previewed import for applying, committed."""
    with write_session(config.database_url) as db:
        imports.begin(db, db.get(User, admin_id), import_id, apply=True, data_dir=config.data_dir)


def lead_count(config: Settings) -> int:
    """How many leads the database holds."""
    with write_session(config.database_url) as db:
        return db.scalar(select(func.count()).select_from(Lead))


def fresh_url(backend: str, tmp_path: Path, name: str) -> str:
    """An empty database of `backend`: a SQLite file in tmp_path, or `<test database>_<name>`."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    parsed = make_url(PG_URL)
    url = parsed.set(database=f"{parsed.database}_{name}").render_as_string(hide_password=False)
    create_postgres_database(url)
    reset_postgres(url)
    return url
