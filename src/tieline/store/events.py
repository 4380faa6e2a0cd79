"""Events in the store: filtered reads with their documents, and clustering across documents.

The same real-world event reported by several articles gets one ``cluster_id`` (the work is in
``store.clusters``); its independent sources are the distinct publishers (or, without one, the
distinct originals: a near-duplicate counts as the article it copies).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Text, and_, func, literal, or_, select, union_all

from tieline.store import schema as s
from tieline.store.clusters import cluster_id_of, cluster_store
from tieline.store.db import Store

__all__ = ["EventFilter", "cluster_events", "cluster_id_of", "cluster_sources"]

_DOC_COLUMNS = (
    s.documents.c.name.label("doc_name"),
    s.documents.c.title.label("doc_title"),
    s.documents.c.published.label("doc_published"),
    s.documents.c.url.label("doc_url"),
    s.documents.c.path.label("doc_path"),
    s.documents.c.source.label("doc_source"),
    s.documents.c.near_duplicate_of.label("doc_near_duplicate_of"),
)


def entities_named(store: Store, key: str) -> set[str]:
    """Ids of the entities whose id, canonical name or an alias has this name key (one
    indexed look-up in ``entity_name_keys``)."""
    k = s.entity_name_keys.c
    with store.connect() as conn:
        return {r[0] for r in conn.execute(select(k.entity_id).where(k.name_key == key))}


def _window_ids(since: str | None, until: str | None, types: list[str] | None) -> Any:
    """Ids of events whose date (else publication date) may fall in the window, by index.

    A superset of the exact window test in ``event_rows``: dated events by ranges on
    events.date, undated ones by ranges on documents.published, so neither reads every event.
    A "when" in the window sorts at or after ``since`` or is a coarser prefix of it ("2014"
    for "2014-05"), and sorts before ``until + "~"``.
    """
    e, d = s.events, s.documents
    # The type goes inside, where ix_events_type_date_id serves it with the date range.
    kind = [e.c.type.in_(types)] if types is not None else []
    # Wrapped for the undated parts, so that they start from the documents' dates instead.
    slow_kind = [func.coalesce(e.c.type, "").in_(types)] if types is not None else []

    def ranges(col: Any) -> list[list[Any]]:
        # The first lower bound with the upper one, a coarser "when" on its own.
        lower, upper = _window_bounds(col, since, until)
        first, *rest = lower or [col.is_not(None)]
        return [[first, *upper], *([alt] for alt in rest)]

    parts: list[Any] = [select(e.c.id).where(*kind, *c) for c in ranges(e.c.date)]
    # coalesce() keeps the planner from reading every undated event through ix_events_date_id:
    # the documents published in the window are the few rows to start from.
    parts += [
        select(e.c.id)
        .select_from(d.join(e, e.c.doc_id == d.c.id))
        .where(*slow_kind, *c, func.coalesce(e.c.date, "") == "")
        for c in ranges(d.c.published)
    ]
    return parts[0].union_all(*parts[1:])


def _window_bounds(col: Any, since: str | None, until: str | None) -> tuple[list[Any], list[Any]]:
    """What an ISO date column in the window meets: one of the lower alternatives (at or
    after ``since``, or a coarser prefix of it: "2014" for "2014-05") and every upper
    condition (before ``until + "~"``); both empty without a window."""
    lower: list[Any] = []
    if since:
        coarser = [since[:k] for k in (4, 7) if k < len(since)]
        lower = [col >= since, *([col.in_(coarser)] if coarser else [])]
    return lower, ([col <= until + "~"] if until else [])


@dataclass(frozen=True, slots=True)
class EventFilter:
    """The conditions of ``event_rows`` and ``count_events``, resolved by the query layer.

    actors: per actor, its document-level keys and its names (case-blind, for participants
        not linked yet); every actor must take part.
    countries: ISO codes; each must be the country of an actor (not an object) of the event.
    types, sectors, statuses: alternatives; a sector keeps its subsectors.
    since, until: ISO dates of any precision; an event is dated by its own date, else by its
        document's publication date; undated events fall outside a window.
    doc_id: only the events of this document; min_confidence: only events the extractor was
        at least this sure of; ids: only these events (search tests its candidates).
    """

    actors: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    countries: tuple[str, ...] = ()
    types: Sequence[str] | None = None
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    doc_id: str | None = None
    min_confidence: float = 0.0
    ids: Sequence[str] | None = None
    # Set by ``event_rows`` for a page of one actor's events: (the "when" of the page's last
    # event,) so that only the actor's participants dated up to it are read (see _page_bound).
    when_at_most: tuple[str | None] | None = None


def _when_conditions(when: Any, since: str | None, until: str | None) -> list[Any]:
    """The exact window test on an event's "when" (its date, else its document's)."""
    conds: list[Any] = []
    # ISO strings compare in date order once both are cut to the coarser precision: an event
    # of "2014-05" falls in a window starting on 2014-05-21.
    if since:
        conds.append(
            and_(
                when.is_not(None),
                func.substr(when, 1, len(since))
                >= func.substr(literal(since, Text), 1, func.length(when)),
            )
        )
    if until:
        # A day and month with no year ("06-08", from an undated article) sorts below every
        # year; it is in no window, not in every window ending somewhere.
        conds.append(
            and_(
                when >= "1",
                func.substr(when, 1, len(until))
                <= func.substr(literal(until, Text), 1, func.length(when)),
            )
        )
    return conds


def _event_conditions(f: EventFilter) -> list[Any] | None:
    """The WHERE conditions of ``event_rows`` and ``count_events`` (over events joined to their
    documents), or None when the filters can match no event."""
    e = s.events
    since, until = f.since, f.until
    when = func.coalesce(e.c.date, s.documents.c.published)
    conds: list[Any] = []
    tl = list(f.types) if f.types is not None else None
    # An actor's events are few: read them by participant, not the window's (see below).
    by_window = bool(since or until) and not f.actors and f.ids is None
    if tl is not None and not by_window:
        conds.append(e.c.type.in_(tl))
    if f.sectors:
        conds.append(
            or_(
                *(
                    or_(e.c.sector == sec, e.c.sector.like(sec.rstrip(".") + ".%"))
                    for sec in f.sectors
                )
            )
        )
    conds += _when_conditions(when, since, until)
    if by_window:
        conds.append(e.c.id.in_(_window_ids(since, until, tl)))
    if f.ids is not None:
        conds.append(e.c.id.in_(list(f.ids)))
    if f.doc_id is not None:
        conds.append(e.c.doc_id == f.doc_id)
    if f.statuses:
        conds.append(e.c.status.in_(list(f.statuses)))
    if f.min_confidence > 0:
        conds.append(e.c.confidence >= f.min_confidence)
    p = s.event_participants
    for keys, names in f.actors:
        who: list[Any] = []
        if keys:
            who.append(p.c.entity_key.in_(sorted(keys)))
        if names:
            who.append(func.lower(p.c.name).in_(sorted({n.casefold() for n in names})))
        if not who:
            return None
        # With a window, only the participants dated in it (a superset, as _window_ids):
        # ix_participants_key_when reads a busy actor's year, not all its years.
        lower, upper = _window_bounds(p.c.when_date, since, until)
        dated = [*([or_(*lower) if len(lower) > 1 else lower[0]] if lower else []), *upper]
        if f.when_at_most is not None:
            (last,) = f.when_at_most
            dated.append(
                p.c.when_date.is_(None)
                if last is None
                else or_(p.c.when_date.is_(None), p.c.when_date <= last)
            )
        # One index range per alternative (keys, names), unioned: an OR of the two would read
        # each participant's table row to test it (SQLite's multi-index OR).
        subs = [select(p.c.event_id).where(w, *dated) for w in who]
        conds.append(e.c.id.in_(subs[0] if len(subs) == 1 else union_all(*subs)))
    for code in f.countries:
        conds.append(e.c.id.in_(_with_country(code)))
    return conds


def _with_country(code: str) -> Any:
    """Ids of events with an actor (a participant other than an object) whose canonical
    entity, reached through the key map, is of this country: the pair test of
    ``query.scope.touches_pair`` over ``query.scope.canonical`` actors."""
    p, k, ent = s.event_participants, s.entity_keys, s.entities
    # The country's keys first, then their participants by ix_participants_key_when: joining from
    # the participants would read every one of them (100k events: 0.9 s against 0.1-0.45 s).
    keys = (
        select(k.c.key)
        .join(ent, ent.c.id == k.c.entity_id)
        .where(func.upper(ent.c.country) == code.upper())
    )
    return select(p.c.event_id).where(p.c.role != "object", p.c.entity_key.in_(keys))


# The participant columns a read shows: ix_participants_event holds them, so a page's
# participants come from that index alone.
_PARTICIPANT_COLUMNS = (
    s.event_participants.c.event_id,
    s.event_participants.c.entity_key,
    s.event_participants.c.role,
    s.event_participants.c.name,
)
_ROLE_ORDER = {"source": 0, "party": 1, "target": 2, "object": 3}


def participants_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Event id -> its participants (event_id, entity_key, role, name), source, party, target
    and object, each by name."""
    parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cols = [c.name for c in _PARTICIPANT_COLUMNS]
    for i in range(0, len(ids), 500):
        pq = select(*_PARTICIPANT_COLUMNS).where(
            s.event_participants.c.event_id.in_(ids[i : i + 500])
        )
        for prow in conn.execute(pq):
            parts[prow.event_id].append(dict(zip(cols, prow, strict=True)))
    for v in parts.values():
        v.sort(key=lambda p: (_ROLE_ORDER.get(p["role"], 9), p["name"]))
    return parts


