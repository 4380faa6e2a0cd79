"""Reads and writes for curating entities: look-ups by name or alias, an entity's mentions
with their documents, its events, and the merge and split judgements curators record.

SQLAlchemy Core only, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select

from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.reads import dict_rows

_CHUNK = 500


def _with_aliases(store: Store, ents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [e["id"] for e in ents]
    aliases: dict[str, list[str]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        q = (
            select(s.entity_aliases)
            .where(s.entity_aliases.c.entity_id.in_(ids[i : i + _CHUNK]))
            .order_by(s.entity_aliases.c.alias)
        )
        for r in dict_rows(store, q):
            aliases[r["entity_id"]].append(r["alias"])
    for e in ents:
        e["aliases"] = aliases.get(e["id"], [])
    return ents


def _entity_conditions(type: str | None, country: str | None, text: str | None) -> list[Any]:
    """The WHERE conditions of ``list_entities`` and ``count_entities``."""
    e, a = s.entities, s.entity_aliases
    conds: list[Any] = []
    if type:
        conds.append(func.upper(e.c.type) == type.upper())
    if country is not None:
        if country.strip().lower() in ("", "none", "null", "-"):
            conds.append(e.c.country.is_(None))
        else:
            conds.append(func.upper(e.c.country) == country.strip().upper())
    if text:
        needle = text.lower()
        conds.append(
            or_(
                func.lower(e.c.name).contains(needle, autoescape=True),
                e.c.id.in_(
                    select(a.c.entity_id).where(
                        func.lower(a.c.alias).contains(needle, autoescape=True)
                    )
                ),
            )
        )
    return conds


def list_entities(
    store: Store,
    *,
    type: str | None = None,
    country: str | None = None,
    text: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Canonical entities with their aliases, most mentioned first.

    ``country`` is an ISO code; the empty string or 'none' keeps entities without a country.
    ``text``: only entities whose name or an alias contains it, case-blind as the database
    lowers case (SQLite lowers only ASCII letters).
    """
    e = s.entities
    q = (
        select(e)
        .where(*_entity_conditions(type, country, text))
        .order_by(e.c.mention_count.desc(), e.c.name, e.c.id)
        .offset(offset)
    )
    if limit is not None:
        q = q.limit(limit)
    return _with_aliases(store, dict_rows(store, q))


def count_entities(
    store: Store, *, type: str | None = None, country: str | None = None, text: str | None = None
) -> int:
    """How many entities ``list_entities`` returns with these filters (over all pages)."""
    q = select(func.count()).select_from(s.entities).where(*_entity_conditions(type, country, text))
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


def find_entities(store: Store, name: str) -> list[dict[str, Any]]:
    """Entities whose id, canonical name or an alias is ``name`` (case-blind), exact name
    matches first."""
    e, a = s.entities, s.entity_aliases
    folded = name.strip().lower()
    by_alias = select(a.c.entity_id).where(func.lower(a.c.alias) == folded)
    q = select(e).where(
        or_(e.c.id == name.strip(), func.lower(e.c.name) == folded, e.c.id.in_(by_alias))
    )
    rows = dict_rows(store, q)
    rows.sort(key=lambda r: (r["name"].lower() != folded, -int(r["mention_count"]), r["id"]))
    return _with_aliases(store, rows)


def entity(store: Store, entity_id: str) -> dict[str, Any] | None:
    """One canonical entity with its aliases."""
    rows = dict_rows(store, select(s.entities).where(s.entities.c.id == entity_id))
    return _with_aliases(store, rows)[0] if rows else None


def keys_of(store: Store, entity_id: str) -> list[str]:
    """The document-level keys linked to an entity."""
    q = select(s.entity_keys.c.key).where(s.entity_keys.c.entity_id == entity_id)
    return sorted(r["key"] for r in dict_rows(store, q))


def _mentions_with_documents() -> Select[Any]:
    """Mentions with the name, title, date and address of their document (to filter)."""
    m, d = s.mentions, s.documents
    return select(
        m,
        d.c.name.label("doc_name"),
        d.c.title.label("doc_title"),
        d.c.published.label("doc_published"),
        d.c.url.label("doc_url"),
    ).join(d, d.c.id == m.c.doc_id)


