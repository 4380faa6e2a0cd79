"""Reads of stored figures with their documents, filtered in SQL (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, and_, cast, exists, func, literal, or_, select, tuple_

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


def _actor_names(dialect: str) -> Any:
    """The names of a figure's JSON list of actors, one row each, as a correlated table."""
    actors = s.figures.c.actors
    if dialect == "postgresql":
        fn = func.json_array_elements_text(cast(actors, JSON))
    else:
        fn = func.json_each(actors)
    return fn.table_valued("value").alias("actor")


def _with_country(code: str, dialect: str) -> Any:
    """Figures with an actor of this country: an actor name (case-blind) that names a canonical
    entity of the country (one with a key), or a document-level entity of the country in the
    figure's own document (the countries that ``figure_countries`` reports)."""
    f, de, ent, k = s.figures, s.doc_entities, s.entities, s.entity_keys
    actor = _actor_names(dialect)
    name = func.lower(actor.c.value)
    canonical = select(func.lower(ent.c.name)).where(
        func.upper(ent.c.country) == code, ent.c.id.in_(select(k.c.entity_id))
    )
    # The country's (document, name) pairs are read once, not per figure and actor: an
    # uncorrelated IN list is built one time (100k figures: 3.6 s against ...).
    in_doc = tuple_(f.c.doc_id, name).in_(
        select(de.c.doc_id, func.lower(de.c.name)).where(func.upper(de.c.country) == code)
    )
    return exists(select(literal(1)).select_from(actor).where(or_(name.in_(canonical), in_doc)))


def _conditions(
    dialect: str,
    *,
    measure: str | Sequence[str] | None = None,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    doc_id: str | None = None,
    with_period: bool = False,
    pair: tuple[str, str] | None = None,
) -> list[Any]:
    """The WHERE conditions of ``figure_rows`` and ``count_figures`` (figures joined to their
    documents)."""
    f = s.figures
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
    for code in pair or ():
        conds.append(_with_country(code.upper(), dialect))
    return conds


def _dialect(store: Store) -> str:
    return str(store.engine.dialect.name)


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
    pair: tuple[str, str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Figures with the name, title and date of their document, oldest period first.

    ``since``/``until`` (ISO dates of any precision) keep figures whose period overlaps the
    window; a figure without period dates is placed at its document's published date, and one
    with neither is left out of a window. ``with_period`` keeps only figures with a period.
    ``pair`` (two ISO country codes) keeps figures with an actor of each (``_with_country``).
    ``limit``/``offset``: one page of the ordered figures (all of them when ``limit`` is None).
    """
    f = s.figures
    conds = _conditions(
        _dialect(store),
        measure=measure,
        status=status,
        unit=unit,
        since=since,
        until=until,
        doc_id=doc_id,
        with_period=with_period,
        pair=pair,
    )
    q = select(f, *_DOC_COLUMNS).join(s.documents, s.documents.c.id == f.c.doc_id)
    if conds:
        q = q.where(and_(*conds))
    q = q.order_by(f.c.measure, f.c.period_start, s.documents.c.name, f.c.span_start, f.c.id)
    if limit is not None:
        q = q.limit(max(0, limit)).offset(max(0, offset))
    elif offset:
        q = q.offset(max(0, offset))
    with store.connect() as conn:
        result = conn.execute(q)
        cols = list(result.keys())  # zip is several times faster than Row._mapping per row
        rows = [dict(zip(cols, r, strict=True)) for r in result]
    for r in rows:
        r["actors"] = json.loads(r["actors"])
    return rows


def count_figures(
    store: Store,
    *,
    measure: str | Sequence[str] | None = None,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    doc_id: str | None = None,
    with_period: bool = False,
    pair: tuple[str, str] | None = None,
) -> int:
    """How many figures ``figure_rows`` returns with these filters (over all pages)."""
    f = s.figures
    conds = _conditions(
        _dialect(store),
        measure=measure,
        status=status,
        unit=unit,
        since=since,
        until=until,
        doc_id=doc_id,
        with_period=with_period,
        pair=pair,
    )
    q = select(func.count()).select_from(f.join(s.documents, s.documents.c.id == f.c.doc_id))
    if conds:
        q = q.where(and_(*conds))
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


def doc_entity_countries(store: Store, doc_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Document id -> (name, country) of its document-level entities that have a country,
    for these documents only."""
    de = s.doc_entities.c
    ids = sorted(set(doc_ids))
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with store.connect() as conn:
        for i in range(0, len(ids), 500):
            q = (
                select(de.doc_id, de.name, de.country)
                .where(de.doc_id.in_(ids[i : i + 500]), de.country.is_not(None), de.country != "")
                .order_by(de.doc_id, de.key)
            )
            for d, n, c in conn.execute(q):
                out[d].append((n, c))
    return dict(out)


def has_measure(store: Store, measure: str) -> bool:
    """Whether some figure has this measure (by ix_figures_measure)."""
    q = select(s.figures.c.measure).where(s.figures.c.measure == measure).limit(1)
    with store.connect() as conn:
        return conn.execute(q).first() is not None


def has_country(store: Store, code: str) -> bool:
    """Whether an entity, canonical (the few) or else in one document, has this country."""
    ent, de = s.entities.c, s.doc_entities.c
    with store.connect() as conn:
        for col in (ent.country, de.country):
            q = select(literal(1)).where(or_(col == code, col == code.lower())).limit(1)
            if conn.execute(q).first() is not None:
                return True
    return False


def held_countries(store: Store) -> list[str]:
    """Every country an entity carries, canonical or in one document, upper case, in order."""
    ent, de = s.entities.c, s.doc_entities.c
    q = (
        select(func.upper(ent.country).label("c"))
        .where(ent.country.is_not(None), ent.country != "")
        .union(select(func.upper(de.country)).where(de.country.is_not(None), de.country != ""))
    )
    with store.connect() as conn:
        return sorted({str(r[0]) for r in conn.execute(q)})


def canonical_countries(store: Store, names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, country) of the canonical entities (those with a key) that have a country and
    whose lower-cased name is one of ``names`` (give them lower-cased), by ix_entities_lname."""
    ent, k = s.entities, s.entity_keys
    wanted = sorted(set(names))
    out: list[tuple[str, str]] = []
    with store.connect() as conn:
        for i in range(0, len(wanted), 500):
            q = (
                select(ent.c.name, ent.c.country)
                .where(
                    func.lower(ent.c.name).in_(wanted[i : i + 500]),
                    ent.c.country.is_not(None),
                    ent.c.country != "",
                    ent.c.id.in_(select(k.c.entity_id)),
                )
                .order_by(ent.c.id)
            )
            out.extend((str(n), str(c)) for n, c in conn.execute(q))
    return out


def measures(store: Store) -> dict[str, int]:
    """Stored measures and how many figures each has."""
    q = (
        select(s.figures.c.measure, func.count())
        .where(s.figures.c.measure.is_not(None))
        .group_by(s.figures.c.measure)
        .order_by(s.figures.c.measure)
    )
    with store.connect() as conn:
        return {str(m): int(n) for m, n in conn.execute(q)}
