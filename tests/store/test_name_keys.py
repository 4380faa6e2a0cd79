"""The indexed name keys behind the actor filter (migration 9, ``entity_name_keys``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select, text

from tieline.extract.names import name_key
from tieline.query.events import actor_keys, list_events
from tieline.store import schema as s
from tieline.store.db import Store


def _name_keys(store: Store) -> list[tuple[str, str]]:
    with store.connect() as conn:
        q = select(s.entity_name_keys.c.name_key, s.entity_name_keys.c.entity_id)
        return sorted((r[0], r[1]) for r in conn.execute(q))


def _expected(store: Store) -> list[tuple[str, str]]:
    """What the table must hold: the key of every entity's id, name and alias."""
    with store.connect() as conn:
        forms = [
            (r.id, f)
            for r in conn.execute(select(s.entities.c.id, s.entities.c.name))
            for f in (r.id, r.name)
        ]
        forms += [(r.entity_id, r.alias) for r in conn.execute(select(s.entity_aliases))]
    return sorted({(name_key(f), eid) for eid, f in forms if name_key(f)})


def test_relink_writes_a_name_key_for_every_id_name_and_alias(examples_db: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        got = _name_keys(store)
        assert got == _expected(store)
        with store.connect() as conn:
            n_aliases = conn.execute(text("SELECT count(*) FROM entity_aliases")).scalar_one()
        assert n_aliases > 0  # the examples have aliases, so the alias part is exercised


def test_migration_fills_name_keys_of_a_store_made_before_it(
    examples_db: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copy(examples_db, old)
    with Store(str(old), create=False) as store:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE entity_name_keys"))
            conn.execute(text("DELETE FROM schema_migrations WHERE version = 9"))
    with Store(str(old), create=False) as store:
        assert _name_keys(store) == _expected(store)
        assert len(_name_keys(store)) > 0


def test_actor_filter_finds_an_entity_by_alias_spelling_and_case(examples_db: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        with store.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT a.entity_id, a.alias FROM entity_aliases a "
                    "JOIN event_participants p ON p.entity_key IN "
                    "(SELECT key FROM entity_keys WHERE entity_id = a.entity_id) LIMIT 1"
                )
            ).one()
        keys, _ = actor_keys(store, row.alias.upper())
        with store.connect() as conn:
            linked = {
                r[0]
                for r in conn.execute(
                    text("SELECT key FROM entity_keys WHERE entity_id = :e"), {"e": row.entity_id}
                )
            }
        assert linked <= keys
        assert list_events(store, actor=row.alias.upper())
