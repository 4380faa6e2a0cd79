"""Bulk loading of new documents: one multi-row insert per table for a whole batch.

``Store.write`` decides document by document whether a source is new, changed or a duplicate,
and inserts each document's facts with their own statements. When every document of a batch is
known to be new (a generated benchmark store, a first import into an empty store), this path
writes the same rows, with the same search-index triggers firing, at a fraction of the
statements. Documents already stored, by source or by text, are left out and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from tieline.records import Document, Extraction
from tieline.store import schema as s
from tieline.store.db import TABLE_ORDER, Store, WriteResult, document_rows
from tieline.store.migrations import store_meta


def _insert_many(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """One executemany per table; on SQLite straight to the driver, which spares SQLAlchemy's
    per-row parameter handling (a third of the time on large batches)."""
    if conn.dialect.name != "sqlite":
        conn.execute(s.metadata.tables[table].insert(), rows)
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    conn.exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows])


def write_new(
    store: Store, items: Sequence[tuple[Document, Extraction, bytes | None]]
) -> WriteResult:
    """Insert documents that are not stored yet, with their facts, in one transaction.

    A document whose source or text is already stored is skipped and counted as unchanged or
    duplicate; use ``Store.write`` to replace changed documents.
    """
    by_source = store.stored_by_source(d.source_key for d, _, _ in items)
    known = store.existing_ids(d.id for d, _, _ in items)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_ORDER}
    added = unchanged = duplicates = 0
    for doc, ext, sig in items:
        if doc.source_key in by_source:
            unchanged += 1
            continue
        if doc.id in known:
            duplicates += 1
            continue
        known.add(doc.id)
        for t, rows in document_rows(doc, ext, sig, now).items():
            tables[t].extend(rows)
        added += 1
    if added:
        try:
            with store.engine.begin() as conn:
                for t in TABLE_ORDER:
                    if tables[t]:
                        _insert_many(conn, t, tables[t])
                # Corpus-level entities must be rebuilt, as after Store.write.
                # Linked in full (a first import or a generated store: nearly every key new).
                store.mark_links(conn, None)
                store._set_meta(conn, "clusters_stale", "1")
                # Rows may come with cluster ids (a generated store) but without their blocks:
                # the next clustering reads every event and writes the blocks again.
                conn.execute(delete(store_meta).where(store_meta.c.key == "cluster_blocks"))
                store._set_meta(conn, "data_version", uuid4().hex)
        except IntegrityError:
            # Another writer stored some of these since they were looked up: rolled back, and
            # decided again document by document.
            return store.write(items)
    return WriteResult(added=added, unchanged=unchanged, duplicates=duplicates)
