"""What the web handlers ask of the knowledge base, shaped for JSON.

Every function here calls the query layer or the store's read functions; none writes SQL.
Results are plain dicts and lists that the routes validate against their response models.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tieline.errors import NotFoundError
from tieline.extract.names import name_key
from tieline.query import events as qevents
from tieline.query import figures as qfigures
from tieline.query import graph as qgraph
from tieline.query import report as qreport
from tieline.query import search as qsearch
from tieline.store import reads
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
    return {"total": len(items), "limit": limit, "offset": offset,
            "items": list(items[offset : offset + limit])}


# --------------------------------------------------------------------------- lookups
class Index:
    """Canonical entities and the document-level keys that point to them, read once per call."""

    def __init__(self, store: Store) -> None:
        self.entities = {e["id"]: e for e in reads.entities(store)}
        self.keys = {k: r["id"] for k, r in reads.canonical_names(store).items()}
        self.by_name: dict[str, str] = {}
        for e in self.entities.values():
            self.by_name.setdefault(e["name"].casefold(), e["id"])
            for a in e["aliases"]:
                self.by_name.setdefault(a.casefold(), e["id"])

    def canonical(self, key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        eid = self.keys.get(key, key)
        return self.entities.get(eid)

    def country_of(self, key_or_name: str) -> str | None:
        ent = self.canonical(key_or_name) or self.entities.get(
            self.by_name.get(key_or_name.casefold(), ""))
        return ent["country"] if ent else None

    def resolve_actor(self, actor: str) -> set[str]:
        """Entity ids an actor filter names: an id, a name or an alias (case-insensitive)."""
        found = set()
        if actor in self.entities:
            found.add(actor)
        if actor.casefold() in self.by_name:
            found.add(self.by_name[actor.casefold()])
        return found


def _in_range(date: str | None, since: str | None, until: str | None) -> bool:
    if since is None and until is None:
        return True
    if not date:
        return False
    # ISO dates compare as strings; a year or month compares by its own prefix length.
    if since and date[: len(since)] < since:
        return False
    return not (until and date[: len(until)] > until)


def _doc_meta(store: Store) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in reads.documents(store, with_text=False)}


# --------------------------------------------------------------------------- documents
def list_documents(store: Store, q: str | None = None) -> list[dict[str, Any]]:
    """Document metadata, optionally only those whose title or name contains q."""
    docs = reads.documents(store, with_text=False)
    if q:
        needle = q.casefold()
        docs = [d for d in docs if needle in (d["title"] or "").casefold()
                or needle in d["name"].casefold()]
    return [_doc_out(d) for d in docs]


def _doc_out(d: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "name", "title", "published", "published_precision", "author", "source", "url",
            "lang", "near_duplicate_of")
    return {k: d.get(k) for k in keep}


def get_document(store: Store, doc_id: str) -> dict[str, Any]:
    """One document with its text and every extracted fact as spans over that text."""
    d = reads.document(store, doc_id)
    if d is None:
        raise NotFoundError(f"no document {doc_id!r}; list them at /api/documents")
    idx = Index(store)
    mentions = []
    for m in reads.mentions(store, doc_id):
        ent = idx.canonical(m["entity_key"])
        mentions.append({"start": m["span_start"], "end": m["span_end"], "text": m["text"],
                         "label": m["label"], "entity_id": ent["id"] if ent else None,
                         "entity_name": ent["name"] if ent else None})
    events = [_event_out(e, idx, None) for e in reads.events(store, doc_id)]
    figures = [{**{k: f[k] for k in (
        "id", "doc_id", "measure", "value", "unit", "currency", "period", "period_start",
        "period_end", "status", "actors", "evidence", "text", "sentence_start", "sentence_end")},
        "start": f["span_start"], "end": f["span_end"], "doc_title": d["title"] or d["name"],
        "published": d["published"]} for f in reads.figures(store, doc_id)]
    return {**_doc_out(d), "text": d["text"], "mentions": mentions, "events": events,
            "figures": figures}


# --------------------------------------------------------------------------- entities
def _entity_out(e: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "name", "type", "country", "role", "affiliation", "kb_id", "mention_count",
            "doc_count", "first_seen", "last_seen", "aliases")
    return {k: e.get(k) for k in keep}


def list_entities(store: Store, *, type: str | None = None, country: str | None = None,
                  q: str | None = None) -> list[dict[str, Any]]:
    """Canonical entities, most mentioned first, filtered by type, country and name."""
    out = []
    needle = q.casefold() if q else None
    for e in reads.entities(store):
        if type and e["type"] != type:
            continue
        if country and (e["country"] or "").upper() != country.upper():
            continue
        if needle and needle not in e["name"].casefold() and not any(
                needle in a.casefold() for a in e["aliases"]):
            continue
        out.append(_entity_out(e))
    out.sort(key=lambda e: (-(e["mention_count"] or 0), e["name"]))
    return out


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
    idx = Index(store)
    ent = idx.entities.get(entity_id)
    if ent is None:
        raise NotFoundError(f"no entity {entity_id!r}; list them at /api/entities")
    keys = {k for k, v in idx.keys.items() if v == entity_id} | {entity_id}
    metas = _doc_meta(store)
    events = [_event_out(e, idx, metas) for e in reads.events(store)
              if any(p["entity_key"] in keys for p in e["participants"])]
    mentions = [m for m in reads.mentions(store) if m["entity_key"] in keys]
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions[:max_mentions]:
        by_doc[m["doc_id"]].append(m)
    quotes = []
    for did, ms in by_doc.items():
        doc = reads.document(store, did)
        if doc is None:
            continue
        for m in ms:
            quote, qstart = _quote(doc["text"], m["span_start"], m["span_end"])
            quotes.append({"doc_id": did, "doc_title": doc["title"] or doc["name"],
                           "published": doc["published"], "start": m["span_start"],
                           "end": m["span_end"], "text": m["text"], "quote": quote,
                           "quote_start": qstart})
    quotes.sort(key=lambda q: (q["published"] or "", q["doc_id"], q["start"]))
    return {**_entity_out(ent), "events": events, "mentions": quotes,
            "mention_total": len(mentions)}


# --------------------------------------------------------------------------- events
def _event_out(e: dict[str, Any], idx: Index, metas: dict[str, dict[str, Any]] | None
               ) -> dict[str, Any]:
    parts = []
    for p in e["participants"]:
        ent = idx.canonical(p["entity_key"])
        parts.append({"entity_id": ent["id"] if ent else None,
                      "name": ent["name"] if ent else p["name"], "role": p["role"],
                      "country": ent["country"] if ent else None})
    meta = metas.get(e["doc_id"]) if metas else None
    keep = ("id", "doc_id", "type", "trigger", "trigger_start", "trigger_end", "sentence_start",
            "sentence_end", "evidence", "sector", "date", "date_precision", "status",
            "confidence", "cluster_id")
    out = {k: e.get(k) for k in keep}
    out["participants"] = parts
    out["doc_title"] = (meta["title"] or meta["name"]) if meta else None
    out["published"] = meta["published"] if meta else None
    return out


def _pair_match(countries: Iterable[str | None], pair: tuple[str, str] | None) -> bool:
    if pair is None:
        return True
    have = {c.upper() for c in countries if c}
    return pair[0] in have and pair[1] in have


def _cited_out(ev: qevents.CitedEvent, triggers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    raw = triggers.get(ev.id, {})
    return {"id": ev.id, "doc_id": ev.doc_id, "type": ev.type, "trigger": ev.trigger,
            "trigger_start": raw.get("trigger_start"), "trigger_end": raw.get("trigger_end"),
            "sentence_start": ev.span[0], "sentence_end": ev.span[1], "evidence": ev.evidence,
            "sector": ev.sector, "date": ev.date, "date_precision": ev.date_precision,
            "status": ev.status, "confidence": ev.confidence, "cluster_id": ev.cluster_id,
            "sources": ev.sources,
            "participants": [{"entity_id": p.entity_id, "name": p.name, "role": p.role,
                              "country": p.country} for p in ev.participants],
            "doc_title": ev.doc_title or ev.doc_name, "published": ev.published}


def _names_nothing(actor: str | None) -> bool:
    # Punctuation or a bare corporate suffix names no actor, so it matches no event.
    return actor is not None and not name_key(actor)


def _query_events(store: Store, f: Filters) -> list[qevents.CitedEvent]:
    if _names_nothing(f.actor):
        return []
    return qevents.list_events(store, actor=f.actor, type=f.type, sector=f.sector,
                               since=f.since, until=f.until, pair=_pair_str(f.pair))


def _triggers(store: Store) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in reads.events(store)}


def list_events(store: Store, f: Filters) -> list[dict[str, Any]]:
    """Events filtered like ``tieline events`` (the query layer), oldest first, with citations."""
    triggers = _triggers(store)
    return [_cited_out(ev, triggers) for ev in _query_events(store, f)]


def timeline(store: Store, f: Filters) -> dict[str, Any]:
    """Real-world events in date order, each once with all its reports, and the sectors, types
    and pairs to filter by."""
    triggers = _triggers(store)
    entries = [] if _names_nothing(f.actor) else qevents.timeline(
        store, actor=f.actor, pair=_pair_str(f.pair), type=f.type, sector=f.sector,
        since=f.since, until=f.until)
    events = []
    for entry in entries:
        out = _cited_out(entry.event, triggers)
        out["when"], out["dated_by"] = entry.when, entry.dated_by
        out["reports"] = [{"doc_id": r.doc_id, "doc_title": r.doc_title or r.doc_name,
                           "quote": r.evidence, "start": r.span[0], "end": r.span[1]}
                          for r in entry.reports]
        events.append(out)
    every = triggers.values()
    return {"events": events,
            "sectors": sorted({e["sector"] for e in every if e["sector"]}),
            "types": sorted({e["type"] for e in every}),
            "pairs": pairs(store)}


def pairs(store: Store) -> list[str]:
    """Pairs of states that take part together in some event, as 'CN-RU'."""
    idx = Index(store)
    seen: Counter[str] = Counter()
    for e in reads.events(store):
        cs = sorted({c for p in e["participants"] if (c := idx.country_of(p["entity_key"]))})
        for i, a in enumerate(cs):
            for b in cs[i + 1 :]:
                seen[f"{a}-{b}"] += 1
    return [p for p, _ in seen.most_common()]


# --------------------------------------------------------------------------- figures
def _pair_str(pair: tuple[str, str] | None) -> str | None:
    return "-".join(pair) if pair else None


def _figure_out(c: qfigures.CitedFigure) -> dict[str, Any]:
    f = c.figure
    return {"id": f.id, "doc_id": c.doc_id, "measure": f.measure, "value": f.value,
            "unit": f.unit, "currency": f.currency, "period": f.period,
            "period_start": f.period_start, "period_end": f.period_end, "status": f.status,
            "actors": list(f.actors), "countries": list(c.countries), "evidence": f.evidence,
            "text": f.text, "start": f.start, "end": f.end, "sentence_start": f.sentence_start,
            "sentence_end": f.sentence_end, "doc_title": c.doc_title or c.doc_name,
            "published": c.published}


def list_figures(store: Store, *, measure: str | None = None, pair: tuple[str, str] | None = None,
                 status: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
    """Figures with citations, filtered by measure, pair of states, status and unit."""
    figs = qfigures.list_figures(store, measure=measure, pair=_pair_str(pair), status=status)
    return [_figure_out(c) for c in figs if unit is None or c.figure.unit == unit]


def measures(store: Store) -> list[str]:
    """Measures that have figures: those with both actuals and targets first (they make the
    chart worth seeing), then by how often they are reported."""
    counts = qfigures.measures(store)
    statuses: dict[str, set[str]] = defaultdict(set)
    for c in qfigures.list_figures(store):
        if c.figure.measure:
            statuses[c.figure.measure].add(c.figure.status)
    return sorted(counts, key=lambda m: (not {"actual", "target"} <= statuses[m], -counts[m], m))


def series(store: Store, *, measure: str, pair: tuple[str, str] | None = None) -> dict[str, Any]:
    """One measure over time: every actual, target and forecast report, period by period."""
    ser = qfigures.series(store, measure, _pair_str(pair))
    points = []
    for p in ser.points:
        for status in qfigures.STATUSES:
            for c in getattr(p, status):
                f = c.figure
                points.append({"date": p.period, "value": f.value, "status": status,
                               "unit": f.unit, "currency": f.currency, "period": p.period,
                               "doc_id": c.doc_id, "start": f.start, "end": f.end,
                               "evidence": f.evidence})
    return {"measure": ser.measure, "pair": ser.pair, "unit": ser.unit, "points": points}


# --------------------------------------------------------------------------- search
def _doc_offsets(store: Store, hit: qsearch.Hit) -> tuple[int | None, int | None]:
    """Where in its document a hit's snippet (or fact) lies, for linking to the highlighted span."""
    if hit.doc_id is None:
        return None, None
    if hit.kind == "event":
        for e in reads.events(store, hit.doc_id):
            if e["id"] == hit.id:
                return e["sentence_start"], e["sentence_end"]
    elif hit.kind == "figure":
        for f in reads.figures(store, hit.doc_id):
            if f["id"] == hit.id:
                return f["sentence_start"], f["sentence_end"]
    elif hit.kind == "document":
        doc = reads.document(store, hit.doc_id)
        if doc is not None:
            # The snippet is the text with white space flattened, so lengths agree.
            window = hit.snippet.strip("…")
            at = re.sub(r"\s", " ", doc["text"]).find(window)
            if at >= 0:
                return at, at + len(window)
    return None, None


