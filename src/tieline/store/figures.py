"""Reads of stored figures with their documents, filtered in SQL (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select

from tieline.store import schema as s
from tieline.store.db import Store

# Columns of the document that cite a figure.
_DOC_COLUMNS = (
    s.documents.c.name.label("doc_name"),
    s.documents.c.title.label("doc_title"),
    s.documents.c.published.label("doc_published"),
    s.documents.c.url.label("doc_url"),
    s.documents.c.path.label("doc_path"),
    s.documents.c.near_duplicate_of.label("doc_near_duplicate_of"),
)


def figure_rows(
    store: Store,
    *,
    measure: str | Sequence[str] | None = None,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    doc_id: str | None = None,
    with_period: bool = False,
) -> list[dict[str, Any]]:
    """Figures with the name, title and date of their document, oldest period first.

    ``since``/``until`` (ISO dates of any precision) keep figures whose period overlaps the
    window; a figure without period dates is placed at its document's published date, and one
    with neither is left out of a window. ``with_period`` keeps only figures with a period.
    """
    f = s.figures
    q = select(f, *_DOC_COLUMNS).join(s.documents, s.documents.c.id == f.c.doc_id)
    conds: list[Any] = []
    if measure is not None:
        measures = [measure] if isinstance(measure, str) else list(measure)
        conds.append(func.lower(f.c.measure).in_([m.casefold() for m in measures]))
    if status is not None:
        conds.append(f.c.status.in_([status] if isinstance(status, str) else list(status)))
    if unit is not None:
        conds.append(f.c.unit == unit)
    if doc_id is not None:
        conds.append(f.c.doc_id == doc_id)
    if with_period:
        conds.append(f.c.period.is_not(None))
    # ISO strings compare in date order; a short bound ("2019") compares as its first day.
    start = func.coalesce(f.c.period_start, s.documents.c.published)
    end = func.coalesce(f.c.period_end, s.documents.c.published)
    if since:
        conds.append(and_(end.is_not(None), end >= since))
    if until:
        conds.append(and_(start.is_not(None), func.substr(start, 1, len(until)) <= until))
    if conds:
        q = q.where(and_(*conds))
    q = q.order_by(f.c.measure, f.c.period_start, s.documents.c.name, f.c.span_start, f.c.id)
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    for r in rows:
        r["actors"] = json.loads(r["actors"])
    return rows


def measures(store: Store) -> dict[str, int]:
    """Stored measures and how many figures each has."""
    q = (select(s.figures.c.measure, func.count()).where(s.figures.c.measure.is_not(None))
         .group_by(s.figures.c.measure).order_by(s.figures.c.measure))
    with store.connect() as conn:
        return {str(m): int(n) for m, n in conn.execute(q)}
