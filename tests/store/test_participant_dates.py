"""Participants carry their event's date (migration 11), and an actor's window reads by it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from tieline.query import scope
from tieline.query.events import list_events
from tieline.store.db import Store

_EXPECTED = text(
    "SELECT p.event_id, p.entity_key, p.role, coalesce(e.date, d.published) FROM "
    "event_participants p JOIN events e ON e.id = p.event_id JOIN documents d ON d.id = e.doc_id"
)
_STORED = text("SELECT event_id, entity_key, role, when_date FROM event_participants")


def _pairs(store: Store) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    with store.connect() as conn:
        return (
            {tuple(r) for r in conn.execute(_STORED)},
            {tuple(r) for r in conn.execute(_EXPECTED)},
        )


def test_every_participant_is_dated_like_its_event(examples_db: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        stored, expected = _pairs(store)
    assert stored == expected
    assert any(r[3] for r in stored)


def test_migration_dates_the_participants_of_an_older_store(
    examples_db: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copy(examples_db, old)
    with Store(str(old), create=False) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE event_participants SET when_date = NULL"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version = 11"))
    with Store(str(old), create=False) as store:
        stored, expected = _pairs(store)
    assert stored == expected


@pytest.mark.parametrize(
    ("since", "until"),
    [("2015", "2019"), ("2019-06", None), (None, "2016-12-31"), ("2014-05-21", "2014")],
)
def test_an_actors_window_keeps_exactly_its_events_in_the_window(
    examples_db: Path, since: str | None, until: str | None
) -> None:
    kept = dropped = 0
    with Store(str(examples_db), create=False) as store:
        for actor in ("China", "Russia", "Rosatom"):
            every = list_events(store, actor=actor)
            want = [e.id for e in every if scope.in_window(e.when, since, until)]
            got = [e.id for e in list_events(store, actor=actor, since=since, until=until)]
            assert got == want
            kept, dropped = kept + len(want), dropped + len(every) - len(want)
    assert kept > 0  # the window cuts through the actors' events
    assert dropped > 0