def search(store: Store, q: str, f: Filters, kind: str | None = None,
           type: str | None = None, max_hits: int = 500) -> dict[str, Any]:
    """Hits of the query layer's full-text search, with their places in the documents and facets.

    Facets are counted over the first ``max_hits`` hits, the routes page through the same list.
    """
    query = qsearch.SearchQuery(text=q, actor=f.actor, type=type, sector=f.sector,
                                since=f.since, until=f.until, kinds=(kind,) if kind else (),
                                limit=max_hits, offset=0)
    found = qsearch.search(store, query)
    hits: list[dict[str, Any]] = []
    for h in found.items:
        start, end = _doc_offsets(store, h)
        hits.append({"kind": h.kind, "id": h.id, "doc_id": h.doc_id,
                     "title": h.doc_title or h.doc_name or h.quote, "snippet": h.snippet,
                     "highlights": [list(x) for x in h.highlights], "start": start, "end": end,
                     "type": h.type, "sector": h.sector, "date": h.date, "score": h.score})
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
    net = qgraph.build_network(store, pair=_pair_str(f.pair), since=f.since, until=f.until,
                               types=(f.type,) if f.type else ())
    edges = list(net.edges)
    if f.sector:
        in_sector = {e["id"] for e in reads.events(store) if e["sector"] == f.sector}
        edges = [e for e in edges if in_sector.intersection(e.events)]
    if f.actor:
        ids = Index(store).resolve_actor(f.actor)
        edges = [e for e in edges if e.source in ids or e.target in ids]
    keep = {x for e in edges for x in (e.source, e.target)} if (f.sector or f.actor) else None
    nodes = [asdict(n) for n in net.nodes if keep is None or n.id in keep]
    out_edges = [{**asdict(e), "events": list(e.events)} for e in edges]
    nodes.sort(key=lambda n: (-n["events"], n["name"]))
    out_edges.sort(key=lambda e: (-e["weight"], e["source"], e["target"]))
    return {"nodes": nodes, "edges": out_edges}


# --------------------------------------------------------------------------- report
def report(store: Store, pair: tuple[str, str] | None, since: str | None, fmt: str) -> str:
    """The query layer's cited briefing, as Markdown or as an escaped HTML page."""
    rep = qreport.build_report(store, pair=_pair_str(pair), since=since)
    return qreport.render_html(rep) if fmt == "html" else qreport.render_markdown(rep)


def summary(store: Store) -> dict[str, Any]:
    """Totals, and the values the filters offer."""
    c = reads.counts(store)
    ents = reads.entities(store)
    evs = reads.events(store)
    return {**c, "entity_types": sorted({e["type"] for e in ents}),
            "countries": sorted({e["country"] for e in ents if e["country"]}),
            "event_types": sorted({e["type"] for e in evs}),
            "sectors": sorted({e["sector"] for e in evs if e["sector"]}),
            "measures": measures(store), "pairs": pairs(store)}
