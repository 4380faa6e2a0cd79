"""The full-text index: SQLite FTS5 on the embedded store, tsvector + GIN on PostgreSQL.

One index row per searchable thing: a document (title, text), an event or a figure (its
evidence sentence), an entity's name and each of its aliases. ``search_rows`` names what each
row points at (kind, ref_id, doc_id); on SQLite the words live in the FTS5 table
``search_fts`` under the same rowid, on PostgreSQL in a generated ``tsv`` column of
``search_rows`` itself.

Triggers made by migration 2 keep the index in step with every write, whoever makes it: a
document replaced or deleted, or entities relinked, leave the index in the same transaction.
``rebuild`` fills the index from the tables (migration 2 on a store that already holds data).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# (kind, source table, id column, doc_id expression, title expression, body expression, sub)
_SOURCES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("document", "documents", "id", "{r}.id", "coalesce({r}.title, '')", "{r}.text", "''"),
    ("event", "events", "id", "{r}.doc_id", "''", "{r}.evidence", "''"),
    ("figure", "figures", "id", "{r}.doc_id", "''", "{r}.evidence", "''"),
    ("entity", "entities", "id", "NULL", "{r}.name", "{r}.name", "''"),
    ("alias", "entity_aliases", "entity_id", "NULL", "''", "{r}.alias", "{r}.alias"),
)
# Columns whose change must re-index a row (documents are replaced, not updated, today; an
# UPDATE trigger keeps the index right should a writer ever update in place).
_WATCHED = {
    "documents": "title, text",
    "events": "evidence, doc_id",
    "figures": "evidence, doc_id",
    "entities": "name",
    "entity_aliases": "alias",
}

# BM25 column weights: a word in a document's title counts twice.
TITLE_WEIGHT = 2.0
# PostgreSQL refuses a tsvector over 1 MB; very long texts are indexed by their head.
PG_MAX_CHARS = 300_000


def _fmt(expr: str, row: str) -> str:
    return expr.format(r=row)


def _sqlite_create(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS search_rows (rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
        "ref_id TEXT NOT NULL, doc_id TEXT, sub TEXT NOT NULL DEFAULT '')"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_rows_ref ON search_rows (kind, ref_id)"
    )
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_search_rows_doc ON search_rows (doc_id)")
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
        "title, body, tokenize='porter unicode61 remove_diacritics 2')"
    )
    for kind, table, idcol, doc, title, body, sub in _SOURCES:
        insert = (
            f"INSERT INTO search_rows(kind, ref_id, doc_id, sub) VALUES "
            f"('{kind}', NEW.{idcol}, {_fmt(doc, 'NEW')}, {_fmt(sub, 'NEW')}); "
            f"INSERT INTO search_fts(rowid, title, body) VALUES "
            f"(last_insert_rowid(), {_fmt(title, 'NEW')}, coalesce({_fmt(body, 'NEW')}, ''));"
        )
        where = f"kind = '{kind}' AND ref_id = OLD.{idcol}"
        if kind == "alias":
            where += " AND sub = OLD.alias"
        remove = (
            f"DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_rows WHERE {where}); "
            f"DELETE FROM search_rows WHERE {where};"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS search_{table}_ins AFTER INSERT ON {table} "
            f"BEGIN {insert} END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS search_{table}_del AFTER DELETE ON {table} "
            f"BEGIN {remove} END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS search_{table}_upd AFTER UPDATE OF {_WATCHED[table]} "
            f"ON {table} BEGIN {remove} {insert} END"
        )


def _pg_create(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS search_rows (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, "
        "ref_id TEXT NOT NULL, doc_id TEXT, sub TEXT NOT NULL DEFAULT '', "
        "title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', "
        "n_tokens INTEGER GENERATED ALWAYS AS (coalesce(array_length(regexp_split_to_array("
        f"btrim(left(title || ' ' || body, {PG_MAX_CHARS})), '\\s+'), 1), 0)) STORED, "
        "tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english'::regconfig, title), 'A') || "
        f"to_tsvector('english'::regconfig, left(body, {PG_MAX_CHARS}))) STORED)"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_rows_ref ON search_rows (kind, ref_id)"
    )
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_search_rows_doc ON search_rows (doc_id)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_rows_tsv ON search_rows USING GIN (tsv)"
    )
    for kind, table, idcol, doc, title, body, sub in _SOURCES:
        where = f"kind = '{kind}' AND ref_id = OLD.{idcol}"
        if kind == "alias":
            where += " AND sub = OLD.alias"
        fn = f"search_index_{table}"
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN DELETE FROM search_rows WHERE {where}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            f"INSERT INTO search_rows(kind, ref_id, doc_id, sub, title, body) VALUES "
            f"('{kind}', NEW.{idcol}, {_fmt(doc, 'NEW')}, {_fmt(sub, 'NEW')}, "
            f"{_fmt(title, 'NEW')}, coalesce({_fmt(body, 'NEW')}, '')); END IF; "
            f"RETURN NULL; END $$"
        )
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fn}_trg ON {table}")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fn}_trg AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED[table]} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()"
        )


def rebuild(conn: Connection) -> int:
    """Empty the index and fill it again from the tables; return the rows indexed."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql("DELETE FROM search_fts")
    conn.exec_driver_sql("DELETE FROM search_rows")
    for kind, table, idcol, doc, title, body, sub in _SOURCES:
        if sqlite:
            conn.exec_driver_sql(
                f"INSERT INTO search_rows(kind, ref_id, doc_id, sub) SELECT '{kind}', "
                f"r.{idcol}, {_fmt(doc, 'r')}, {_fmt(sub, 'r')} FROM {table} r"
            )
            key = f"s.ref_id = r.{idcol}" + (" AND s.sub = r.alias" if kind == "alias" else "")
            conn.exec_driver_sql(
                f"INSERT INTO search_fts(rowid, title, body) SELECT s.rowid, {_fmt(title, 'r')}, "
                f"coalesce({_fmt(body, 'r')}, '') FROM search_rows s JOIN {table} r "
                f"ON s.kind = '{kind}' AND {key}"
            )
        else:
            conn.exec_driver_sql(
                f"INSERT INTO search_rows(kind, ref_id, doc_id, sub, title, body) SELECT '{kind}', "
                f"r.{idcol}, {_fmt(doc, 'r')}, {_fmt(sub, 'r')}, {_fmt(title, 'r')}, "
                f"coalesce({_fmt(body, 'r')}, '') FROM {table} r"
            )
    return int(conn.execute(text("SELECT count(*) FROM search_rows")).scalar_one())


