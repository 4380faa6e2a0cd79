"""Streamed reads for whole-store passes: rows arrive in chunks instead of one list.

Relinking reads every document-level entity of the store; as a list of dicts that grows to
gigabytes at 100k documents (see docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from tieline.store import schema as s
from tieline.store.db import Store


def doc_entity_rows(store: Store, chunk: int = 5000) -> Iterator[dict[str, Any]]:
    """Every document-level entity with its document's published date, in chunks, by key and
    document: linking keeps the order in which it meets keys, so a fixed order gives the same
    entities however the rows were written, and the same as linking a part of the store
    (``store/links.py: rows_for_keys``)."""
    q = (
        select(s.doc_entities, s.documents.c.published)
        .join(s.documents, s.documents.c.id == s.doc_entities.c.doc_id)
        .order_by(s.doc_entities.c.key, s.doc_entities.c.doc_id)
    )
    with store.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(q)
        for r in result:
            yield dict(r._mapping)
