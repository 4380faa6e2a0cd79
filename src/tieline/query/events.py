"""Events across documents: filtered lists with citations, and a timeline of real-world events.

Every event carries the document and quote it comes from. Reports of one real-world event
share a cluster (see ``store.events.cluster_events``); the timeline shows each cluster once with
all its citations and the number of independent sources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tieline.errors import FilterError
from tieline.query import scope
from tieline.query.export import EVENT_CODES
from tieline.store import events as estore
from tieline.store.db import Store


@dataclass(frozen=True, slots=True)
class EventParticipant:
    """A participant as the knowledge base names it: canonical name, role, type, country."""

    name: str
    role: str
    entity_id: str
    type: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class CitedEvent:
    """A stored event with its canonical participants, document and quote."""

    id: str
    type: str
    trigger: str
    evidence: str
    doc_id: str
    doc_name: str
    participants: tuple[EventParticipant, ...] = ()
    sector: str | None = None
    date: str | None = None
    date_precision: str | None = None
    date_source: str | None = None
    status: str = "done"
    confidence: float = 1.0
    count: int | None = None
    cluster_id: str | None = None
    sources: int = 1
    doc_title: str | None = None
    published: str | None = None
    url: str | None = None
    span: tuple[int, int] = (0, 0)
    trigger_span: tuple[int, int] | None = None

    @property
    def actors(self) -> tuple[EventParticipant, ...]:
        return tuple(p for p in self.participants if p.role != "object")

    @property
    def objects(self) -> tuple[EventParticipant, ...]:
        return tuple(p for p in self.participants if p.role == "object")

    @property
    def codes(self) -> tuple[str | None, str | None]:
        """(PLOVER, CAMEO) codes of the event type."""
        return EVENT_CODES.get(self.type, (None, None))

    @property
    def when(self) -> str | None:
        """The event's own date, else its document's publication date."""
        return self.date or self.published

    @property
    def dated_by(self) -> str | None:
        """What dates the event: 'event' (a date its text states), 'published' (its
        article's date) or None (undated)."""
        return "event" if self.date else ("published" if self.published else None)

    @property
    def citation(self) -> str:
        """The document and the quote, as every line shows them."""
        return f'{self.doc_name}: "{self.evidence}"'

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON, the one shape of the CLI's --json, the REST API and the page:
        participants, codes, the date that places it (``when``, ``dated_by``) and citation."""
        plover, cameo = self.codes
        trigger = self.trigger_span or (None, None)
        return {
            "id": self.id,
            "type": self.type,
            "plover": plover,
            "cameo": cameo,
            "trigger": self.trigger,
            "trigger_start": trigger[0],
            "trigger_end": trigger[1],
            "status": self.status,
            "sector": self.sector,
            "date": self.date,
            "date_precision": self.date_precision,
            "date_source": self.date_source,
            "when": self.when,
            "dated_by": self.dated_by,
            "confidence": self.confidence,
            "count": self.count,
            "participants": [
                {
                    "entity_id": p.entity_id,
                    "name": p.name,
                    "role": p.role,
                    "type": p.type,
                    "country": p.country,
                }
                for p in self.participants
            ],
            "actors": [
                {
                    "entity_id": p.entity_id,
                    "name": p.name,
                    "role": p.role,
                    "type": p.type,
                    "country": p.country,
                }
                for p in self.actors
            ],
            "objects": [
                {"entity_id": p.entity_id, "name": p.name, "type": p.type} for p in self.objects
            ],
            "cluster_id": self.cluster_id,
            "sources": self.sources,
            "evidence": self.evidence,
            "span": list(self.span),
            "sentence_start": self.span[0],
            "sentence_end": self.span[1],
            "doc_id": self.doc_id,
            "doc": self.doc_name,
            "title": self.doc_title,
            "doc_title": self.doc_title or self.doc_name,
            "published": self.published,
            "url": self.url,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One real-world event on a timeline: its first report and every citation of it."""

    when: str | None
    dated_by: str | None  # event (a date in the text), published (the first report's date)
    event: CitedEvent
    reports: tuple[CitedEvent, ...] = field(default=())

    @property
    def sources(self) -> int:
        return self.event.sources

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the event (as ``CitedEvent.to_dict``) placed at the timeline's
        date, and every report of it with its citation."""
        return {
            **self.event.to_dict(),
            "when": self.when,
            "dated_by": self.dated_by,
            "reports": [
                {
                    "id": r.id,
                    "doc_id": r.doc_id,
                    "doc_title": r.doc_title or r.doc_name,
                    "quote": r.evidence,
                    "start": r.span[0],
                    "end": r.span[1],
                    "citation": r.citation,
                }
                for r in self.reports
            ],
        }


def actor_keys(store: Store, actor: str) -> tuple[set[str], set[str]]:
    """Document-level keys and names that name an actor (``scope.resolve_actor``)."""
    ref = scope.resolve_actor(store, actor)
    if not ref.keys:
        raise FilterError(f"an actor filter wants a name, e.g. Rosatom; got {actor!r}")
    return set(ref.keys), set(ref.names)


def list_events(
    store: Store,
    where: scope.Scope | scope.Resolved | None = None,
    *,
    min_confidence: float = 0.0,
    limit: int | None = None,
    offset: int = 0,
    **filters: Any,
) -> list[CitedEvent]:
    """Events in the scope, oldest first, each with its canonical participants.

    ``where`` is a ``Scope`` (or one already resolved); the singular options of the CLI
    (``actor=``, ``type=``, ``sector=``, ``status=``, ``since=``, ``until=``, ``pair=``,
    ``country=``) build one. An event is dated by its own date, else by its document's
    publication date (``dated_by`` says which). ``min_confidence`` leaves out events the
    extractor was less sure of; ``limit``/``offset`` read one page in the store.
    """
    res = _resolved(store, where, filters)
    if res.names_nothing:
        return []
    rows = estore.event_rows(
        store, res.event_filter(min_confidence=min_confidence), limit=limit, offset=offset
    )
    return cite_rows(store, rows)


def count_events(store: Store, where: scope.Scope | scope.Resolved | None = None) -> int:
    """How many events ``list_events`` returns for this scope, counted in the store."""
    res = _resolved(store, where, {})
    if res.names_nothing:
        return 0
    return estore.count_events(store, res.event_filter())


def event_ids(store: Store, where: scope.Scope | scope.Resolved | None = None) -> set[str]:
    """Ids of the events in the scope."""
    res = _resolved(store, where, {})
    return set() if res.names_nothing else estore.event_ids(store, res.event_filter())


def _resolved(
    store: Store, where: scope.Scope | scope.Resolved | None, filters: dict[str, Any]
) -> scope.Resolved:
    if isinstance(where, scope.Resolved):
        return where
    if filters and where is not None:
        raise TypeError("give a Scope or filter options (actor=, type=, ...), not both")
    return scope.resolve(store, scope.Scope.of(**filters) if filters else where or scope.Scope())


def cite_rows(store: Store, rows: list[dict[str, Any]]) -> list[CitedEvent]:
    """Stored event rows (``store.events.event_rows``) as cited events with canonical
    participants."""
    # Only the participants of these rows: the whole key map grows with the store.
    canon = scope.canonical(store, {p["entity_key"] for r in rows for p in r["participants"]})
    clusters = estore.cluster_sources(store, {r["cluster_id"] for r in rows if r["cluster_id"]})
    out: list[CitedEvent] = []
    for r in rows:
        parts = []
        for p in r["participants"]:
            a = scope.actor_of(canon, p["entity_key"], p["name"])
            parts.append(
                EventParticipant(
                    a.name, p["role"], a.id, None if a.type == "UNKNOWN" else a.type, a.country
                )
            )
        cl = clusters.get(r["cluster_id"] or "", {})
        out.append(
            CitedEvent(
                id=r["id"],
                type=r["type"],
                trigger=r["trigger"],
                evidence=r["evidence"],
                doc_id=r["doc_id"],
                doc_name=r["doc_name"],
                participants=tuple(parts),
                sector=r["sector"],
                date=r["date"],
                date_precision=r["date_precision"],
                date_source=r["date_source"],
                status=r["status"],
                confidence=r["confidence"],
                count=r["count"],
                cluster_id=r["cluster_id"],
                sources=int(cl.get("sources", 1)),
                doc_title=r["doc_title"],
                published=r["doc_published"],
                url=r["doc_url"],
                span=(r["sentence_start"], r["sentence_end"]),
                trigger_span=(r["trigger_start"], r["trigger_end"]),
            )
        )
    return out


def timeline(
    store: Store,
    where: scope.Scope | scope.Resolved | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    **filters: Any,
) -> list[TimelineEntry]:
    """Real-world events in date order, each once with all its reports; undated ones last.

    ``limit``/``offset`` page the reports read (oldest first, as ``list_events``): a page
    shows the real-world events of those reports; ``limit`` None reads them all.
    """
    events = list_events(store, where, limit=limit, offset=offset, **filters)
    groups: dict[str, list[CitedEvent]] = {}
    for ev in events:
        groups.setdefault(ev.cluster_id or ev.id, []).append(ev)
    entries = []
    for reports in groups.values():
        dated = [r for r in reports if r.date]
        when: str | None
        by: str | None
        # The most precise stated date wins; else the first report's publication date.
        if dated:
            best = max(dated, key=lambda r: (len(r.date or ""), r.confidence))
            when, by = best.date, "event"
        else:
            pubs = sorted(r.published for r in reports if r.published)
            best = max(reports, key=lambda r: (r.confidence, -r.span[0]))
            when, by = (pubs[0], "published") if pubs else (None, None)
        entries.append(TimelineEntry(when, by, best, tuple(reports)))
    entries.sort(key=lambda e: (e.when is None, e.when or "", e.event.doc_name, e.event.span[0]))
    return entries


def event_records(
    store: Store,
    *,
    entity_keys: set[str] | list[str] | None = None,
    doc_id: str | None = None,
    types: Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Stored events as rows (with document columns and raw participants), only those of
    these participant keys or of this document (and of these types); oldest first;
    ``limit``/``offset``: one page of them, chosen in the store."""
    actors: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
        ((frozenset(entity_keys), frozenset()),) if entity_keys is not None else ()
    )
    f = estore.EventFilter(actors=actors, doc_id=doc_id, types=types)
    return estore.event_rows(store, f, limit=limit, offset=offset)


def event_types(store: Store) -> list[str]:
    """The event types that have stored events."""
    return sorted(estore.event_types(store))


def sectors(store: Store) -> list[str]:
    """The sectors that have stored events."""
    return sorted(estore.sectors(store))


def spans(store: Store, event_ids: set[str] | list[str]) -> dict[str, dict[str, int]]:
    """Event id -> trigger_start, trigger_end, sentence_start, sentence_end."""
    return estore.spans(store, event_ids)


def pairs(store: Store) -> list[str]:
    """Pairs of states that take part together in some event ('CN-RU'), most events first.

    Every participant counts, objects included: a state's company bought from the other's.
    """
    by_event: dict[str, set[str]] = {}
    for eid, country in estore.participant_countries(store):
        by_event.setdefault(eid, set()).add(country)
    seen: Counter[str] = Counter()
    for countries in by_event.values():
        cs = sorted(countries)
        for i, a in enumerate(cs):
            for b in cs[i + 1 :]:
                seen[f"{a}-{b}"] += 1
    return [p for p, _ in seen.most_common()]
