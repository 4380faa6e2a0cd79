"""Per-entity counts kept with the entities: how many events each takes part in.

An entity's events are those in which any of its document-level keys takes part (its id when
no key points to it), as ``curation.events_of`` reads them. The count is written whenever the
entities are (``Store.insert_links``, under a full relink, an incremental one and a curator's
merge or split), and a document written or removed leaves its keys pending until the next
linking rewrites their entities: so the count is as current as the entities' document and
mention counts. A page of an entity's events then says how many there are without counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, case, exists, func, select, update

from tieline.store import schema as s

_CHUNK = 500


def _count() -> object:
    """The UPDATE that writes ``event_count``: per entity, correlated, its keys' participants
    by ix_participants_key_when (an index range per key), distinct events counted once even
    where two of its keys take part in one."""
    ent, k, p = s.entities, s.entity_keys, s.event_participants
    has_keys = exists().where(k.c.entity_id == ent.c.id)
    by_keys = (
        select(func.count(p.c.event_id.distinct()))
        .select_from(k.join(p, p.c.entity_key == k.c.key))
        .where(k.c.entity_id == ent.c.id)
        .scalar_subquery()
    )
    by_id = (
        select(func.count(p.c.event_id.distinct()))
        .where(p.c.entity_key == ent.c.id)
        .scalar_subquery()
    )
    return update(ent).values(event_count=case((has_keys, by_keys), else_=by_id))


def count_events_of(conn: Connection, entity_ids: Iterable[str] | None) -> None:
    """Write ``event_count`` of these entities (None: of every entity) in the caller's
    transaction, after their key map is written."""
    q: Any = _count()
    if entity_ids is None:
        conn.execute(q)
        return
    ids = sorted(set(entity_ids))
    for i in range(0, len(ids), _CHUNK):
        conn.execute(q.where(s.entities.c.id.in_(ids[i : i + _CHUNK])))