def _page_bound(conn: Connection, f: EventFilter, n: int) -> tuple[str | None] | None:
    """For a filter of one actor and at most a date window: the "when" of its ``n``-th event
    in the page order, as (value,) (NULL sorts first), from the actor's participant index
    entries alone; None when it has fewer events or the filter is another kind.

    Each participant carries its event's "when" (``when_date``: the event's date, else its
    document's), so the actor's index range (ix_participants_key_when) orders its events: a
    page ending at the n-th holds no event after that one's date. China's one-year page reads
    the events up to that day instead of sorting the 5,900 of its year.
    """
    if n <= 0:
        return None
    if (
        len(f.actors) != 1
        or f.countries
        or f.types is not None
        or f.sectors
        or f.statuses
        or f.doc_id is not None
        or f.min_confidence > 0
        or f.ids is not None
    ):
        return None
    p = s.event_participants
    keys, names = f.actors[0]
    # The keys alone where there are any: the n-th of a part of the candidates comes no
    # earlier than the n-th of all, so the bound still holds the page, and the keys' index
    # (ix_participants_key_when) is read without the rows; the names' expression index is
    # not read as covering, so its branch would read every named participant's row.
    if keys:
        who: Any = p.c.entity_key.in_(sorted(keys))
    elif names:
        who = func.lower(p.c.name).in_(sorted({n.casefold() for n in names}))
    else:
        return None
    # The event list's own window test, on the participant's copy of "when".
    conds = _when_conditions(p.c.when_date, f.since, f.until)
    lower, upper = _window_bounds(p.c.when_date, f.since, f.until)
    dated = [*([or_(*lower) if len(lower) > 1 else lower[0]] if lower else []), *upper]
    # In index order where one key is asked for, so the read stops after the page's events;
    # several keys are sorted first (their index entries, not their rows).
    q = select(p.c.event_id, p.c.when_date).where(who, *dated, *conds).order_by(p.c.when_date)
    seen: set[str] = set()
    result = conn.execution_options(yield_per=256).execute(q)
    try:
        for event_id, when in result:
            seen.add(event_id)
            if len(seen) == n:
                return (when,)
    finally:
        result.close()
    return None