def create_search_index(conn: Connection) -> None:
    """Migration 2, part one: the index tables and triggers, filled from what is stored."""
    if conn.dialect.name == "sqlite":
        _sqlite_create(conn)
    else:
        _pg_create(conn)
    rebuild(conn)


def create_feed_memory(conn: Connection) -> None:
    """Migration 2, part two: which feed entries ``tieline watch`` has already ingested."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS feed_entries (feed TEXT NOT NULL, entry TEXT NOT NULL, "
        "link TEXT, doc_id TEXT, seen_at TEXT NOT NULL, PRIMARY KEY (feed, entry))"
    )


def migrate_search(conn: Connection) -> None:
    """Migration 2: full-text index and feed memory."""
    create_search_index(conn)
    create_feed_memory(conn)


def create_vectors(conn: Connection) -> None:
    """Migration 7: sentence vectors of facts, one row per fact and model."""
    blob = "BLOB" if conn.dialect.name == "sqlite" else "BYTEA"
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS fact_vectors (kind TEXT NOT NULL, ref_id TEXT NOT NULL, "
        f"model TEXT NOT NULL, doc_id TEXT, text_hash TEXT NOT NULL, dim INTEGER NOT NULL, "
        f"vector {blob} NOT NULL, PRIMARY KEY (kind, ref_id, model))"
    )
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_fact_vectors_doc ON fact_vectors (doc_id)")
