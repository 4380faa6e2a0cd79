"""What the web handlers ask of the knowledge base, shaped for JSON.

Every read goes through ``tieline.api.Library`` (events, timeline, search, network, figures,
entities, briefing: the same calls and the same ``Scope`` as the CLI and the Python API) and
its records through ``api.to_json``, so the REST API answers field for field what the CLI's
``--json`` prints. Page-only rows (a document's text and spans) come from ``query.pages``;
nothing here imports the store or writes SQL.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from tieline.api import Library, to_json
from tieline.errors import NotFoundError
from tieline.query import entities as qentities
from tieline.query import events as qevents
from tieline.query import pages, scope
from tieline.query import report as qreport
from tieline.query import search as qsearch
from tieline.query.scope import Scope

# How much text around a mention makes its quote when no sentence span is stored.
_QUOTE_REACH = 220
_SENTENCE_END = re.compile(r"[.!?]\s+|\n")


Filters = Scope  # the one filter record of every read


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
_CACHE: weakref.WeakKeyDictionary[Library, tuple[str | None, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def _whole_store(store: Library, name: str, compute: Callable[[], T]) -> T:
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
    def __init__(self, store: Library) -> None:
        self._store = store

    def get(self, ref: str, default: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The entity an id, name, alias or acronym stands for (as ``tieline merge`` takes
        them), or ``default``; several entities of one name raise a FilterError."""
        found = qentities.entity(self._store.store, ref)
        if found is not None:
            return found
        try:
            return qentities.entity(self._store.store, self._store.find_entity(ref)["id"])
        except NotFoundError:
            return default


class _Keys:
    def __init__(self, store: Library) -> None:
        self._store = store

    def get(self, key: str, default: str | None = None) -> str | None:
        return qentities.entity_id_of_key(self._store.store, key) or default


class Index:
    """The look-ups the curation routes make (an entity by id or name, the entity a key
    points to), each read by index when asked rather than loading every entity."""

    def __init__(self, store: Library) -> None:
        self.entities = _Entities(store)
        self.keys = _Keys(store)