def _first_whens(conn: Connection, n: int) -> tuple[str | None] | None:
    """For the whole store (no filter): the "when" of its ``n``-th event in the page order,
    as (value,) (NULL sorts first), or None when it has fewer events.

    Two streams in "when" order, merged until ``n`` events are passed: the dated events by
    ix_events_date_id, the undated ones by their documents' dates (ix_documents_published_id,
    then ix_events_doc_when); each stops after ``n`` index entries."""
    if n <= 0:
        return None
    e, d = s.events, s.documents
    dated = select(e.c.date).where(e.c.date.is_not(None)).order_by(e.c.date).limit(n)
    undated = (
        select(d.c.published)
        .select_from(d.join(e, e.c.doc_id == d.c.id))
        .where(_undated(e))
        .order_by(d.c.published)
        .limit(n)
    )

    def key(v: str | None) -> tuple[bool, str]:
        return (v is not None, v or "")

    streams = [[r[0] for r in conn.execute(q)] for q in (dated, undated)]
    merged = list(heapq.merge(*streams, key=key))
    return (merged[n - 1],) if len(merged) >= n else None


def _whole_page_conditions(bound: tuple[str | None]) -> list[Any]:
    """The events of the whole store whose "when" is at most ``bound``, by index: the dated
    ones by ix_events_date_id, the undated ones by their documents' dates."""
    e, d = s.events, s.documents
    (last,) = bound
    undated_when: Any
    if last is None:
        dated_part = select(e.c.id).where(e.c.date.is_(None), e.c.date.is_not(None))
        undated_when = d.c.published.is_(None)
    else:
        dated_part = select(e.c.id).where(e.c.date.is_not(None), e.c.date <= last)
        undated_when = or_(d.c.published.is_(None), d.c.published <= last)
    undated_part = (
        select(e.c.id).select_from(d.join(e, e.c.doc_id == d.c.id)).where(undated_when, _undated(e))
    )
    return [e.c.id.in_(union_all(dated_part, undated_part))]


