"""Read functions over the store, returning plain dicts; the query layer shapes them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select

from tieline.store import schema as s
from tieline.store.db import Store


def dict_rows(store: Store, q: Any) -> list[dict[str, Any]]:
    """The rows of a query as plain dicts (column name -> value)."""
    with store.connect() as conn:
        result = conn.execute(q)
        cols = list(result.keys())  # zip is several times faster than Row._mapping per row
        return [dict(zip(cols, r, strict=True)) for r in result]


def documents(store: Store, *, with_text: bool = True) -> list[dict[str, Any]]:
    """Every stored document, oldest source name first."""
    cols = [c for c in s.documents.c if c.name != "minhash" and (with_text or c.name != "text")]
    return dict_rows(store, select(*cols).order_by(s.documents.c.name, s.documents.c.id))


def document(store: Store, doc_id: str) -> dict[str, Any] | None:
    cols = [c for c in s.documents.c if c.name != "minhash"]
    rows = dict_rows(store, select(*cols).where(s.documents.c.id == doc_id))
    return rows[0] if rows else None


def canonical_names(store: Store, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Document-level key -> its corpus-level entity (id, name, type, country, role).

    ``keys``: only these keys (a page of results), read by index instead of the whole map.
    """
    q = select(s.entity_keys.c.key, s.entities).join(
        s.entities, s.entities.c.id == s.entity_keys.c.entity_id
    )
    if keys is None:
        return {r["key"]: r for r in dict_rows(store, q)}
    wanted = sorted(set(keys))
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(wanted), 500):
        for r in dict_rows(store, q.where(s.entity_keys.c.key.in_(wanted[i : i + 500]))):
            out[r["key"]] = r
    return out


def _of_docs(col: Any, doc_id: str | Sequence[str] | None) -> Any:
    """A WHERE clause for one document id or a list of them (None: every document)."""
    if doc_id is None:
        return None
    return col == doc_id if isinstance(doc_id, str) else col.in_(list(doc_id))


