"""Domain events reach their subscribers only after the outer commit, never for rolled-back work."""

from __future__ import annotations

import pytest

from app.core import events
from app.db import after_commit, write_session
from app.migrations import upgrade


@pytest.fixture
def heard() -> list[dict]:
    """The payloads of the test's event kind as its subscriber gets them."""
    got: list[dict] = []
    events.subscribe("test_event", got.append)
    return got


@pytest.fixture
def url(tmp_path) -> str:
    """A migrated SQLite file."""
    target = f"sqlite:///{tmp_path / 'events.db'}"
    upgrade(target)
    return target


def test_an_event_is_published_after_the_commit_and_not_on_rollback(url, heard):
    with write_session(url) as db:
        after_commit(db, "test_event", n=1)
        assert heard == []  # not before the commit
    assert heard[-1] == {"n": 1}
    with pytest.raises(RuntimeError), write_session(url) as db:
        after_commit(db, "test_event", n=2)
        raise RuntimeError
    assert {"n": 2} not in heard


def test_an_event_of_a_rolled_back_savepoint_is_forgotten_and_a_released_one_kept(url, heard):
    with write_session(url) as db:
        with pytest.raises(RuntimeError), db.begin_nested():
            after_commit(db, "test_event", n=3)
            with db.begin_nested():
                after_commit(db, "test_event", n=4)  # released into the savepoint that fails
            raise RuntimeError
        with db.begin_nested():
            after_commit(db, "test_event", n=5)
        after_commit(db, "test_event", n=6)
    assert [p["n"] for p in heard if p["n"] >= 3] == [5, 6]
