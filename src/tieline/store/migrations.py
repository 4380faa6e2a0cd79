"""Numbered schema migrations, for SQLite and PostgreSQL alike.

Migration 1 creates the tables as ``schema.py`` describes them. A later migration changes an
existing store step by step and must be a no-op where its change is already there (a new store
gets the latest tables from migration 1): use ``_add_column`` and ``_create_index``. An applied
migration is never edited; a change is a new number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, text

from tieline.store import fts, schema

Migration = tuple[int, str, Callable[[Connection], None]]


def _create_index(conn: Connection, name: str, table: str, cols: str) -> None:
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})"))


def _add_column(conn: Connection, table: str, column: str, ddl_type: str) -> None:
    cols = {c["name"] for c in inspect(conn).get_columns(table)}
    if column not in cols:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl_type}"))


def _m001_base(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    for name, table, cols in (
        ("ix_mentions_doc", "mentions", "doc_id"),
        ("ix_mentions_key", "mentions", "entity_key"),
        ("ix_doc_entities_key", "doc_entities", "key"),
        ("ix_events_doc", "events", "doc_id"),
        ("ix_events_type_date", "events", "type, date"),
        ("ix_events_date", "events", "date"),
        ("ix_events_sector", "events", "sector"),
        ("ix_participants_key", "event_participants", "entity_key"),
        ("ix_participants_doc", "event_participants", "doc_id"),
        ("ix_figures_doc", "figures", "doc_id"),
        ("ix_figures_measure", "figures", "measure, period_start"),
        ("ix_entity_keys_entity", "entity_keys", "entity_id"),
        ("ix_entities_type", "entities", "type, country"),
        ("ix_documents_published", "documents", "published"),
    ):
        _create_index(conn, name, table, cols)


MIGRATIONS: list[Migration] = [
    (1, "base tables", _m001_base),
    (2, "full-text search index and feed memory", fts.migrate_search),
    (7, "sentence vectors of facts", fts.create_vectors),
]


def register(version: int, name: str) -> Callable[[Callable[[Connection], None]], Callable[[Connection], None]]:
    """Decorator for a migration defined in another store module (search indexes, say)."""

    def deco(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
        if any(v == version for v, _, _ in MIGRATIONS):
            raise RuntimeError(f"migration {version} is defined twice")
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return deco


def migrate(conn: Connection) -> list[int]:
    """Apply every migration the store lacks, in order; return the versions applied."""
    schema.schema_migrations.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(text("SELECT version FROM schema_migrations"))}
    applied = []
    for version, name, fn in MIGRATIONS:
        if version in done:
            continue
        fn(conn)
        conn.execute(
            schema.schema_migrations.insert().values(
                version=version, name=name, applied_at=datetime.now(UTC).isoformat(timespec="seconds")
            )
        )
        applied.append(version)
    return applied
