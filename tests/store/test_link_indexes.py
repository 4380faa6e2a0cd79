"""The look-ups of incremental linking and of an entity's keys read indexes alone
(``EXPLAIN QUERY PLAN`` on SQLite: no table row is read)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from tieline.store import schema as s
from tieline.store.db import Store


def _plan(db: Path, stmt: object) -> str:
    compiled = stmt.compile(  # type: ignore[attr-defined]
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
    )
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {compiled}").fetchall()
    return "\n".join(r[3] for r in rows)


@pytest.mark.parametrize(
    ("label", "stmt"),
    [
        ("an entity's keys", select(s.entity_keys.c.key).where(s.entity_keys.c.entity_id == "x")),
        (
            "an entity's members",
            select(s.entity_keys.c.key, s.entity_keys.c.entity_id).where(
                s.entity_keys.c.entity_id.in_(["x", "y"])
            ),
        ),
        (
            "keys of tokens",
            select(s.link_tokens.c.token, s.link_tokens.c.key).where(
                s.link_tokens.c.token.in_(["xn:a"])
            ),
        ),
        ("tokens of keys", select(s.link_tokens.c.token).where(s.link_tokens.c.key.in_(["a"]))),
        ("pending keys", select(s.link_pending.c.key).distinct()),
    ],
)
def test_lookups_read_indexes_alone(tmp_path: Path, label: str, stmt: object) -> None:
    db = tmp_path / "p.db"
    Store(str(db)).close()
    plan = _plan(db, stmt)
    assert "COVERING INDEX" in plan, (label, plan)
    assert "SCAN" not in plan.replace("SCAN link_pending USING COVERING INDEX", ""), (label, plan)
