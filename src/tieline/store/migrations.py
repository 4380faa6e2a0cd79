"""Numbered schema migrations, for SQLite and PostgreSQL alike.

Migration 1 creates the tables as ``schema.py`` describes them. A later migration changes an
existing store step by step and must be a no-op where its change is already there (a new store
gets the latest tables from migration 1): use ``_add_column`` and ``_create_index``. An applied
migration is never edited; a change is a new number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, Text, inspect, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn

from tieline.errors import StoreError
from tieline.nearbands import band_keys
from tieline.store import fts, schema

Migration = tuple[int, str, Callable[[Connection], None]]

# Small key/value state of the store itself (whether corpus-level links are stale, say).
# It lives here, not in schema.py, because only the store reads or writes it.
_meta = MetaData()
store_meta = Table(
    "store_meta",
    _meta,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# Any constant will do: it names the lock that serialises migrations on a PostgreSQL server.
_PG_MIGRATION_LOCK = 7_241_985_301


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@compiles(CreateColumn, "postgresql")
def _pg_text_column(element: CreateColumn, compiler: Any, **kw: Any) -> str:
    """Our text columns sort by code point on PostgreSQL, as SQLite's BINARY collation does.

    A server's default collation (en_US.UTF-8, say) orders case and punctuation differently,
    so ``ORDER BY name`` would list rows in another order than on SQLite. Only the tables of
    this store are touched; other SQLAlchemy users in the process keep their DDL.
    """
    ddl: str = compiler.visit_create_column(element, **kw)
    col = element.element
    table = getattr(col, "table", None)
    if (
        ddl
        and isinstance(col.type, Text)
        and col.type.collation is None
        and table is not None
        and table.metadata in (schema.metadata, _meta)
    ):
        name = compiler.preparer.format_column(col)
        if ddl.startswith(name + " TEXT"):
            ddl = f'{name} TEXT COLLATE "C"{ddl[len(name) + 5 :]}'
    return ddl


def _create_index(conn: Connection, name: str, table: str, cols: str) -> None:
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})"))


def _drop_index(conn: Connection, name: str) -> None:
    conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def _add_column(conn: Connection, table: str, column: str, ddl_type: str) -> None:
    cols = {c["name"] for c in inspect(conn).get_columns(table)}
    if column not in cols:
        if _is_pg(conn) and ddl_type.strip().upper().startswith("TEXT"):
            # Text sorts by code point on both stores (see _pg_text_column).
            ddl_type = ddl_type.strip()[:4] + ' COLLATE "C"' + ddl_type.strip()[4:]
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


def _m006_store_state(conn: Connection) -> None:
    store_meta.create(conn, checkfirst=True)


def _m008_query_indexes(conn: Connection) -> None:
    """Indexes for the query layer at a million events (see docs/performance.md).

    Expression indexes on lower(...) serve the case-blind look-ups by name and alias; both
    SQLite and PostgreSQL use them for ``lower(col) = ?`` and ``lower(col) IN (...)``.
    """
    for name, table, cols in (
        ("ix_entities_lname", "entities", "lower(name)"),
        ("ix_entity_aliases_lalias", "entity_aliases", "lower(alias)"),
        ("ix_participants_lname", "event_participants", "lower(name)"),
        ("ix_events_cluster", "events", "cluster_id"),
        ("ix_entities_mentions", "entities", "mention_count"),
    ):
        _create_index(conn, name, table, cols)


def _m009_entity_name_keys(conn: Connection) -> None:
    """The name keys of every entity's id, name and aliases, filled from what is stored; and
    documents by source name, for lists and exports read a page at a time."""
    from tieline.store.db import entity_name_key_rows

    _create_index(conn, "ix_documents_name", "documents", "name, id")
    schema.entity_name_keys.create(conn, checkfirst=True)
    forms: list[tuple[str, str]] = [
        (r[0], f) for r in conn.execute(text("SELECT id, name FROM entities")) for f in r
    ]
    forms += [
        (r[0], r[1]) for r in conn.execute(text("SELECT entity_id, alias FROM entity_aliases"))
    ]
    conn.execute(text("DELETE FROM entity_name_keys"))
    rows = entity_name_key_rows(forms)
    for i in range(0, len(rows), 5000):
        conn.execute(schema.entity_name_keys.insert(), rows[i : i + 5000])


def _m010_covering_window_indexes(conn: Connection) -> None:
    """Date windows read from indexes alone (docs/performance.md): the event ids of a type
    and date range, of a document, and the documents of a publication range, without reading
    the wide rows (evidence, text). Each replaces the index it extends."""
    for old, name, table, cols in (
        ("ix_events_type_date", "ix_events_type_date_id", "events", "type, date, id"),
        ("ix_events_doc", "ix_events_doc_when", "events", "doc_id, date, type, id"),
        ("ix_documents_published", "ix_documents_published_id", "documents", "published, id"),
    ):
        _create_index(conn, name, table, cols)
        _drop_index(conn, old)


def _m011_participant_dates(conn: Connection) -> None:
    """Each participant carries its event's date (else the document's), indexed after the
    key: an actor's timeline over a year reads that year's participants, not every one."""
    _add_column(conn, "event_participants", "when_date", "TEXT")
    conn.execute(
        text(
            "UPDATE event_participants SET when_date = (SELECT coalesce(e.date, d.published) "
            "FROM events e JOIN documents d ON d.id = e.doc_id "
            "WHERE e.id = event_participants.event_id) WHERE when_date IS NULL"
        )
    )
    _create_index(
        conn, "ix_participants_key_when", "event_participants", "entity_key, when_date, event_id"
    )
    _create_index(
        conn, "ix_participants_lname_when", "event_participants", "lower(name), when_date, event_id"
    )
    _drop_index(conn, "ix_participants_key")
    _drop_index(conn, "ix_participants_lname")


def _m012_clusters_stale(conn: Connection) -> None:
    """Event clusters v2 (``store.clusters``): stores clustered before are clustered again
    on their next run, which also gives events left without an id (a killed run) theirs."""
    store_meta.create(conn, checkfirst=True)
    conn.execute(store_meta.delete().where(store_meta.c.key == "clusters_stale"))
    conn.execute(store_meta.insert().values(key="clusters_stale", value="all"))


def _m013_incremental_links(conn: Connection) -> None:
    """Incremental linking: the tokens and group of every key and the keys waiting to be linked
    (they are filled by a full relink, which a store with documents asks for on its next
    run); covering indexes on the key map."""
    schema.link_tokens.create(conn, checkfirst=True)
    schema.link_pending.create(conn, checkfirst=True)
    schema.link_groups.create(conn, checkfirst=True)
    _create_index(conn, "ix_link_tokens_key", "link_tokens", "key, token")
    _create_index(conn, "ix_link_pending_key", "link_pending", "key")
    # An entity's keys (its page, the linking scope) from the index alone, not the table's
    # rows (a key's entity is one row by the primary key already).
    _create_index(conn, "ix_entity_keys_entity_key", "entity_keys", "entity_id, key")
    _drop_index(conn, "ix_entity_keys_entity")
    store_meta.create(conn, checkfirst=True)
    if conn.execute(text("SELECT 1 FROM documents LIMIT 1")).first() is not None:
        conn.execute(store_meta.delete().where(store_meta.c.key == "links_stale"))
        conn.execute(store_meta.insert().values(key="links_stale", value="all"))


def _m015_narrow_reads(conn: Connection) -> None:
    """Cold reads at a million events (docs/performance.md): covering indexes, so that a page
    is chosen from index entries and only its own rows are read whole; and each entity's
    event count, so that a page of an entity's events can say how many there are.

    - events by id with the columns that order and filter them (a window, an actor's or the
      search's candidates are sorted without reading their evidence sentences);
    - documents by id with their metadata (not their text): every event and mention is shown
      with its document's name, title and date;
    - participants by event with their names, and events by cluster with their documents;
    - mentions by key with their document and offset (an entity's first mentions by index).
    Each replaces the index it extends."""
    for old, name, table, cols in (
        (
            None,
            "ix_events_id_narrow",
            "events",
            "id, date, doc_id, trigger_start, type, status, confidence, sector",
        ),
        (
            None,
            "ix_documents_id_meta",
            "documents",
            "id, published, name, title, url, path, source, near_duplicate_of, ingested_at",
        ),
        (None, "ix_participants_event", "event_participants", "event_id, role, name, entity_key"),
        ("ix_events_cluster", "ix_events_cluster_doc", "events", "cluster_id, doc_id, id"),
        ("ix_mentions_key", "ix_mentions_key_doc", "mentions", "entity_key, doc_id, span_start"),
    ):
        _create_index(conn, name, table, cols)
        if old:
            _drop_index(conn, old)
    _add_column(conn, "entities", "event_count", "INTEGER")
    from tieline.store.counts import count_events_of

    count_events_of(conn, None)
    if conn.dialect.name == "sqlite":
        _sqlite_covering_stats(conn)


# What SQLite's planner is told of the covering indexes (sqlite_stat1 rows): that a value of
# their first column is one row (an id) or a few (an event's participants). Without
# statistics it estimates ten rows for a leading-column match and picks the primary key's
# unique index, then reads each wide row; told this, it reads the covering index alone. The
# first figure (the table's rows) is SQLite's own default estimate, so no other plan moves.
_COVERING_STATS = (
    ("events", "ix_events_id_narrow", "1048576 1 1 1 1 1 1 1 1"),
    ("documents", "ix_documents_id_meta", "1048576 1 1 1 1 1 1 1 1 1"),
    ("event_participants", "ix_participants_event", "1048576 3 2 2 1"),
)


def _sqlite_covering_stats(conn: Connection) -> None:
    """Write ``_COVERING_STATS`` (kept on re-run; other statistics are left as they are)."""
    # ANALYZE of the small state table creates sqlite_stat1 where it is missing, and, run
    # again after the rows are written, makes this connection's planner read them.
    conn.execute(text("ANALYZE store_meta"))
    for table, index, stat in _COVERING_STATS:
        conn.execute(text("DELETE FROM sqlite_stat1 WHERE idx = :i"), {"i": index})
        conn.execute(
            text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
            {"t": table, "i": index, "s": stat},
        )
    conn.execute(text("ANALYZE store_meta"))


def _m016_incremental_ingest(conn: Connection) -> None:
    """Ingest that costs what is new: the blocks of every report, filled by the next
    clustering pass that reads every event (the store's ``cluster_blocks`` flag says when they
    are whole), and the LSH bands of every stored document's MinHash, written here."""
    schema.cluster_blocks.create(conn, checkfirst=True)
    _create_index(conn, "ix_cluster_blocks_doc", "cluster_blocks", "doc_id")
    store_meta.create(conn, checkfirst=True)
    conn.execute(store_meta.delete().where(store_meta.c.key == "cluster_blocks"))
    schema.near_bands.create(conn, checkfirst=True)
    _create_index(conn, "ix_near_bands_doc", "near_bands", "doc_id")
    conn.execute(schema.near_bands.delete())
    d = schema.documents
    rows: list[dict[str, str]] = []
    for doc_id, sig in conn.execute(
        select(d.c.id, d.c.minhash).where(d.c.minhash.is_not(None))
    ).all():
        rows += [{"band": b, "doc_id": doc_id} for b in band_keys(sig)]
        if len(rows) >= 20000:
            conn.execute(schema.near_bands.insert(), rows)
            rows = []
    if rows:
        conn.execute(schema.near_bands.insert(), rows)


def _m018_page_order_indexes(conn: Connection) -> None:
    """Page reads that touch few pages (issue 19), each index replacing the one it extends:

    - events by date with their ids: the whole store's first page (no filter: the web's
      event list and timeline as they open) is bounded from this index and the documents'
      dates, instead of sorting every event;
    - participants by name with the name itself: an actor matched by name (participants not
      linked yet) is read from the index alone. An index on ``lower(name)`` without the
      column is not covering for SQLite, so each match read its table row."""
    for old, name, table, cols in (
        ("ix_events_date", "ix_events_date_id", "events", "date, id"),
        (
            "ix_participants_lname_when",
            "ix_participants_lname_cover",
            "event_participants",
            "lower(name), when_date, event_id, name",
        ),
    ):
        _create_index(conn, name, table, cols)
        _drop_index(conn, old)


MIGRATIONS: list[Migration] = [
    (1, "base tables", _m001_base),
    (2, "full-text search index and feed memory", fts.migrate_search),
    (6, "store state", _m006_store_state),
    (7, "sentence vectors of facts", fts.create_vectors),
    (8, "query indexes", _m008_query_indexes),
    (9, "name keys of entities, documents by name", _m009_entity_name_keys),
    (10, "covering indexes for date windows", _m010_covering_window_indexes),
    (11, "dates of participants", _m011_participant_dates),
    (12, "event clusters v2: cluster again", _m012_clusters_stale),
    (13, "incremental linking: link tokens and pending keys", _m013_incremental_links),
    # v3 weighs figures, lets a loan's signing and its financing be one, and a sector read
    # differently no longer splits a happening: the same repair makes old stores cluster again.
    (14, "event clusters v3: cluster again", _m012_clusters_stale),
    (15, "covering indexes for cold reads, entity event counts", _m015_narrow_reads),
    (16, "incremental ingest: blocks of reports, bands of signatures", _m016_incremental_ingest),
    # v4 lets one article's reports of one pair of states, named differently (the states, their
    # leaders), be one happening, keeps its two deals of two sectors apart, joins a plan fallen
    # due to what was done that day and a facility's kind to that facility: cluster again.
    (17, "event clusters v4: cluster again", _m012_clusters_stale),
    (18, "covering indexes for the first page and names of actors", _m018_page_order_indexes),
]


MigrationFn = Callable[[Connection], None]


def register(version: int, name: str) -> Callable[[MigrationFn], MigrationFn]:
    """Decorator for a migration defined in another store module (search indexes, say)."""

    def deco(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
        if any(v == version for v, _, _ in MIGRATIONS):
            raise RuntimeError(f"migration {version} is defined twice")
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return deco


class SchemaTooNew(StoreError):
    """The store carries a schema version this code does not know: a newer Tieline wrote it."""


def _refuse_newer(done: set[int]) -> None:
    # Writing with older code would skip what the newer migrations keep in step (and reading
    # could misread a changed table): refuse rather than guess.
    known = max(v for v, _, _ in MIGRATIONS)
    newer = sorted(v for v in done if v > known)
    if newer:
        raise SchemaTooNew(
            f"it was written by a newer Tieline (schema version {newer[-1]}; this one knows up "
            f"to {known}): upgrade Tieline to use it"
        )


def check_current(conn: Connection) -> None:
    """For a store opened read-only: refuse one that is newer than this code, or older (a
    read-only store cannot be migrated)."""
    if not inspect(conn).has_table("schema_migrations"):
        raise StoreError("it is not a Tieline store (no schema_migrations table)")
    done = {r[0] for r in conn.execute(text("SELECT version FROM schema_migrations"))}
    _refuse_newer(done)
    missing = [v for v, _, _ in MIGRATIONS if v not in done]
    if missing:
        raise StoreError(
            f"it is read-only and needs schema upgrade {missing[0]}; open it once where it "
            "can be written (any tieline command upgrades it)"
        )


def _pending(conn: Connection) -> bool:
    if not inspect(conn).has_table("schema_migrations"):
        return True
    done = {r[0] for r in conn.execute(text("SELECT version FROM schema_migrations"))}
    return any(v not in done for v, _, _ in MIGRATIONS)


def migrate(conn: Connection) -> list[int]:
    """Apply every migration the store lacks, in order; return the versions applied.

    Raises:
        SchemaTooNew: the store has a migration newer than any this code knows.
    """
    if _is_pg(conn):
        # Two processes opening a new PostgreSQL store at once would both create the tables;
        # the lock makes the second wait and then find the migrations applied.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite" and _pending(conn):
        # Two processes opening a new SQLite store at once (two ingests) would both create the
        # tables and record the same versions: take the write lock first, then look again. A
        # store that lacks nothing is never locked, so reads beside a writer never wait here.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    schema.schema_migrations.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(text("SELECT version FROM schema_migrations"))}
    _refuse_newer(done)
    applied = []
    for version, name, fn in MIGRATIONS:
        if version in done:
            continue
        fn(conn)
        conn.execute(
            schema.schema_migrations.insert().values(
                version=version,
                name=name,
                applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
        applied.append(version)
    return applied
