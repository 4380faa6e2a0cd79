"""One real-world happening and all its reports: sources, the values they give, and where the
sources agree (corroboration) or disagree (contradiction).

A cluster (``store.clusters``) groups the reports of one happening across documents. Here each
cluster knows its sources (outlet, publication date, title, quote) and the figures its reports
state in their sentences. Figures of one measure, unit, status, pair and period from different
sources are compared: values within ``TOLERANCE`` of each other corroborate each other, values
further apart are a contradiction citing both quotes. Reports that date the happening
differently (at their common precision) are a contradiction too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tieline.query import scope
from tieline.query.figures import CitedFigure, _countries, _figure
from tieline.store import clusters as cstore
from tieline.store import events as estore
from tieline.store.db import Store

# Values of one measure more than this far apart (relative to the larger) disagree; closer ones
# are the same value rounded ("about $5 billion"). The briefing uses the same 5 %.
TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Source:
    """One report of the happening: the document, its outlet and date, and the quote."""

    event_id: str
    doc_id: str
    doc_name: str
    quote: str
    type: str
    status: str
    date: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None

    @property
    def label(self) -> str:
        """Title (else file name), outlet and publication date, as a citation shows them."""
        parts = [self.title or self.doc_name, self.outlet, self.published]
        return ", ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "event_id": self.event_id,
            "doc_id": self.doc_id,
            "doc": self.doc_name,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
            "type": self.type,
            "status": self.status,
            "date": self.date,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """Values of one measure, unit, status, pair and period from different sources: they agree
    (all within ``TOLERANCE``) or they do not (then ``values`` holds the lowest and highest)."""

    measure: str
    unit: str
    status: str
    period: str | None
    pair: str | None
    agree: bool
    values: tuple[CitedFigure, ...] = field(default=())

    @property
    def sources(self) -> int:
        """How many independent documents give these values."""
        return len({v.source_id or v.doc_id for v in self.values})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, each value with its quote."""
        return {
            "measure": self.measure,
            "unit": self.unit,
            "status": self.status,
            "period": self.period,
            "pair": self.pair,
            "agree": self.agree,
            "sources": self.sources,
            "values": [
                {
                    "value": v.figure.value,
                    "text": v.figure.text,
                    "period": v.figure.period,
                    "doc_id": v.doc_id,
                    "doc": v.doc_name,
                    "published": v.published,
                    "quote": v.figure.evidence,
                }
                for v in self.values
            ],
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """A real-world happening: its reports, their sources and the values they give."""

    id: str
    type: str
    when: str | None
    participants: tuple[str, ...]
    reports: tuple[Source, ...]
    independent: int  # distinct publishers (a near-duplicate counts as what it copies)
    countries: tuple[str, ...] = ()  # the states its actors stand for
    values: tuple[CitedFigure, ...] = ()
    corroborations: tuple[Comparison, ...] = ()
    contradictions: tuple[Comparison, ...] = ()
    date_conflict: tuple[Source, ...] = ()  # reports that date it differently, one per date

    @property
    def documents(self) -> int:
        """How many documents report it."""
        return len({r.doc_id for r in self.reports})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every source, value and comparison."""
        return {
            "id": self.id,
            "type": self.type,
            "when": self.when,
            "participants": list(self.participants),
            "countries": list(self.countries),
            "documents": self.documents,
            "sources": self.independent,
            "reports": [r.to_dict() for r in self.reports],
            "values": [v.to_dict() for v in self.values],
            "corroborations": [c.to_dict() for c in self.corroborations],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "date_conflict": [r.to_dict() for r in self.date_conflict],
        }


def close(a: float, b: float) -> bool:
    """Whether two values agree within ``TOLERANCE`` of the larger."""
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-9)


def _fits(a: str | None, b: str | None) -> bool:
    # A period (or pair) a report leaves open is the happening's own: it fits any.
    return not a or not b or a.startswith(b) or b.startswith(a)


def compare_values(values: list[CitedFigure]) -> tuple[list[Comparison], list[Comparison]]:
    """(corroborations, contradictions) among the values of one happening's reports.

    Values are grouped by measure, unit and status; within a group two values are compared
    when their periods and pairs fit (equal, one more precise, or one left open). Agreeing
    values from two or more sources corroborate each other; values from different sources
    more than ``TOLERANCE`` apart are a contradiction quoting the lowest and the highest.
    """
    groups: dict[tuple[str, str, str], list[CitedFigure]] = defaultdict(list)
    for v in values:
        f = v.figure
        groups[(f.measure or f"unlabelled ({f.unit})", f.unit, f.status)].append(v)
    agree: list[Comparison] = []
    disagree: list[Comparison] = []
    for (measure, unit, status), vs in sorted(groups.items()):
        vs = sorted(vs, key=lambda v: (v.figure.value, v.doc_id, v.figure.id))
        # Each value's company: the values whose period and pair fit its own.
        done: set[tuple[str, ...]] = set()
        for v in vs:
            fit = [
                w for w in vs if _fits(v.figure.period, w.figure.period) and _fits(v.pair, w.pair)
            ]
            if len({w.source_id or w.doc_id for w in fit}) < 2:
                continue
            period = max((w.figure.period or "" for w in fit), key=len) or None
            pair = next((w.pair for w in fit if w.pair), None)
            # Runs of values each within the tolerance of the previous one: one value, rounded.
            runs: list[list[CitedFigure]] = []
            for w in fit:
                if runs and close(runs[-1][-1].figure.value, w.figure.value):
                    runs[-1].append(w)
                else:
                    runs.append([w])
            for run in runs:
                key = tuple(sorted(w.figure.id for w in run))
                if len({w.source_id or w.doc_id for w in run}) > 1 and key not in done:
                    done.add(key)
                    agree.append(Comparison(measure, unit, status, period, pair, True, tuple(run)))
            lo, hi = fit[0], fit[-1]
            key = (lo.figure.id, hi.figure.id)
            if (
                len(runs) < 2
                or key in done
                or (lo.source_id or lo.doc_id) == (hi.source_id or hi.doc_id)
            ):
                continue
            done.add(key)
            disagree.append(Comparison(measure, unit, status, period, pair, False, (lo, hi)))
    return agree, disagree


def _date_conflict(reports: list[Source]) -> tuple[Source, ...]:
    dated: dict[str, Source] = {}
    for r in reports:
        if r.date and r.date[:1].isdigit():
            dated.setdefault(r.date, r)
    ds = sorted(dated)
    # "2019" and "2019-12-02" agree: a conflict needs dates that differ at their common
    # precision, from two documents.
    apart = any(x[: min(len(x), len(y))] != y[: min(len(x), len(y))] for x in ds for y in ds)
    if apart and len({dated[d].doc_id for d in ds}) > 1:
        return tuple(dated[d] for d in ds)
    return ()


def _build(
    cid: str,
    events: list[dict[str, Any]],
    figures: list[CitedFigure],
    keys: dict[str, scope.Actor],
    independent: int,
) -> Cluster:
    reports = [
        Source(
            event_id=ev["id"],
            doc_id=ev["doc_id"],
            doc_name=ev["doc_name"],
            quote=" ".join(ev["evidence"].split()),
            type=ev["type"],
            status=ev["status"],
            date=ev["date"],
            title=ev["doc_title"],
            outlet=ev["doc_source"],
            published=ev["doc_published"],
            url=ev["doc_url"],
        )
        for ev in sorted(events, key=lambda e: (e["doc_published"] or "9999", e["doc_id"], e["id"]))
    ]
    own = sorted(
        (r.date for r in reports if r.date and r.date[:1].isdigit()), key=lambda d: -len(d)
    )
    pubs = sorted(r.published for r in reports if r.published)
    actors = [a for ev in events for a in scope.event_actors(ev, keys)]
    objects = [p["name"] for ev in events for p in ev["participants"] if p["role"] == "object"]
    names = dict.fromkeys([a.name for a in actors] + objects)
    types = [ev["type"] for ev in events]
    agree, disagree = compare_values(figures)
    return Cluster(
        id=cid,
        type=max(sorted(set(types)), key=types.count),
        when=own[0] if own else (pubs[0] if pubs else None),
        participants=tuple(names),
        reports=tuple(reports),
        independent=independent,
        countries=tuple(sorted(scope.countries_of(actors))),
        values=tuple(figures),
        corroborations=tuple(agree),
        contradictions=tuple(disagree),
        date_conflict=_date_conflict(reports),
    )


def _clusters(store: Store, cluster_ids: list[str]) -> list[Cluster]:
    if not cluster_ids:
        return []
    events, frows = cstore.cluster_rows(store, cluster_ids)
    keys = scope.canonical(store, {p["entity_key"] for ev in events for p in ev["participants"]})
    counted = estore.cluster_sources(store, cluster_ids)
    countries = _countries(store, frows)
    cited = [
        CitedFigure(
            figure=_figure(r),
            doc_id=r["doc_id"],
            doc_name=r["doc_name"],
            doc_title=r["doc_title"],
            published=r["doc_published"],
            countries=c,
            source_id=r["doc_near_duplicate_of"] or r["doc_id"],
        )
        for r, c in zip(frows, countries, strict=True)
    ]
    by_cluster: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        by_cluster[ev["cluster_id"]].append(ev)
    out = []
    for cid in cluster_ids:
        evs = by_cluster.get(cid)
        if not evs:
            continue
        spans = defaultdict(list)
        for ev in evs:
            spans[ev["doc_id"]].append((ev["sentence_start"], ev["sentence_end"]))
        figs = [
            c for c in cited if any(a <= c.figure.start < b for a, b in spans.get(c.doc_id, ()))
        ]
        n = int(counted.get(cid, {}).get("sources", 0)) or 1
        out.append(_build(cid, evs, figs, keys, n))
    return out


def cluster_values(store: Store, cluster_ids: list[str]) -> dict[str, list[Comparison]]:
    """Per cluster: its contradictions (values from different sources more than
    ``TOLERANCE`` apart), for the briefing."""
    return {c.id: list(c.contradictions) for c in _clusters(store, cluster_ids)}


def cluster_detail(store: Store, cluster_id: str) -> Cluster | None:
    """One cluster with its reports, sources, values, corroborations and contradictions;
    None when no event carries this id."""
    found = _clusters(store, [cluster_id])
    return found[0] if found else None


def list_clusters(
    store: Store,
    *,
    min_documents: int = 2,
    pair: str | None = None,
    contradicted: bool = False,
) -> list[Cluster]:
    """Clusters reported by at least ``min_documents`` documents (of a pair of states, if
    given; only those with a contradiction, if asked), the best-sourced first."""
    the_pair = scope.parse_pair(pair)
    counted = estore.cluster_sources(store)
    ids = sorted(cid for cid, c in counted.items() if len(c["documents"]) >= min_documents)
    out = []
    for c in _clusters(store, ids):
        if contradicted and not (c.contradictions or c.date_conflict):
            continue
        if not scope.touches_pair(set(c.countries), the_pair):
            continue
        out.append(c)
    return sorted(out, key=lambda c: (-c.independent, -c.documents, c.when or "9999", c.id))