def _undated(e: Any) -> Any:
    """``date IS NULL``, written so that the planner starts from the documents' dates (an
    index range) instead of reading every undated event through ix_events_date_id."""
    return e.c.date.concat("").is_(None)


def _page_ids(
    conn: Connection, f: EventFilter, conds: list[Any], limit: int, offset: int
) -> list[str]:
    """The ids of one page of the events that pass ``f`` (whose conditions are ``conds``), in
    the page order, from index entries alone: ix_events_id_narrow and ix_documents_id_meta
    hold every column the conditions and the order read, so only the page's own rows are read
    whole afterwards. Sorting the candidates' full rows read each evidence sentence of the
    window, a page from disk per candidate on a cold store."""
    e, d = s.events, s.documents
    bound = _page_bound(conn, f, max(0, offset) + limit)
    if bound is not None:
        conds = _event_conditions(replace(f, when_at_most=bound)) or []
    elif f == EventFilter() and not conds:
        # The whole store's page: only the events up to its last one's "when" are sorted.
        whole = _first_whens(conn, max(0, offset) + limit)
        if whole is not None:
            conds = _whole_page_conditions(whole)
    q = (
        select(e.c.id)
        .select_from(e.join(d, d.c.id == e.c.doc_id))
        .where(*conds)
        .order_by(func.coalesce(e.c.date, d.c.published), d.c.name, e.c.trigger_start, e.c.id)
        .limit(max(0, limit))
        .offset(max(0, offset))
    )
    return [str(r[0]) for r in conn.execute(q)]


def page_ids(store: Store, f: EventFilter, *, limit: int, offset: int = 0) -> list[str]:
    """The ids of one page of ``event_rows(store, f, limit=, offset=)``, in its order."""
    conds = _event_conditions(f)
    if conds is None:
        return []
    with store.connect() as conn:
        return _page_ids(conn, f, conds, limit, offset)