def mentions_of(
    store: Store, keys: Sequence[str], *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Mentions carrying any of these keys, with the name, title and date of their document,
    in document then text order; ``limit``: the first ones only, chosen in the store from
    index entries (ix_mentions_key_doc, ix_documents_id_meta) before any row is read."""
    m, d = s.mentions, s.documents
    out: list[dict[str, Any]] = []
    keys = list(keys)
    if limit is not None and len(keys) <= _CHUNK:
        order = (func.coalesce(d.c.published, ""), d.c.name, m.c.span_start, m.c.id)
        first = (
            select(m.c.id)
            .join(d, d.c.id == m.c.doc_id)
            .where(m.c.entity_key.in_(keys))
            .order_by(*order)
            .limit(max(0, limit))
        )
        q = _mentions_with_documents().where(m.c.id.in_(first))
        out = dict_rows(store, q.order_by(*order))
        return out
    for i in range(0, len(keys), _CHUNK):
        q = _mentions_with_documents().where(m.c.entity_key.in_(keys[i : i + _CHUNK]))
        out.extend(dict_rows(store, q))
    out.sort(key=lambda r: (r["doc_published"] or "", r["doc_name"], r["span_start"]))
    return out if limit is None else out[: max(0, limit)]


def mentions_page(
    store: Store, keys: Sequence[str], *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the mentions carrying any of these keys, in document then text order,
    with the name, title and date of their document.

    Each key's first ``offset + limit`` entries are read in order from ix_mentions_key_doc
    (an index range that stops there, no sort of the key's every mention) and merged; only
    the page's own rows are then read whole."""
    m = s.mentions
    want = max(0, offset) + max(0, limit)
    if want == 0 or not keys:
        return []
    firsts: list[list[tuple[str, int, int]]] = []
    with store.connect() as conn:
        for key in sorted(set(keys)):
            q = (
                select(m.c.doc_id, m.c.span_start, m.c.id)
                .where(m.c.entity_key == key)
                .order_by(m.c.doc_id, m.c.span_start, m.c.id)
                .limit(want)
            )
            firsts.append([(str(a), int(b), int(c)) for a, b, c in conn.execute(q)])
    chosen = list(heapq.merge(*firsts))[max(0, offset) : want]
    ids = [c[2] for c in chosen]
    rows = dict_rows(store, _mentions_with_documents().where(m.c.id.in_(ids)))
    rows.sort(key=lambda r: (r["doc_id"], r["span_start"], r["id"]))
    return rows


def count_mentions_of_keys(store: Store, keys: Sequence[str]) -> int:
    """How many mentions carry any of these keys (counted from ix_mentions_key_doc)."""
    m = s.mentions
    keys = sorted(set(keys))
    n = 0
    with store.connect() as conn:
        for i in range(0, len(keys), _CHUNK):
            q = select(func.count()).select_from(m).where(m.c.entity_key.in_(keys[i : i + _CHUNK]))
            n += int(conn.execute(q).scalar_one())
    return n


def mentions_by_text(store: Store, forms: Iterable[str]) -> list[dict[str, Any]]:
    """Mentions whose text is one of these forms (case-blind), with their documents."""
    folded = sorted({f.lower() for f in forms if f})
    if not folded:
        return []
    q = _mentions_with_documents().where(func.lower(s.mentions.c.text).in_(folded))
    return dict_rows(store, q)


def document_texts(store: Store, doc_ids: Iterable[str]) -> dict[str, str]:
    """The text of each of these documents."""
    ids = sorted(set(doc_ids))
    out: dict[str, str] = {}
    for i in range(0, len(ids), _CHUNK):
        q = select(s.documents.c.id, s.documents.c.text).where(
            s.documents.c.id.in_(ids[i : i + _CHUNK])
        )
        out.update({r["id"]: r["text"] for r in dict_rows(store, q)})
    return out


def events_of(
    store: Store, keys: Sequence[str], *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Events in which any of these keys takes part, with all their participants and their
    document's name, oldest first; ``limit``/``offset``: one page of them, chosen in the store
    (``store.events.page_ids``) so that only the page's rows are read."""
    ev, p, d = s.events, s.event_participants, s.documents
    keys = list(keys)
    ids: set[str] = set()
    if limit is not None:
        from tieline.store.events import EventFilter, page_ids

        f = EventFilter(actors=((frozenset(keys), frozenset()),))
        ids.update(page_ids(store, f, limit=limit, offset=offset))
    else:
        for i in range(0, len(keys), _CHUNK):
            q = select(p.c.event_id).where(p.c.entity_key.in_(keys[i : i + _CHUNK]))
            ids.update(r["event_id"] for r in dict_rows(store, q))
    events: list[dict[str, Any]] = []
    parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    idl = sorted(ids)
    for i in range(0, len(idl), _CHUNK):
        chunk = idl[i : i + _CHUNK]
        q = (
            select(
                ev,
                d.c.name.label("doc_name"),
                d.c.published.label("doc_published"),
                d.c.title.label("doc_title"),
                d.c.url.label("doc_url"),
            )
            .join(d, d.c.id == ev.c.doc_id)
            .where(ev.c.id.in_(chunk))
        )
        events.extend(dict_rows(store, q))
        # The columns ix_participants_event holds: the participants from the index alone.
        pq = select(p.c.event_id, p.c.entity_key, p.c.role, p.c.name)
        for r in dict_rows(store, pq.where(p.c.event_id.in_(chunk))):
            parts[r["event_id"]].append(r)
    for e in events:
        e["participants"] = sorted(parts.get(e["id"], []), key=lambda r: (r["role"], r["name"]))
    events.sort(
        key=lambda r: (r["date"] or r["doc_published"] or "", r["doc_name"], r["trigger_start"])
    )
    return events


def count_events_of_keys(store: Store, keys: Sequence[str]) -> int:
    """How many events any of these keys takes part in (counted in the store)."""
    p = s.event_participants
    n = 0
    seen: set[str] = set()
    keys = list(keys)
    if len(keys) <= _CHUNK:
        q = select(func.count(p.c.event_id.distinct())).where(p.c.entity_key.in_(keys))
        with store.connect() as conn:
            return int(conn.execute(q).scalar_one())
    for i in range(0, len(keys), _CHUNK):
        q = select(p.c.event_id).where(p.c.entity_key.in_(keys[i : i + _CHUNK]))
        seen.update(r["event_id"] for r in dict_rows(store, q))
    n = len(seen)
    return n


def canonical_of_keys(store: Store, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Document-level key -> (id, name) of its canonical entity, for these keys."""
    keys = sorted(set(keys))
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), _CHUNK):
        q = (
            select(s.entity_keys.c.key, s.entities.c.id, s.entities.c.name)
            .join(s.entities, s.entities.c.id == s.entity_keys.c.entity_id)
            .where(s.entity_keys.c.key.in_(keys[i : i + _CHUNK]))
        )
        out.update({r["key"]: {"id": r["id"], "name": r["name"]} for r in dict_rows(store, q)})
    return out


def record_merge(store: Store, a: str, b: str) -> None:
    """Record that a curator judged A and B to be one entity."""
    store.add_judgement("merge", a, b=b)


def record_split(store: Store, a: str, alias: str) -> None:
    """Record that a curator judged alias X of A to name another entity."""
    store.add_judgement("split", a, alias=alias)


def split_aliases(store: Store) -> list[str]:
    """Aliases that curators split off, oldest judgement first."""
    return [str(j["alias"]) for j in store.judgements() if j["kind"] == "split" and j["alias"]]


def entity_countries(store: Store) -> list[str]:
    """The distinct countries of canonical entities, in order."""
    c = s.entities.c.country
    q = select(c).where(c.is_not(None)).distinct().order_by(c)
    return [r["country"] for r in dict_rows(store, q) if r["country"]]


# ----------------------------------------------------------------------------- documents
def _document_conditions(text: str | None) -> list[Any]:
    d = s.documents.c
    if not text:
        return []
    needle = text.lower()
    return [
        or_(
            func.lower(func.coalesce(d.title, "")).contains(needle, autoescape=True),
            func.lower(d.name).contains(needle, autoescape=True),
        )
    ]


def list_documents(
    store: Store, *, text: str | None = None, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Document metadata (no text), in source-name order; ``text``: only those whose title or
    name contains it (case-blind); ``limit``/``offset``: one page of them, read alone."""
    d = s.documents.c
    cols = [c for c in s.documents.c if c.name not in ("minhash", "text")]
    q = (
        select(*cols)
        .where(*_document_conditions(text))
        .order_by(d.name, d.id)
        .offset(max(0, offset))
    )
    if limit is not None:
        q = q.limit(max(0, limit))
    return dict_rows(store, q)


def count_documents(store: Store, *, text: str | None = None) -> int:
    """How many documents ``list_documents`` returns with this text (over all pages)."""
    q = select(func.count()).select_from(s.documents).where(*_document_conditions(text))
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())
