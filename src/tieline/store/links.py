"""What incremental linking reads and writes: a part of the store's links at a time.

A full relink (``Store.replace_links``) rewrites every entity. Incremental linking reads the
keys that writes left in ``link_pending``, grows them through ``link_tokens`` and
``entity_keys`` into a set closed under the linking rules (``tieline.extract.linkscope``), and
replaces the entities of that set alone, with the event clusters that rested on the ones that
changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Connection

from tieline.records import Entity
from tieline.store import schema as s
from tieline.store.db import _PG_LINKS_LOCK, Store
from tieline.store.migrations import store_meta

# Keys per IN (...) list: under SQLite's default limit on bound parameters.
CHUNK = 500


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    seq = sorted(set(items))
    for i in range(0, len(seq), CHUNK):
        yield seq[i : i + CHUNK]


def linker_version(store: Store) -> str | None:
    """The linker version the stored links and tokens were made by (None: never stored)."""
    with store.connect() as conn:
        return conn.execute(
            select(store_meta.c.value).where(store_meta.c.key == "linker_version")
        ).scalar_one_or_none()


def pending_keys(conn: Connection) -> set[str]:
    """The document-level keys written or removed since the last linking."""
    return set(conn.execute(select(s.link_pending.c.key).distinct()).scalars())


def pending_docs(conn: Connection) -> dict[str, set[str | None]]:
    """Pending key -> the documents written for it since the last linking (None: one of its
    documents was removed)."""
    out: dict[str, set[str | None]] = defaultdict(set)
    lp = s.link_pending
    for k, d in conn.execute(select(lp.c.key, lp.c.doc_id).distinct()):
        out[k].add(d)
    return out


def stored_groups(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """Key -> its stored group (``linkscope.dump_group``), for the keys that have one."""
    g = s.link_groups
    out: dict[str, str] = {}
    for chunk in _chunks(keys):
        out.update(
            (k, v) for k, v in conn.execute(select(g.c.key, g.c.state).where(g.c.key.in_(chunk)))
        )
    return out


def rows_for_docs(conn: Connection, docs: Mapping[str, Iterable[str]]) -> list[dict[str, Any]]:
    """The rows of these keys in these documents only (key -> documents), by key and
    document, with the document's date."""
    de, d = s.doc_entities, s.documents
    wanted = {(k, doc) for k, ds in docs.items() for doc in ds}
    out: list[dict[str, Any]] = []
    for chunk in _chunks({doc for _, doc in wanted}):
        q = select(de, d.c.published).join(d, d.c.id == de.c.doc_id).where(de.c.doc_id.in_(chunk))
        result = conn.execute(q)
        cols = list(result.keys())
        out.extend(
            row
            for row in (dict(zip(cols, r, strict=True)) for r in result)
            if (row["key"], row["doc_id"]) in wanted
        )
    out.sort(key=lambda r: (r["key"], r["doc_id"]))
    return out


def lock(store: Store, conn: Connection) -> None:
    """Take the store's link lock for the caller's transaction, before it reads: on
    PostgreSQL the advisory lock ``Store.replace_links`` takes, on SQLite the write lock (a
    write to the store's state takes it at once)."""
    if store.is_postgres:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LINKS_LOCK})
    else:
        store._set_meta(conn, "data_version", uuid4().hex)


def rows_for_keys(conn: Connection, keys: Iterable[str]) -> list[dict[str, Any]]:
    """The document-level entity rows of these keys with their document's date, ordered by
    key and document as ``store.stream.doc_entity_rows`` orders the whole store."""
    de, d = s.doc_entities, s.documents
    out: list[dict[str, Any]] = []
    for chunk in _chunks(keys):
        q = (
            select(de, d.c.published)
            .join(d, d.c.id == de.c.doc_id)
            .where(de.c.key.in_(chunk))
            .order_by(de.c.key, de.c.doc_id)
        )
        result = conn.execute(q)
        cols = list(result.keys())
        out.extend(dict(zip(cols, r, strict=True)) for r in result)
    return out


def keys_for_tokens(conn: Connection, tokens: Iterable[str]) -> dict[str, set[str]]:
    """Token -> the stored keys that carry it."""
    out: dict[str, set[str]] = defaultdict(set)
    t = s.link_tokens
    for chunk in _chunks(tokens):
        for tok, key in conn.execute(select(t.c.token, t.c.key).where(t.c.token.in_(chunk))):
            out[tok].add(key)
    return out


def tokens_of(conn: Connection, keys: Iterable[str]) -> set[str]:
    """The stored tokens of these keys (of their groups when they were last linked)."""
    t = s.link_tokens
    out: set[str] = set()
    for chunk in _chunks(keys):
        out.update(conn.execute(select(t.c.token).where(t.c.key.in_(chunk))).scalars())
    return out