def event_rows(
    store: Store,
    f: EventFilter | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Events that pass ``f`` (see ``EventFilter``) with their document and participants,
    oldest first (by their date, else their document's); ``limit``/``offset``: one page of
    them (all when ``limit`` is None)."""
    f = f or EventFilter()
    conds = _event_conditions(f)
    if conds is None:
        return []
    e, d = s.events, s.documents
    when = func.coalesce(e.c.date, d.c.published)
    order = (when, d.c.name, e.c.trigger_start, e.c.id)
    with store.connect() as conn:
        if limit is not None:
            ids = _page_ids(conn, f, conds, limit, offset)
            if not ids:
                return []
            conds = [e.c.id.in_(ids)]
        q = select(e, *_DOC_COLUMNS, when.label("when")).join(d, d.c.id == e.c.doc_id)
        if conds:
            q = q.where(and_(*conds))
        q = q.order_by(*order)
        if limit is None and offset:
            q = q.offset(max(0, offset))
        result = conn.execute(q)
        cols = list(result.keys())
        rows = [dict(zip(cols, r, strict=True)) for r in result]
        parts = participants_of(conn, [r["id"] for r in rows])
    for r in rows:
        r["participants"] = parts.get(r["id"], [])
    return rows


def event_ids(store: Store, f: EventFilter | None = None) -> set[str]:
    """Ids of the events that pass ``f`` (one narrow read)."""
    conds = _event_conditions(f or EventFilter())
    if conds is None:
        return set()
    e = s.events
    q = select(e.c.id).select_from(e.join(s.documents, s.documents.c.id == e.c.doc_id))
    if conds:
        q = q.where(and_(*conds))
    with store.connect() as conn:
        return {str(r[0]) for r in conn.execute(q)}


def count_events(store: Store, f: EventFilter | None = None) -> int:
    """How many events ``event_rows`` returns with these filters (over all pages)."""
    conds = _event_conditions(f or EventFilter())
    if conds is None:
        return 0
    e = s.events
    q = select(func.count()).select_from(e.join(s.documents, s.documents.c.id == e.c.doc_id))
    if conds:
        q = q.where(and_(*conds))
    with store.connect() as conn:
        return int(conn.execute(q).scalar_one())


def has_sector(store: Store, sector: str) -> bool:
    """Whether some event is of this sector or one of its subsectors (the sector itself by
    ix_events_sector first; LIKE, not a range, so that PostgreSQL's collation cannot move
    the dot)."""
    e = s.events.c
    sec = sector.rstrip(".")
    with store.connect() as conn:
        for cond in (e.sector == sec, e.sector.like(sec + ".%")):
            if conn.execute(select(literal(1)).where(cond).limit(1)).first() is not None:
                return True
    return False


def sectors(store: Store) -> dict[str, int]:
    """Stored event sectors and how many events each has."""
    q = (
        select(s.events.c.sector, func.count())
        .where(s.events.c.sector.is_not(None))
        .group_by(s.events.c.sector)
        .order_by(s.events.c.sector)
    )
    with store.connect() as conn:
        return {str(k): int(n) for k, n in conn.execute(q)}


# ----------------------------------------------------------------------------- clustering
def cluster_events(store: Store, *, only_new: bool = False) -> int:
    """Give every event the cluster id of the real-world event it reports; returns clusters.

    The work is ``store.clusters.cluster_store`` (see there for what makes two reports one
    event); participants are compared as linked entities, so run this after ``relink``.
    """
    return cluster_store(store, only_new=only_new)


def cluster_sources(
    store: Store, cluster_ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per cluster: its events, documents and number of independent sources.

    A near-duplicate counts as the article it copies; originals from one publisher count once;
    originals without a known publisher count one each.
    """
    e, d = s.events, s.documents
    q = (
        select(e.c.cluster_id, e.c.id, e.c.doc_id, d.c.near_duplicate_of)
        .join(d, d.c.id == e.c.doc_id)
        .where(e.c.cluster_id.is_not(None))
    )
    wanted = sorted(set(cluster_ids)) if cluster_ids is not None else None
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        if wanted is None:
            rows = list(conn.execute(q))
        else:
            # Only the clusters asked for, through ix_events_cluster: a page of events must
            # not read every clustered event of the store.
            rows = [
                r
                for i in range(0, len(wanted), 500)
                for r in conn.execute(q.where(e.c.cluster_id.in_(wanted[i : i + 500])))
            ]
        origins = {r.near_duplicate_of or r.doc_id for r in rows}
        publisher: dict[str, str | None] = {}
        ids = sorted(origins)
        for i in range(0, len(ids), 500):
            q2 = select(d.c.id, d.c.source).where(d.c.id.in_(ids[i : i + 500]))
            for drow in conn.execute(q2):
                publisher[drow.id] = drow.source
    for r in rows:
        c = out.setdefault(r.cluster_id, {"events": [], "documents": set(), "sources": set()})
        c["events"].append(r.id)
        c["documents"].add(r.doc_id)
        origin = r.near_duplicate_of or r.doc_id
        pub = publisher.get(origin)
        c["sources"].add(("publisher", pub.casefold()) if pub else ("doc", origin))
    return {
        k: {
            "events": sorted(v["events"]),
            "documents": sorted(v["documents"]),
            "sources": len(v["sources"]),
        }
        for k, v in out.items()
    }


# ----------------------------------------------------------------------------- narrow reads
def event_types(store: Store) -> dict[str, int]:
    """Stored event types and how many events each has."""
    q = select(s.events.c.type, func.count()).group_by(s.events.c.type).order_by(s.events.c.type)
    with store.connect() as conn:
        return {str(k): int(n) for k, n in conn.execute(q)}


def spans(store: Store, event_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Event id -> its trigger and sentence offsets, for these events only."""
    e = s.events
    ids = sorted(set(event_ids))
    out: dict[str, dict[str, int]] = {}
    with store.connect() as conn:
        for i in range(0, len(ids), 500):
            q = select(
                e.c.id, e.c.trigger_start, e.c.trigger_end, e.c.sentence_start, e.c.sentence_end
            ).where(e.c.id.in_(ids[i : i + 500]))
            for r in conn.execute(q):
                out[r.id] = {
                    k: r._mapping[k]
                    for k in ("trigger_start", "trigger_end", "sentence_start", "sentence_end")
                }
    return out


def participant_countries(store: Store) -> list[tuple[str, str]]:
    """(event id, country) for every participant whose entity has a country, events in
    document then text order.

    A participant's key is resolved through the key map, else taken as an entity id.
    """
    e, p, k, ent = s.events, s.event_participants, s.entity_keys, s.entities
    q = (
        select(e.c.id, ent.c.country)
        .join(p, p.c.event_id == e.c.id)
        .outerjoin(k, k.c.key == p.c.entity_key)
        .join(ent, ent.c.id == func.coalesce(k.c.entity_id, p.c.entity_key))
        .where(ent.c.country.is_not(None))
        .order_by(e.c.doc_id, e.c.trigger_start, e.c.id)
    )
    with store.connect() as conn:
        return [(str(r[0]), str(r[1])) for r in conn.execute(q)]


def country_pairs(store: Store) -> list[tuple[str, str, int]]:
    """(country a, country b, events) for every two countries whose participants take part in
    one event, a < b, most events first (then by the pair), in one aggregate.

    The participants and countries are those of ``participant_countries``: objects count, and
    a key is resolved through the key map, else taken as an entity id.
    """
    p, k, ent = s.event_participants, s.entity_keys, s.entities
    ec = (
        select(p.c.event_id, ent.c.country)
        .outerjoin(k, k.c.key == p.c.entity_key)
        .join(ent, ent.c.id == func.coalesce(k.c.entity_id, p.c.entity_key))
        .where(ent.c.country.is_not(None))
        .distinct()
        .cte("event_countries")
    )
    a, b = ec.alias("a"), ec.alias("b")
    n = func.count().label("n")
    q = (
        select(a.c.country.label("a"), b.c.country.label("b"), n)
        .join(b, and_(b.c.event_id == a.c.event_id, a.c.country < b.c.country))
        .group_by(a.c.country, b.c.country)
        .order_by(n.desc(), a.c.country, b.c.country)
    )
    with store.connect() as conn:
        return [(str(r[0]), str(r[1]), int(r[2])) for r in conn.execute(q)]


def event_actor_rows(
    store: Store,
    *,
    types: Sequence[str] | None = None,
    pair: tuple[str, str] | None = None,
) -> list[tuple[str, str, str | None, str | None, str, str]]:
    """(event id, type, date, document published, entity key, name) for every participant
    other than an object, events in document then text order and each event's participants
    by role then name: the narrow read of the actor network.

    ``types``: only events of these types; ``pair``: only events in which both states take
    part (the condition of ``event_rows``).
    """
    e, d, p = s.events, s.documents, s.event_participants
    q = (
        select(e.c.id, e.c.type, e.c.date, d.c.published, p.c.entity_key, p.c.name)
        .join(d, d.c.id == e.c.doc_id)
        .join(p, p.c.event_id == e.c.id)
        .where(p.c.role != "object")
    )
    if types is not None:
        q = q.where(e.c.type.in_(list(types)))
    for code in pair or ():
        q = q.where(e.c.id.in_(_with_country(code)))
    q = q.order_by(e.c.doc_id, e.c.trigger_start, e.c.id, p.c.role, p.c.name, p.c.entity_key)
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(q)]