# --------------------------------------------------------------------------- documents
def list_documents(
    store: Library, q: str | None = None, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of document metadata in name order, optionally only those whose title or name
    contains q (case-blind), with the total; the store reads only that page."""
    docs = pages.list_documents(store.store, text=q, limit=limit, offset=offset)
    return {
        "total": pages.count_documents(store.store, text=q),
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


def get_document(store: Library, doc_id: str) -> dict[str, Any]:
    """One document with its text and every extracted fact as spans over that text."""
    d = pages.document(store.store, doc_id)
    if d is None:
        raise NotFoundError(f"no document {doc_id!r}; list them at /api/documents")
    ms = pages.mentions(store.store, doc_id)
    # Only the keys this document uses: the whole key map grows with the store.
    canon = scope.canonical(store.store, {m["entity_key"] for m in ms})
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
    events = _events_out(store, qevents.event_records(store.store, doc_id=doc_id))
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
        for f in pages.figures(store.store, doc_id)
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
    store: Library,
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
    if country is not None and country.strip().lower() != "none":
        country = scope.check_country(store.store, country)
    if q is not None and not q.isascii():
        # SQLite lowers only ASCII letters, so a name in another script is matched here,
        # case-folded, over every entity of that type and country.
        needle = q.casefold()
        return page(
            [
                _entity_out(e)
                for e in store.entities(type=etype, country=country)
                if needle in e["name"].casefold()
                or any(needle in a.casefold() for a in e["aliases"])
            ],
            limit,
            offset,
        )
    rows = pages.list_entities(
        store.store, type=etype, country=country, text=q, limit=limit, offset=offset
    )
    return {
        "total": pages.count_entities(store.store, type=etype, country=country, text=q),
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


def get_entity(
    store: Library,
    entity_id: str,
    *,
    max_mentions: int = 200,
    mentions_offset: int = 0,
    max_events: int = 200,
    events_offset: int = 0,
) -> dict[str, Any]:
    """One entity: aliases, role, country, one page of its events (oldest first) and one of
    its mentions with quotes (in document order, shown by date), with the totals.

    Each page is chosen in the store from index entries and only its rows are read, so the
    busiest actor's page costs what a small one's does; the event total is the count kept
    with the entity."""
    # An id, a name, an alias or an acronym, as the CLI's ``tieline entity`` takes them.
    ent = Index(store).entities.get(entity_id)
    if ent is None:
        raise NotFoundError(f"no entity {entity_id!r}; list them at /api/entities")
    entity_id = ent["id"]
    # The keys the CLI's entity page reads (its id where no key points to it yet).
    keys = qentities.entity_keys(store.store, entity_id) or [entity_id]
    rows = qevents.event_records(
        store.store, entity_keys=keys, limit=max_events, offset=events_offset
    )
    events = _cited(store, rows)
    event_total = (
        len(events)
        if events_offset == 0 and len(events) < max_events
        else qentities.event_count(store.store, entity_id, keys)
    )
    mkeys = sorted({*keys, entity_id})
    shown = qentities.key_mentions_page(
        store.store, mkeys, limit=max_mentions, offset=mentions_offset
    )
    mention_total = (
        len(shown)
        if mentions_offset == 0 and len(shown) < max_mentions
        else qentities.count_key_mentions(store.store, mkeys)
    )
    texts = qentities.document_texts(store.store, {m["doc_id"] for m in shown})
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
    # A facility's or product's life (agreement, construction start, delivery, operation...),
    # from all its events of the kinds a stage is read from, whichever page is shown.
    life: list[dict[str, Any]] = []
    if ent["type"] in qentities.LIFECYCLE_TYPES:
        staged = _cited(
            store,
            qevents.event_records(
                store.store, entity_keys=keys, types=qentities.LIFECYCLE_EVENT_TYPES
            ),
        )
        life = qentities.lifecycle(
            [{**ev, "doc": ev["doc_id"]} for ev in staged], store.cluster_dates(staged)
        )
        by_id = {ev["id"]: ev for ev in staged}
        for stage in life:
            ev = by_id[stage["event_id"]]
            stage.update(doc_id=ev["doc_id"], doc_title=ev["doc_title"], published=ev["published"])
            stage.update(start=ev["sentence_start"], end=ev["sentence_end"])
    return {
        **_entity_out(ent),
        "events": events,
        "event_total": event_total,
        "event_limit": max_events,
        "event_offset": events_offset,
        "mentions": quotes,
        "mention_total": mention_total,
        "mention_limit": max_mentions,
        "mention_offset": mentions_offset,
        "lifecycle": life,
    }


# --------------------------------------------------------------------------- events
def _events_out(store: Library, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored event rows as the one event shape, in document then text order, as the
    document page has always listed them."""
    return _cited(store, sorted(rows, key=lambda e: (e["doc_id"], e["trigger_start"], e["id"])))


def _cited(store: Library, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored event rows, in their order, as the one event shape (``CitedEvent.to_dict``)."""
    return [ev.to_dict() for ev in qevents.cite_rows(store.store, rows)]


def count_events(store: Library, f: Scope) -> int:
    """How many events match the scope, counted in the store with the event list's own
    conditions."""
    if f.empty:
        return _whole_store(store, "events", lambda: store.count_events())
    return store.count_events(f)


def list_events(store: Library, f: Scope, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """One page of the events in the scope (``tieline events``), oldest first, with
    citations, and the total; the store reads only that page and counts the rest."""
    evs = store.events(f, limit=limit, offset=offset)
    return {
        "total": count_events(store, f),
        "limit": limit,
        "offset": offset,
        "items": to_json(evs),
    }


def timeline(store: Library, f: Scope, *, limit: int = 200, offset: int = 0) -> dict[str, Any]:
    """One page of the timeline: the real-world events of ``limit`` reports from ``offset``
    (reports oldest first, as ``list_events``), in date order, each once with its reports on
    that page; ``total`` counts the reports. With the sectors, types and pairs to filter by.
    """
    entries = store.timeline(f, limit=limit, offset=offset)
    return {
        "events": to_json(entries),
        "total": count_events(store, f),
        "limit": limit,
        "offset": offset,
        "sectors": sectors(store),
        "types": event_types(store),
        "pairs": pairs(store),
    }


def pairs(store: Library) -> list[str]:
    """Pairs of states that take part together in some event, as 'CN-RU', most events first
    (one aggregate in the store, kept until the data changes)."""
    return list(_whole_store(store, "pairs", store.pairs))


def sectors(store: Library) -> list[str]:
    """The sectors that have events (kept until the data changes)."""
    return list(_whole_store(store, "sectors", store.sectors))


def event_types(store: Library) -> list[str]:
    """The event types that have events (kept until the data changes)."""
    return list(_whole_store(store, "types", store.event_types))


# --------------------------------------------------------------------------- figures
def list_figures(
    store: Library,
    *,
    measure: str | None = None,
    pair: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the figures with citations, filtered by measure, pair of states, status and
    unit, with the total; the store reads only that page and counts the rest."""
    kw: dict[str, Any] = {"measure": measure, "pair": pair, "status": status, "unit": unit}
    figs = store.figures(**kw, limit=limit, offset=offset)
    if measure or status or unit:
        total = store.count_figures(**kw)
    else:  # a pair's count tests every figure's actors (1 s at 100k figures): kept per version
        total = _whole_store(
            store,
            f"figures:{pair}",
            lambda: store.count_figures(pair=pair),
        )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": to_json(figs),
    }


def measures(store: Library) -> list[str]:
    """Measures that have figures: those with both actuals and targets first (they make the
    chart worth seeing), then by how often they are reported."""
    counts = store.measures()
    statuses = pages.figure_statuses(store.store)
    return sorted(
        counts, key=lambda m: (not {"actual", "target"} <= statuses.get(m, set()), -counts[m], m)
    )


def series(store: Library, *, measure: str, pair: str | None = None) -> dict[str, Any]:
    """One measure over time: every actual, target and forecast report, period by period."""
    ser = store.series(measure, pair=pair, with_countries=False)
    points = []
    for p in ser.points:
        for status in ("actual", "target", "forecast"):
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
def _doc_offsets(
    store: Library, hits: Sequence[qsearch.Hit]
) -> list[tuple[int | None, int | None]]:
    """Where in its document each hit's snippet (or fact) lies, for linking to the highlighted
    span; the facts and texts of all hits are read at once, by id."""
    placed = [h for h in hits if h.doc_id is not None]
    events = qevents.spans(store.store, {h.id for h in placed if h.kind == "event"})
    figures = pages.figure_spans(store.store, {h.id for h in placed if h.kind == "figure"})
    texts = qentities.document_texts(
        store.store, {h.doc_id for h in placed if h.kind == "document" and h.doc_id}
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
    store: Library,
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
    found = store.search(
        q,
        actor=f.actors[0] if f.actors else None,
        type=type,
        sector=f.sectors[0] if f.sectors else None,
        since=f.since,
        until=f.until,
        kinds=(kind,) if kind else (),
        limit=max_hits,
        offset=0,
        semantic=semantic,
    )
    hits: list[dict[str, Any]] = []
    for h, (start, end) in zip(found.items, _doc_offsets(store, found.items), strict=True):
        # The hit as the CLI's --json gives it, with where it lies in its document.
        hits.append(
            {
                **qsearch.hit_to_dict(h),
                "title": h.doc_title or h.doc_name or h.quote,
                "start": start,
                "end": end,
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
def graph(store: Library, f: Scope) -> dict[str, Any]:
    """The actor network of the events in the scope (``tieline graph``)."""
    # Centrality over a whole store's network is costly (exact betweenness is O(nodes *
    # edges)): the network of the store or of a pair is kept until the data changes (only
    # those, so that the kept networks stay few).
    narrowed = replace(f, pair=None) != Scope()
    net = (
        store.graph(f)
        if narrowed
        else _whole_store(store, f"graph:{f.pair}", lambda: store.graph(f))
    )
    # The network as the CLI's ``graph --json`` gives it: nodes by events then name, edges by
    # weight then ends (the order build_network makes), and the communities.
    out: dict[str, Any] = to_json(net)
    return out


# --------------------------------------------------------------------------- report
def report(store: Library, pair: str | None, since: str | None, fmt: str) -> str:
    """The cited briefing (``tieline report``), as Markdown or as an escaped HTML page."""
    rep = store.report(pair=pair, since=since)
    return qreport.render_html(rep) if fmt == "html" else qreport.render_markdown(rep)


def summary(store: Library) -> dict[str, Any]:
    """Totals, and the values the filters offer (kept until the data changes)."""

    def compute() -> dict[str, Any]:
        c = store.summary()
        return {
            **c,
            "entity_types": sorted(c["entities"]),
            "countries": qentities.countries(store.store),
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


def sources(store: Library, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Outlet, date, title and address of each document named (ids not stored are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for doc_id in dict.fromkeys(doc_ids):
        d = pages.document(store.store, doc_id) if _HEX_ID.match(doc_id) else None
        if d is not None:
            out[doc_id] = {
                "doc_id": doc_id,
                "outlet": d.get("source"),
                "title": d.get("title") or d.get("name"),
                "published": d.get("published"),
                "url": d.get("url"),
            }
    return out