def entity_members(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """Every key of the entities these keys stand for -> its entity id."""
    ek = s.entity_keys
    ids: set[str] = set()
    for chunk in _chunks(keys):
        ids.update(conn.execute(select(ek.c.entity_id).where(ek.c.key.in_(chunk))).scalars())
    out: dict[str, str] = {}
    for chunk in _chunks(ids):
        for k, eid in conn.execute(
            select(ek.c.key, ek.c.entity_id).where(ek.c.entity_id.in_(chunk))
        ):
            out[k] = eid
    return out


def entity_facts(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """Entity id -> (country, type): what event clusters read of an entity besides its id."""
    e = s.entities
    out: dict[str, tuple[str | None, str]] = {}
    for chunk in _chunks(ids):
        for i, c, t in conn.execute(select(e.c.id, e.c.country, e.c.type).where(e.c.id.in_(chunk))):
            out[i] = (c, t)
    return out


def taken_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of these entity ids are stored."""
    out: set[str] = set()
    for chunk in _chunks(ids):
        out.update(
            conn.execute(select(s.entities.c.id).where(s.entities.c.id.in_(chunk))).scalars()
        )
    return out


def replace_part(
    store: Store,
    conn: Connection,
    *,
    keys: Iterable[str],
    old_ids: Iterable[str],
    entities: Sequence[Entity],
    key_map: Mapping[str, str],
    stats: Mapping[str, Mapping[str, Any]],
    tokens: Mapping[str, Iterable[str]],
    done: Iterable[str],
    changed: Iterable[str],
    groups: Mapping[str, str] | None = None,
) -> int:
    """Replace the links of a closed set of keys in the caller's transaction (which holds
    ``lock``); returns the events whose cluster was opened again.

    ``keys``: the set (its old key map and tokens go); ``old_ids``: the entities it stood for
    (they go); ``done``: the pending keys it covers (cleared); ``changed``: keys whose entity
    now differs for clustering (other id, country or type): every cluster holding an event with
    such a participant loses its id, so the next incremental clustering places its events again.
    """
    keys, old_ids, done = sorted(set(keys)), sorted(set(old_ids)), sorted(set(done))
    ek, ep, ev = s.entity_keys, s.event_participants, s.events
    for chunk in _chunks(keys):
        conn.execute(delete(ek).where(ek.c.key.in_(chunk)))
        conn.execute(delete(s.link_tokens).where(s.link_tokens.c.key.in_(chunk)))
        conn.execute(delete(s.link_groups).where(s.link_groups.c.key.in_(chunk)))
    for chunk in _chunks(old_ids):
        conn.execute(delete(s.entity_aliases).where(s.entity_aliases.c.entity_id.in_(chunk)))
        conn.execute(delete(s.entity_name_keys).where(s.entity_name_keys.c.entity_id.in_(chunk)))
        conn.execute(delete(s.entities).where(s.entities.c.id.in_(chunk)))
    store.insert_links(conn, entities, key_map, stats)
    rows = [{"token": t, "key": k} for k in sorted(tokens) for t in sorted(set(tokens[k]))]
    for i in range(0, len(rows), 20000):
        conn.execute(s.link_tokens.insert(), rows[i : i + 20000])
    states = [{"key": k, "state": v} for k, v in sorted((groups or {}).items())]
    for i in range(0, len(states), 5000):
        conn.execute(s.link_groups.insert(), states[i : i + 5000])
    reopened = 0
    clusters: set[str] = set()
    for chunk in _chunks(changed):
        q = (
            select(ev.c.cluster_id)
            .join(ep, ep.c.event_id == ev.c.id)
            .where(ep.c.entity_key.in_(chunk), ev.c.cluster_id.is_not(None))
            .distinct()
        )
        clusters.update(conn.execute(q).scalars())
    for chunk in _chunks(clusters):
        res = conn.execute(update(ev).where(ev.c.cluster_id.in_(chunk)).values(cluster_id=None))
        reopened += res.rowcount or 0
    if reopened:
        store.mark_clusters(conn, stale=True)
    for chunk in _chunks(done):
        conn.execute(delete(s.link_pending).where(s.link_pending.c.key.in_(chunk)))
    # Another writer may have left keys since they were read: the links stay stale then.
    left = conn.execute(select(s.link_pending.c.key).limit(1)).first()
    state = conn.execute(
        select(store_meta.c.value).where(store_meta.c.key == "links_stale")
    ).scalar_one_or_none()
    if left is None and state != "all":
        store._set_meta(conn, "links_stale", "0")
    store._set_meta(conn, "data_version", uuid4().hex)
    return reopened