def doc_entities(store: Store, doc_id: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Document-level entities (of one document or a list of them), aliases decoded."""
    q = select(s.doc_entities)
    if doc_id is not None:
        q = q.where(_of_docs(s.doc_entities.c.doc_id, doc_id))
    rows = dict_rows(store, q.order_by(s.doc_entities.c.doc_id, s.doc_entities.c.key))
    for r in rows:
        r["aliases"] = json.loads(r["aliases"])
    return rows


def events(store: Store, doc_id: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Events with their participants (key, name, role), in text order per document (of one
    document or a list of them)."""
    q = select(s.events)
    pq = select(s.event_participants)
    if doc_id is not None:
        q = q.where(_of_docs(s.events.c.doc_id, doc_id))
        pq = pq.where(_of_docs(s.event_participants.c.doc_id, doc_id))
    evs = dict_rows(store, q.order_by(s.events.c.doc_id, s.events.c.trigger_start))
    parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in dict_rows(store, pq):
        parts[p["event_id"]].append(p)
    for e in evs:
        e["participants"] = sorted(parts.get(e["id"], []), key=lambda p: (p["role"], p["name"]))
    return evs


def figures(store: Store, doc_id: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Figures (of one document or a list of them), actors decoded."""
    q = select(s.figures)
    if doc_id is not None:
        q = q.where(_of_docs(s.figures.c.doc_id, doc_id))
    rows = dict_rows(store, q.order_by(s.figures.c.doc_id, s.figures.c.span_start))
    for r in rows:
        r["actors"] = json.loads(r["actors"])
    return rows


def mentions(store: Store, doc_id: str | None = None) -> list[dict[str, Any]]:
    q = select(s.mentions)
    if doc_id is not None:
        q = q.where(s.mentions.c.doc_id == doc_id)
    return dict_rows(store, q.order_by(s.mentions.c.doc_id, s.mentions.c.span_start))


def entities(store: Store) -> list[dict[str, Any]]:
    """Corpus-level entities with their aliases."""
    ents = dict_rows(store, select(s.entities).order_by(s.entities.c.name))
    aliases: dict[str, list[str]] = defaultdict(list)
    for r in dict_rows(store, select(s.entity_aliases).order_by(s.entity_aliases.c.alias)):
        aliases[r["entity_id"]].append(r["alias"])
    for e in ents:
        e["aliases"] = aliases.get(e["id"], [])
    return ents


def counts(store: Store) -> dict[str, Any]:
    """Totals for a summary: documents, entities by type, events by type, figures."""
    with store.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(s.documents)).scalar_one()
        ent: dict[str, int] = dict(
            conn.execute(select(s.entities.c.type, func.count()).group_by(s.entities.c.type)).all()
        )
        ev: dict[str, int] = dict(
            conn.execute(select(s.events.c.type, func.count()).group_by(s.events.c.type)).all()
        )
        n_fig = conn.execute(select(func.count()).select_from(s.figures)).scalar_one()
        fig: dict[str, int] = dict(
            conn.execute(select(s.figures.c.unit, func.count()).group_by(s.figures.c.unit)).all()
        )
    return {
        "documents": int(n_docs),
        "entities": {k: int(v) for k, v in sorted(ent.items())},
        "events": {k: int(v) for k, v in sorted(ev.items())},
        "figures": int(n_fig),
        "figures_by_unit": {k: int(v) for k, v in sorted(fig.items())},
    }


def document_batches(
    store: Store, batch: int = 500, *, with_text: bool = False
) -> Iterator[list[dict[str, Any]]]:
    """Every document in source-name order, ``batch`` at a time: each batch is its own
    query (keyset paging on ix_documents_name), so no cursor stays open between them."""
    cols = [c for c in s.documents.c if c.name != "minhash" and (with_text or c.name != "text")]
    d = s.documents.c
    after: tuple[str, str] | None = None
    while True:
        q = select(*cols).order_by(d.name, d.id).limit(batch)
        if after is not None:
            q = q.where(or_(d.name > after[0], and_(d.name == after[0], d.id > after[1])))
        rows = dict_rows(store, q)
        if not rows:
            return
        yield rows
        after = (rows[-1]["name"], rows[-1]["id"])


def iter_documents(store: Store, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Documents one by one without loading all texts at once."""
    cols = [c for c in s.documents.c if c.name != "minhash"]
    with store.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(
            select(*cols).order_by(s.documents.c.id)
        )
        for r in result:
            yield dict(r._mapping)


def find_documents(store: Store, text: str) -> list[dict[str, Any]]:
    """Document metadata (no text) whose title or name contains ``text`` (case-blind)."""
    cols = [c for c in s.documents.c if c.name not in ("minhash", "text")]
    needle = text.lower()
    d = s.documents.c
    q = (
        select(*cols)
        .where(
            func.lower(func.coalesce(d.title, "")).contains(needle, autoescape=True)
            | func.lower(d.name).contains(needle, autoescape=True)
        )
        .order_by(d.name, d.id)
    )
    return dict_rows(store, q)


def figure_spans(store: Store, figure_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Figure id -> the offsets of its sentence, for these figures only."""
    f = s.figures.c
    ids = sorted(set(figure_ids))
    out: dict[str, tuple[int, int]] = {}
    for i in range(0, len(ids), 500):
        q = select(f.id, f.sentence_start, f.sentence_end).where(f.id.in_(ids[i : i + 500]))
        out.update({r["id"]: (r["sentence_start"], r["sentence_end"]) for r in dict_rows(store, q)})
    return out


def figure_statuses(store: Store) -> dict[str, set[str]]:
    """Measure -> the statuses (actual, target, forecast) its figures are reported with."""
    f = s.figures.c
    q = select(f.measure, f.status).where(f.measure.is_not(None)).distinct()
    out: dict[str, set[str]] = defaultdict(set)
    for r in dict_rows(store, q):
        out[r["measure"]].add(r["status"])
    return dict(out)


def document_counts(store: Store) -> dict[str, dict[str, int]]:
    """Document id -> how many entities, events and figures were extracted from it (documents
    with none of a kind are absent from that kind's count)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with store.connect() as conn:
        for kind, table in (
            ("entities", s.doc_entities),
            ("events", s.events),
            ("figures", s.figures),
        ):
            q = select(table.c.doc_id, func.count()).group_by(table.c.doc_id)
            for doc_id, n in conn.execute(q).all():
                out[doc_id][kind] = int(n)
    return dict(out)
