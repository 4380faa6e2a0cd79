"""What the web handlers ask of the knowledge base, shaped for JSON.

Every function here calls the query layer or the store's read functions; none writes SQL.
Results are plain dicts and lists that the routes validate against their response models.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tieline.errors import NotFoundError
from tieline.extract.names import name_key
from tieline.query import entities as qentities
from tieline.query import events as qevents
from tieline.query import figures as qfigures
from tieline.query import graph as qgraph
from tieline.query import report as qreport
from tieline.query import scope
from tieline.query import search as qsearch
from tieline.store import curation, reads
from tieline.store import events as estore
from tieline.store.db import Store

# How much text around a mention makes its quote when no sentence span is stored.
_QUOTE_REACH = 220
_SENTENCE_END = re.compile(r"[.!?]\s+|\n")


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters the CLI offers, shared by events, timeline, graph, search and report."""

    actor: str | None = None
    type: str | None = None
    sector: str | None = None
    since: str | None = None
    until: str | None = None
    pair: tuple[str, str] | None = None


def page(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    """One page of a list, with the total."""
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "items": list(items[offset : offset + limit]),
    }


# --------------------------------------------------------------------------- whole-store values
T = TypeVar("T")
# Per store: (data version, values computed over the whole store at that version). The
# version changes on every write of documents and every relink (``Store.data_version``), so
# the filter menus and totals cost one look-up per request until the data changes.
_CACHE: weakref.WeakKeyDictionary[Store, tuple[str | None, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def _whole_store(store: Store, name: str, compute: Callable[[], T]) -> T:
    """A value computed over the whole store, kept until the store's data version changes."""
    version = store.data_version()
    with _CACHE_LOCK:
        hit = _CACHE.get(store)
        if hit is not None and hit[0] == version and name in hit[1]:
            return hit[1][name]  # type: ignore[no-any-return]
    # The version is read before computing: a write meanwhile leaves a value newer than its
    # version, which the next request replaces; an old value is never kept under a new one.
    value = compute()
    with _CACHE_LOCK:
        hit = _CACHE.get(store)
        if hit is None or hit[0] != version:
            hit = (version, {})
            _CACHE[store] = hit
        hit[1][name] = value
    return value


# --------------------------------------------------------------------------- lookups
class _Entities:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, entity_id: str, default: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return qentities.entity(self._store, entity_id) or default


class _Keys:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str, default: str | None = None) -> str | None:
        return qentities.entity_id_of_key(self._store, key) or default


class Index:
    """The look-ups the curation routes make (an entity by id, the entity a key points to),
    each read by index when asked rather than loading every entity."""

    def __init__(self, store: Store) -> None:
        self.entities = _Entities(store)
        self.keys = _Keys(store)


def _participant(p: dict[str, Any], canon: dict[str, scope.Actor]) -> dict[str, Any]:
    a = canon.get(p["entity_key"])
    return {
        "entity_id": a.id if a else None,
        "name": a.name if a else p["name"],
        "role": p["role"],
        "country": a.country if a else None,
    }


# --------------------------------------------------------------------------- documents
def list_documents(
    store: Store, q: str | None = None, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of document metadata in name order, optionally only those whose title or name
    contains q (case-blind), with the total; the store reads only that page."""
    docs = curation.list_documents(store, text=q, limit=limit, offset=offset)
    return {
        "total": curation.count_documents(store, text=q),
        "limit": limit,
        "offset": offset,
        "items": [_doc_out(d) for d in docs],
    }


def _doc_out(d: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "name",
        "title",
        "published",
        "published_precision",
        "author",
        "source",
        "url",
        "lang",
        "near_duplicate_of",
    )
    return {k: d.get(k) for k in keep}


def get_document(store: Store, doc_id: str) -> dict[str, Any]:
    """One document with its text and every extracted fact as spans over that text."""
    d = reads.document(store, doc_id)
    if d is None:
        raise NotFoundError(f"no document {doc_id!r}; list them at /api/documents")
    ms = reads.mentions(store, doc_id)
    evs = reads.events(store, doc_id)
    # Only the keys this document uses: the whole key map grows with the store.
    canon = scope.canonical(
        store,
        {m["entity_key"] for m in ms} | {p["entity_key"] for e in evs for p in e["participants"]},
    )
    mentions = []
    for m in ms:
        ent = canon.get(m["entity_key"])
        mentions.append(
            {
                "start": m["span_start"],
                "end": m["span_end"],
                "text": m["text"],
                "label": m["label"],
                "entity_id": ent.id if ent else None,
                "entity_name": ent.name if ent else None,
            }
        )
    events = [_event_out(e, canon) for e in evs]
    figures = [
        {
            **{
                k: f[k]
                for k in (
                    "id",
                    "doc_id",
                    "measure",
                    "value",
                    "unit",
                    "currency",
                    "period",
                    "period_start",
                    "period_end",
                    "status",
                    "actors",
                    "evidence",
                    "text",
                    "sentence_start",
                    "sentence_end",
                )
            },
            "start": f["span_start"],
            "end": f["span_end"],
            "doc_title": d["title"] or d["name"],
            "published": d["published"],
        }
        for f in reads.figures(store, doc_id)
    ]
    return {
        **_doc_out(d),
        "text": d["text"],
        "mentions": mentions,
        "events": events,
        "figures": figures,
    }


# --------------------------------------------------------------------------- entities
def _entity_out(e: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "name",
        "type",
        "country",
        "role",
        "affiliation",
        "kb_id",
        "mention_count",
        "doc_count",
        "first_seen",
        "last_seen",
        "aliases",
    )
    return {k: e.get(k) for k in keep}


def list_entities(
    store: Store,
    *,
    type: str | None = None,
    country: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of canonical entities, most mentioned first, filtered by type, country and a
    part of a name or alias (case-blind), with the total."""
    etype = qentities.check_type(type)
    if q is not None and not q.isascii():
        # SQLite lowers only ASCII letters, so a name in another script is matched here,
        # case-folded, over every entity of that type and country.
        needle = q.casefold()
        return page(
            [
                _entity_out(e)
                for e in qentities.list_entities(store, type=etype, country=country)
                if needle in e["name"].casefold()
                or any(needle in a.casefold() for a in e["aliases"])
            ],
            limit,
            offset,
        )
    rows = curation.list_entities(
        store, type=etype, country=country, text=q, limit=limit, offset=offset
    )
    return {
        "total": curation.count_entities(store, type=etype, country=country, text=q),
        "limit": limit,
        "offset": offset,
        "items": [_entity_out(e) for e in rows],
    }


def _quote(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence around a span (bounded), and where that quote starts in the text."""
    lo = max(0, start - _QUOTE_REACH)
    cut = None
    for m in _SENTENCE_END.finditer(text, lo, start):
        cut = m.end()
    qs = cut if cut is not None else lo
    stop = _SENTENCE_END.search(text, end, min(len(text), end + _QUOTE_REACH))
    qe = stop.start() + 1 if stop else min(len(text), end + _QUOTE_REACH)
    return text[qs:qe].strip(), qs + (len(text[qs:qe]) - len(text[qs:qe].lstrip()))


def get_entity(store: Store, entity_id: str, *, max_mentions: int = 200) -> dict[str, Any]:
    """One entity: aliases, role, country, its events, and its mentions with quotes."""
    ent = qentities.entity(store, entity_id)
    if ent is None:
        raise NotFoundError(f"no entity {entity_id!r}; list them at /api/entities")
    keys = {*qentities.entity_keys(store, entity_id), entity_id}
    # Events in document then text order, as the page has always listed them.
    rows = sorted(
        qevents.event_records(store, entity_keys=keys),
        key=lambda e: (e["doc_id"], e["trigger_start"]),
    )
    canon = scope.canonical(store, {p["entity_key"] for e in rows for p in e["participants"]})
    events = [_event_out(e, canon, e) for e in rows]
    mentions = qentities.key_mentions(store, sorted(keys))
    shown = sorted(mentions, key=lambda m: (m["doc_id"], m["span_start"]))[:max_mentions]
    texts = qentities.document_texts(store, {m["doc_id"] for m in shown})
    quotes = []
    for m in shown:
        text = texts.get(m["doc_id"])
        if text is None:
            continue
        quote, qstart = _quote(text, m["span_start"], m["span_end"])
        quotes.append(
            {
                "doc_id": m["doc_id"],
                "doc_title": m["doc_title"] or m["doc_name"],
                "published": m["doc_published"],
                "start": m["span_start"],
                "end": m["span_end"],
                "text": m["text"],
                "quote": quote,
                "quote_start": qstart,
            }
        )
    quotes.sort(key=lambda q: (q["published"] or "", q["doc_id"], q["start"]))
    # A facility's or product's life (agreement, construction start, delivery, operation...).
    life = (
        qentities.lifecycle(
            [{**ev, "doc": ev["doc_id"]} for ev in events],
            qentities.cluster_dates_of(store, events),
        )
        if ent["type"] in qentities.LIFECYCLE_TYPES
        else []
    )
    by_id = {ev["id"]: ev for ev in events}
    for stage in life:
        ev = by_id[stage["event_id"]]
        stage.update(doc_id=ev["doc_id"], doc_title=ev["doc_title"], published=ev["published"])
        stage.update(start=ev["sentence_start"], end=ev["sentence_end"])
    return {
        **_entity_out(ent),
        "events": events,
        "mentions": quotes,
        "mention_total": len(mentions),
        "lifecycle": life,
    }


# --------------------------------------------------------------------------- events
def _event_out(
    e: dict[str, Any], canon: dict[str, scope.Actor], doc: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An event row as the API shows it; ``doc``: a row with doc_title, doc_name and
    doc_published, to name the document."""
    parts = [
        _participant(p, canon)
        for p in sorted(e["participants"], key=lambda p: (p["role"], p["name"]))
    ]
    keep = (
        "id",
        "doc_id",
        "type",
        "trigger",
        "trigger_start",
        "trigger_end",
        "sentence_start",
        "sentence_end",
        "evidence",
        "sector",
        "date",
        "date_precision",
        "status",
        "confidence",
        "cluster_id",
    )
    out = {k: e.get(k) for k in keep}
    out["participants"] = parts
    out["doc_title"] = (doc["doc_title"] or doc["doc_name"]) if doc else None
    out["published"] = doc["doc_published"] if doc else None
    return out


def _cited_out(ev: qevents.CitedEvent) -> dict[str, Any]:
    trigger = ev.trigger_span or (None, None)
    return {
        "id": ev.id,
        "doc_id": ev.doc_id,
        "type": ev.type,
        "trigger": ev.trigger,
        "trigger_start": trigger[0],
        "trigger_end": trigger[1],
        "sentence_start": ev.span[0],
        "sentence_end": ev.span[1],
        "evidence": ev.evidence,
        "sector": ev.sector,
        "date": ev.date,
        "date_precision": ev.date_precision,
        "status": ev.status,
        "confidence": ev.confidence,
        "cluster_id": ev.cluster_id,
        "sources": ev.sources,
        "participants": [
            {"entity_id": p.entity_id, "name": p.name, "role": p.role, "country": p.country}
            for p in ev.participants
        ],
        "doc_title": ev.doc_title or ev.doc_name,
        "published": ev.published,
    }


def _names_nothing(actor: str | None) -> bool:
    # Punctuation or a bare corporate suffix names no actor, so it matches no event.
    return actor is not None and not name_key(actor)


def count_events(store: Store, f: Filters) -> int:
    """How many events match the filters, counted in the store with the conditions that
    ``qevents.list_events`` reads by."""
    if _names_nothing(f.actor):
        return 0
    keys: set[str] | None = None
    names: set[str] | None = None
    if f.actor:
        keys, names = qevents.actor_keys(store, f.actor)
    if not (f.type or f.sector or f.since or f.until or f.actor or f.pair):
        return _whole_store(store, "events", lambda: estore.count_events(store))
    return estore.count_events(
        store,
        types=f.type,
        sector=f.sector,
        since=scope.parse_since(f.since),
        until=f.until,
        entity_keys=keys,
        names=names,
        pair=f.pair,
    )


def list_events(store: Store, f: Filters, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """One page of the events filtered like ``tieline events`` (the query layer), oldest
    first, with citations, and the total; the store reads only that page and counts the rest."""
    evs = (
        []
        if _names_nothing(f.actor)
        else qevents.list_events(
            store,
            actor=f.actor,
            type=f.type,
            sector=f.sector,
            since=f.since,
            until=f.until,
            pair=_pair_str(f.pair),
            limit=limit,
            offset=offset,
        )
    )
    return {
        "total": count_events(store, f),
        "limit": limit,
        "offset": offset,
        "items": [_cited_out(ev) for ev in evs],
    }


def timeline(store: Store, f: Filters, *, limit: int = 200, offset: int = 0) -> dict[str, Any]:
    """One page of the timeline: the real-world events of ``limit`` reports from ``offset``
    (reports oldest first, as ``list_events``), in date order, each once with its reports on
    that page; ``total`` counts the reports. With the sectors, types and pairs to filter by.
    """
    entries = (
        []
        if _names_nothing(f.actor)
        else qevents.timeline(
            store,
            actor=f.actor,
            pair=_pair_str(f.pair),
            type=f.type,
            sector=f.sector,
            since=f.since,
            until=f.until,
            limit=limit,
            offset=offset,
        )
    )
    events = []
    for entry in entries:
        out = _cited_out(entry.event)
        out["when"], out["dated_by"] = entry.when, entry.dated_by
        out["reports"] = [
            {
                "doc_id": r.doc_id,
                "doc_title": r.doc_title or r.doc_name,
                "quote": r.evidence,
                "start": r.span[0],
                "end": r.span[1],
            }
            for r in entry.reports
        ]
        events.append(out)
    return {
        "events": events,
        "total": count_events(store, f),
        "limit": limit,
        "offset": offset,
        "sectors": sectors(store),
        "types": event_types(store),
        "pairs": pairs(store),
    }


def pairs(store: Store) -> list[str]:
    """Pairs of states that take part together in some event, as 'CN-RU', most events first
    (one aggregate in the store, kept until the data changes)."""
    return list(
        _whole_store(
            store, "pairs", lambda: [f"{a}-{b}" for a, b, _ in estore.country_pairs(store)]
        )
    )


def sectors(store: Store) -> list[str]:
    """The sectors that have events (kept until the data changes)."""
    return list(_whole_store(store, "sectors", lambda: qevents.sectors(store)))


def event_types(store: Store) -> list[str]:
    """The event types that have events (kept until the data changes)."""
    return list(_whole_store(store, "types", lambda: qevents.event_types(store)))


# --------------------------------------------------------------------------- figures
def _pair_str(pair: tuple[str, str] | None) -> str | None:
    return "-".join(pair) if pair else None


def _figure_out(c: qfigures.CitedFigure) -> dict[str, Any]:
    f = c.figure
    return {
        "id": f.id,
        "doc_id": c.doc_id,
        "measure": f.measure,
        "value": f.value,
        "unit": f.unit,
        "currency": f.currency,
        "period": f.period,
        "period_start": f.period_start,
        "period_end": f.period_end,
        "status": f.status,
        "actors": list(f.actors),
        "countries": list(c.countries),
        "evidence": f.evidence,
        "text": f.text,
        "start": f.start,
        "end": f.end,
        "sentence_start": f.sentence_start,
        "sentence_end": f.sentence_end,
        "doc_title": c.doc_title or c.doc_name,
        "published": c.published,
    }


def list_figures(
    store: Store,
    *,
    measure: str | None = None,
    pair: tuple[str, str] | None = None,
    status: str | None = None,
    unit: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the figures with citations, filtered by measure, pair of states, status and
    unit, with the total; the store reads only that page and counts the rest."""
    kw: dict[str, Any] = {
        "measure": measure,
        "pair": _pair_str(pair),
        "status": status,
        "unit": unit,
    }
    figs = qfigures.list_figures(store, **kw, limit=limit, offset=offset)
    if measure or status or unit:
        total = qfigures.count_figures(store, **kw)
    else:  # a pair's count tests every figure's actors (1 s at 100k figures): kept per version
        total = _whole_store(
            store,
            f"figures:{_pair_str(pair)}",
            lambda: qfigures.count_figures(store, pair=_pair_str(pair)),
        )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [_figure_out(c) for c in figs],
    }


def measures(store: Store) -> list[str]:
    """Measures that have figures: those with both actuals and targets first (they make the
    chart worth seeing), then by how often they are reported."""
    counts = qfigures.measures(store)
    statuses = reads.figure_statuses(store)
    return sorted(
        counts, key=lambda m: (not {"actual", "target"} <= statuses.get(m, set()), -counts[m], m)
    )


def series(store: Store, *, measure: str, pair: tuple[str, str] | None = None) -> dict[str, Any]:
    """One measure over time: every actual, target and forecast report, period by period."""
    ser = qfigures.series(store, measure, _pair_str(pair), with_countries=False)
    points = []
    for p in ser.points:
        for status in qfigures.STATUSES:
            for c in getattr(p, status):
                f = c.figure
                points.append(
                    {
                        "date": p.period,
                        "value": f.value,
                        "status": status,
                        "unit": f.unit,
                        "currency": f.currency,
                        "period": p.period,
                        "doc_id": c.doc_id,
                        "start": f.start,
                        "end": f.end,
                        "evidence": f.evidence,
                    }
                )
    return {"measure": ser.measure, "pair": ser.pair, "unit": ser.unit, "points": points}


# --------------------------------------------------------------------------- search
def _doc_offsets(store: Store, hits: Sequence[qsearch.Hit]) -> list[tuple[int | None, int | None]]:
    """Where in its document each hit's snippet (or fact) lies, for linking to the highlighted
    span; the facts and texts of all hits are read at once, by id."""
    placed = [h for h in hits if h.doc_id is not None]
    events = qevents.spans(store, {h.id for h in placed if h.kind == "event"})
    figures = reads.figure_spans(store, {h.id for h in placed if h.kind == "figure"})
    texts = qentities.document_texts(
        store, {h.doc_id for h in placed if h.kind == "document" and h.doc_id}
    )
    out: list[tuple[int | None, int | None]] = []
    for hit in hits:
        at: tuple[int | None, int | None] = (None, None)
        if hit.doc_id is None:
            pass
        elif hit.kind == "event" and hit.id in events:
            at = events[hit.id]["sentence_start"], events[hit.id]["sentence_end"]
        elif hit.kind == "figure" and hit.id in figures:
            at = figures[hit.id]
        elif hit.kind == "document" and hit.doc_id in texts:
            # The snippet is the text with white space flattened, so lengths agree.
            window = hit.snippet.strip("…")
            i = re.sub(r"\s", " ", texts[hit.doc_id]).find(window)
            if i >= 0:
                at = i, i + len(window)
        out.append(at)
    return out


def search(
    store: Store,
    q: str,
    f: Filters,
    kind: str | None = None,
    type: str | None = None,
    max_hits: int = 500,
    semantic: bool = False,
) -> dict[str, Any]:
    """Hits of the query layer's full-text (or, with ``semantic``, meaning) search, with their
    places in the documents and facets.

    Facets are counted over the first ``max_hits`` hits, the routes page through the same list.
    """
    query = qsearch.SearchQuery(
        text=q,
        actor=f.actor,
        type=type,
        sector=f.sector,
        since=f.since,
        until=f.until,
        kinds=(kind,) if kind else (),
        limit=max_hits,
        offset=0,
        semantic=semantic,
    )
    found = qsearch.search(store, query)
    hits: list[dict[str, Any]] = []
    for h, (start, end) in zip(found.items, _doc_offsets(store, found.items), strict=True):
        hits.append(
            {
                "kind": h.kind,
                "id": h.id,
                "doc_id": h.doc_id,
                "title": h.doc_title or h.doc_name or h.quote,
                "snippet": h.snippet,
                "highlights": [list(x) for x in h.highlights],
                "start": start,
                "end": end,
                "type": h.type,
                "sector": h.sector,
                "date": h.date,
                "score": h.score,
            }
        )
    facets = {
        "kind": dict(Counter(h["kind"] for h in hits)),
        "type": dict(Counter(h["type"] for h in hits if h["type"])),
        "sector": dict(Counter(h["sector"] for h in hits if h["sector"])),
        "year": dict(Counter(h["date"][:4] for h in hits if h["date"])),
    }
    return {"hits": hits, "total": found.total, "facets": facets}


# --------------------------------------------------------------------------- graph
def graph(store: Store, f: Filters) -> dict[str, Any]:
    """The query layer's actor network, narrowed to an actor and a sector when asked."""

    def build() -> qgraph.Network:
        return qgraph.build_network(
            store,
            pair=_pair_str(f.pair),
            since=f.since,
            until=f.until,
            types=(f.type,) if f.type else (),
        )

    # Centrality over a whole store's network is costly (exact betweenness is O(nodes *
    # edges)): the network of the store or of a pair is kept until the data changes (only
    # those, so that the kept networks stay few).
    narrowed = f.since or f.until or f.type
    net = build() if narrowed else _whole_store(store, f"graph:{_pair_str(f.pair)}", build)
    edges = list(net.edges)
    if f.sector:
        in_sector = qevents.ids_in_sector(store, f.sector)
        edges = [e for e in edges if in_sector.intersection(e.events)]
    if f.actor:
        ids = qentities.actor_ids(store, f.actor)
        edges = [e for e in edges if e.source in ids or e.target in ids]
    keep = {x for e in edges for x in (e.source, e.target)} if (f.sector or f.actor) else None
    nodes = [qgraph.node_to_dict(n) for n in net.nodes if keep is None or n.id in keep]
    out_edges = [qgraph.edge_to_dict(e) for e in edges]
    nodes.sort(key=lambda n: (-n["events"], n["name"]))
    out_edges.sort(key=lambda e: (-e["weight"], e["source"], e["target"]))
    return {"nodes": nodes, "edges": out_edges}


# --------------------------------------------------------------------------- report
def report(store: Store, pair: tuple[str, str] | None, since: str | None, fmt: str) -> str:
    """The query layer's cited briefing, as Markdown or as an escaped HTML page."""
    rep = qreport.build_report(store, pair=_pair_str(pair), since=since)
    return qreport.render_html(rep) if fmt == "html" else qreport.render_markdown(rep)


def summary(store: Store) -> dict[str, Any]:
    """Totals, and the values the filters offer (kept until the data changes)."""

    def compute() -> dict[str, Any]:
        c = reads.counts(store)
        return {
            **c,
            "entity_types": sorted(c["entities"]),
            "countries": qentities.countries(store),
            "event_types": event_types(store),
            "sectors": sectors(store),
            "measures": measures(store),
            "pairs": pairs(store),
        }

    return _copy(_whole_store(store, "summary", compute))


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    # Callers get their own lists and dicts: the kept value must not change under them.
    return {k: (type(v)(v) if isinstance(v, list | dict) else v) for k, v in value.items()}


# --------------------------------------------------------------------------- sources
_HEX_ID = re.compile(r"^[0-9a-f]{8,64}$")


def sources(store: Store, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Outlet, date, title and address of each document named (ids not stored are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for doc_id in dict.fromkeys(doc_ids):
        d = reads.document(store, doc_id) if _HEX_ID.match(doc_id) else None
        if d is not None:
            out[doc_id] = {
                "doc_id": doc_id,
                "outlet": d.get("source"),
                "title": d.get("title") or d.get("name"),
                "published": d.get("published"),
                "url": d.get("url"),
            }
    return out
