"""What the web handlers ask of the knowledge base, shaped for JSON.

Every function here calls the query layer or the store's read functions; none writes SQL.
Results are plain dicts and lists that the routes validate against their response models.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tieline.errors import NotFoundError
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
    figures = [_figure_out(f, None) for f in reads.figures(store, doc_id)]
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
    m = _SENTENCE_END.search(text, end, min(len(text), end + _QUOTE_REACH))
    qe = m.start() + 1 if m else min(len(text), end + _QUOTE_REACH)
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


def list_events(store: Store, f: Filters) -> list[dict[str, Any]]:
    """Events filtered like ``tieline events``; dated ones first, in date order."""
    idx = Index(store)
    metas = _doc_meta(store)
    actor_ids = idx.resolve_actor(f.actor) if f.actor else None
    out = []
    for e in reads.events(store):
        if f.type and e["type"] != f.type:
            continue
        if f.sector and (e["sector"] or "") != f.sector:
            continue
        ev = _event_out(e, idx, metas)
        when = ev["date"] or ev["published"]
        if not _in_range(when, f.since, f.until):
            continue
        ids = {p["entity_id"] for p in ev["participants"]}
        if actor_ids is not None and not (ids & actor_ids):
            continue
        if not _pair_match((p["country"] for p in ev["participants"]), f.pair):
            continue
        out.append(ev)
    out.sort(key=lambda ev: (ev["date"] or ev["published"] or "9999", ev["doc_id"],
                             ev["trigger_start"]))
    return out


def timeline(store: Store, f: Filters) -> dict[str, Any]:
    """Events on a time line, with the sectors, types and years to filter by."""
    evs = list_events(store, f)
    everything = list_events(store, Filters()) if (f.type or f.sector or f.pair) else evs
    return {"events": evs,
            "sectors": sorted({e["sector"] for e in everything if e["sector"]}),
            "types": sorted({e["type"] for e in everything}),
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
def _figure_out(f: dict[str, Any], metas: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    keep = ("id", "doc_id", "measure", "value", "unit", "currency", "period", "period_start",
            "period_end", "status", "actors", "evidence", "text", "sentence_start",
            "sentence_end")
    out = {k: f.get(k) for k in keep}
    out["start"], out["end"] = f["span_start"], f["span_end"]
    meta = metas.get(f["doc_id"]) if metas else None
    out["doc_title"] = (meta["title"] or meta["name"]) if meta else None
    out["published"] = meta["published"] if meta else None
    return out


def list_figures(store: Store, *, measure: str | None = None, pair: tuple[str, str] | None = None,
                 status: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
    """Figures filtered by measure, pair of states, status and unit, in period order."""
    idx = Index(store)
    metas = _doc_meta(store)
    out = []
    for f in reads.figures(store):
        if measure and f["measure"] != measure:
            continue
        if status and f["status"] != status:
            continue
        if unit and f["unit"] != unit:
            continue
        if not _pair_match((idx.country_of(a) for a in f["actors"]), pair):
            continue
        out.append(_figure_out(f, metas))
    out.sort(key=lambda x: (x["period_end"] or x["period_start"] or x["published"] or "9999",
                            x["id"]))
    return out


def measures(store: Store) -> list[str]:
    """Measures that have at least one figure, most common first."""
    c = Counter(f["measure"] for f in reads.figures(store) if f["measure"])
    return [m for m, _ in c.most_common()]


def series(store: Store, *, measure: str, pair: tuple[str, str] | None = None) -> dict[str, Any]:
    """One measure over time: actual points beside target (and forecast) points."""
    figs = list_figures(store, measure=measure, pair=pair)
    points = []
    for f in figs:
        # A year or month period is plotted as itself (mid-period), not at its last day.
        period = f["period"] or ""
        when = (period if re.fullmatch(r"\d{4}(-\d{2})?", period)
                else f["period_end"] or f["period_start"] or f["published"])
        if not when:
            continue
        points.append({"date": when, "value": f["value"], "status": f["status"],
                       "unit": f["unit"], "currency": f["currency"], "period": f["period"],
                       "doc_id": f["doc_id"], "start": f["start"], "end": f["end"],
                       "evidence": f["evidence"]})
    units = Counter(p["unit"] for p in points)
    return {"measure": measure, "pair": "-".join(pair) if pair else None,
            "unit": units.most_common(1)[0][0] if units else None, "points": points}


# --------------------------------------------------------------------------- search
def _highlights(text: str, terms: Sequence[str]) -> list[list[int]]:
    spans = []
    low = text.casefold()
    for t in terms:
        i = low.find(t)
        while i >= 0:
            spans.append([i, i + len(t)])
            i = low.find(t, i + len(t))
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    return merged


def _snippet(text: str, terms: Sequence[str], reach: int = 90) -> tuple[str, int]:
    low = text.casefold()
    first = min((i for t in terms if (i := low.find(t)) >= 0), default=0)
    lo = max(0, first - reach)
    hi = min(len(text), first + reach * 2)
    return text[lo:hi], lo


def search(store: Store, q: str, f: Filters, kind: str | None = None) -> dict[str, Any]:
    """Documents, events, figures and entities that contain every word of q, with facets."""
    terms = [t for t in re.findall(r"\w[\w'-]*", q.casefold()) if t]
    if not terms:
        return {"hits": [], "facets": {}}
    idx = Index(store)
    metas = _doc_meta(store)
    hits: list[dict[str, Any]] = []

    def matches(text: str) -> bool:
        low = text.casefold()
        return all(t in low for t in terms)

    if kind in (None, "entity"):
        for e in idx.entities.values():
            label = " ".join([e["name"], *e["aliases"]])
            if matches(label) and (not f.type or e["type"] == f.type):
                hits.append({"kind": "entity", "id": e["id"], "doc_id": None,
                             "title": e["name"], "snippet": label,
                             "highlights": _highlights(label, terms), "start": None,
                             "end": None, "type": e["type"], "sector": None,
                             "date": e["first_seen"], "score": float(e["mention_count"] or 0)})
    if kind in (None, "event"):
        for ev in list_events(store, f):
            if matches(ev["evidence"]):
                hits.append({"kind": "event", "id": ev["id"], "doc_id": ev["doc_id"],
                             "title": ev["doc_title"], "snippet": ev["evidence"],
                             "highlights": _highlights(ev["evidence"], terms),
                             "start": ev["sentence_start"], "end": ev["sentence_end"],
                             "type": ev["type"], "sector": ev["sector"],
                             "date": ev["date"] or ev["published"], "score": 2.0})
    if kind in (None, "figure") and not (f.type or f.sector):
        for fig in list_figures(store, pair=f.pair):
            if matches(fig["evidence"]) and _in_range(fig["period_end"] or fig["published"],
                                                      f.since, f.until):
                hits.append({"kind": "figure", "id": fig["id"], "doc_id": fig["doc_id"],
                             "title": fig["doc_title"], "snippet": fig["evidence"],
                             "highlights": _highlights(fig["evidence"], terms),
                             "start": fig["sentence_start"], "end": fig["sentence_end"],
                             "type": fig["status"], "sector": None,
                             "date": fig["period_end"] or fig["published"], "score": 1.5})
    if kind in (None, "document") and not (f.type or f.sector or f.actor or f.pair):
        for d in reads.iter_documents(store):
            full = (d["title"] or "") + "\n" + d["text"]
            if not matches(full) or not _in_range(d["published"], f.since, f.until):
                continue
            snip, lo = _snippet(d["text"], terms)
            n = sum(d["text"].casefold().count(t) for t in terms)
            hits.append({"kind": "document", "id": d["id"], "doc_id": d["id"],
                         "title": d["title"] or d["name"], "snippet": snip,
                         "highlights": _highlights(snip, terms), "start": lo,
                         "end": lo + len(snip), "type": None, "sector": None,
                         "date": d["published"], "score": 1.0 + n / 10})
    del metas
    hits.sort(key=lambda h: -h["score"])
    facets = {
        "kind": dict(Counter(h["kind"] for h in hits)),
        "type": dict(Counter(h["type"] for h in hits if h["type"])),
        "sector": dict(Counter(h["sector"] for h in hits if h["sector"])),
        "year": dict(Counter(h["date"][:4] for h in hits if h["date"])),
    }
    return {"hits": hits, "facets": facets}


# --------------------------------------------------------------------------- graph
def graph(store: Store, f: Filters) -> dict[str, Any]:
    """Actors as nodes, co-participation in events as weighted, typed, dated edges."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in list_events(store, f):
        ids = sorted({p["entity_id"] for p in ev["participants"]
                      if p["entity_id"] and p["role"] != "object"})
        for p in ev["participants"]:
            if p["entity_id"] in ids and p["entity_id"] not in nodes:
                ent = {"id": p["entity_id"], "name": p["name"], "country": p["country"],
                       "type": None, "events": 0}
                nodes[p["entity_id"]] = ent
        for i in ids:
            nodes[i]["events"] += 1
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                ed = edges.setdefault((a, b), {"source": a, "target": b, "weight": 0,
                                               "types": {}, "first": None, "last": None})
                ed["weight"] += 1
                ed["types"][ev["type"]] = ed["types"].get(ev["type"], 0) + 1
                when = ev["date"] or ev["published"]
                if when:
                    ed["first"] = min(ed["first"] or when, when)
                    ed["last"] = max(ed["last"] or when, when)
    idx = Index(store)
    for n in nodes.values():
        ent = idx.entities.get(n["id"])
        n["type"] = ent["type"] if ent else None
    return {"nodes": sorted(nodes.values(), key=lambda n: -n["events"]),
            "edges": sorted(edges.values(), key=lambda e: -e["weight"])}


# --------------------------------------------------------------------------- report
def report_markdown(store: Store, f: Filters) -> str:
    """A short cited briefing: events in date order and figures, each with its quote."""
    lines = ["# Tieline briefing", ""]
    if f.pair:
        lines += [f"Pair: {f.pair[0]}-{f.pair[1]}", ""]
    evs = list_events(store, f)
    lines += ["## Events", ""]
    for ev in evs:
        who = ", ".join(p["name"] for p in ev["participants"]) or "unnamed parties"
        lines.append(f"- {ev['date'] or ev['published'] or 'undated'}: {ev['type']} ({who}). "
                     f"“{ev['evidence']}” [{ev['doc_title']}]")
    if not evs:
        lines.append("- none found")
    figs = list_figures(store, pair=f.pair)
    lines += ["", "## Figures", ""]
    for fig in figs:
        lines.append(f"- {fig['measure'] or 'figure'} {fig['status']}: {fig['value']:g} "
                     f"{fig['unit']} ({fig['period'] or 'no period'}). “{fig['evidence']}” "
                     f"[{fig['doc_title']}]")
    if not figs:
        lines.append("- none found")
    return "\n".join(lines) + "\n"


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
