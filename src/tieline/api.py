"""The Python API: everything the CLI does, as functions that return records.

Each function takes ``db`` (a SQLite path or a postgresql:// URL; default: the ``db`` setting
from tieline.toml / TIELINE_DB / ``tieline.db``) or a full ``Settings``, and the options of the
CLI command of the same name. Heavy modules load on first use, so ``import tieline`` stays
quick. A server keeps one ``Library`` open instead (the web does): the functions below are its
methods over a store opened for the call.

This is the one front door: the CLI's commands and the web call it and nothing below it, so
the same question gets the same answer (the same records, serialised by ``to_json``) from the
CLI's ``--json``, the REST API and Python.

>>> import tieline
>>> tieline.ingest("examples/", db="kb.db")                     # doctest: +SKIP
>>> tieline.events(db="kb.db", actor="Gazprom", sector="energy")  # doctest: +SKIP
>>> page = tieline.search("pipeline", db="kb.db", kinds=("event",))  # doctest: +SKIP
>>> tieline.report(db="kb.db", pair="CN-RU", out="brief.md")   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tieline.config import Settings, load_settings
from tieline.records import Document, DocumentInfo, Entity, IngestReport, InputFailure

if TYPE_CHECKING:
    from tieline.query.charts import ChartResult
    from tieline.query.clusters import Cluster
    from tieline.query.digest import Digest
    from tieline.query.events import CitedEvent, TimelineEntry
    from tieline.query.figures import CitedFigure, Contradiction, Series, TargetLink
    from tieline.query.graph import Network
    from tieline.query.report import Report
    from tieline.query.scope import Scope
    from tieline.query.search import Hit, Page
    from tieline.scale.watch import WatchReport
    from tieline.store.db import Store

EXPORT_FORMATS = ("jsonl", "gold-jsonl", "csv", "events-csv", "parquet", "graphml", "gexf", "ftm")


def _settings(db: str | Path | None, settings: Settings | None, **extra: Any) -> Settings:
    base = settings or load_settings({"db": str(db)} if db is not None else None)
    if db is not None and settings is not None:
        base = replace(base, db=str(db))
    return replace(base, **{k: v for k, v in extra.items() if v is not None})


@contextmanager
def _store(
    db: str | Path | None, settings: Settings | None, create: bool = False
) -> Iterator[Store]:
    from tieline.store.db import Store

    with Store(_settings(db, settings).db, create=create) as store:
        yield store


@contextmanager
def _library(db: str | Path | None, settings: Settings | None) -> Iterator[Library]:
    lib = Library(db, settings=settings)
    try:
        yield lib
    finally:
        lib.close()


def scope(
    *,
    actor: str | None = None,
    pair: str | None = None,
    country: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    text: str | None = None,
) -> Scope:
    """The one filter record every read takes (``tieline.query.scope.Scope``)."""
    from tieline.query.scope import Scope

    return Scope.of(
        actor=actor,
        pair=pair,
        country=country,
        type=type,
        sector=sector,
        status=status,
        since=since,
        until=until,
        text=text,
    )


def to_json(obj: Any) -> Any:
    """Records as JSON-ready values: the one serialiser of the CLI's --json, the REST API and
    the page (records with ``to_dict``, pages of hits, networks, lists and dicts of them)."""
    from tieline.query.graph import Network, network_to_dict
    from tieline.query.search import Page, page_to_dict

    if isinstance(obj, Page):
        return page_to_dict(obj)
    if isinstance(obj, Network):
        return network_to_dict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, list | tuple):
        return [to_json(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: to_json(v) for k, v in dataclasses.asdict(obj).items()}
    return obj


class Library:
    """An open knowledge base: every read and curator action of the API over one store.

    ``tieline.events(db=...)`` and the others open one for the call; a server keeps one open.
    Every filter goes through one ``Scope`` (``tieline.query.scope``): an actor by id, name,
    alias or acronym; sectors with their subsectors; an event dated by its article when its
    text gives no date; values the store does not hold refused with the closest one.
    """

    def __init__(
        self,
        db: str | Path | None = None,
        *,
        settings: Settings | None = None,
        create: bool = False,
    ) -> None:
        from tieline.store.db import Store

        self.settings = _settings(db, settings)
        self.store: Store = Store(self.settings.db, create=create)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def data_version(self) -> str | None:
        """A token that changes whenever documents are written or entities relinked."""
        return self.store.data_version()

    def links_stale(self) -> bool:
        """Whether documents were written since entities were last rebuilt."""
        return self.store.links_stale()

    def add_judgement(
        self, kind: str, a: str, b: str | None = None, alias: str | None = None
    ) -> None:
        """Record a curator's merge or split (applied at the next relink)."""
        self.store.add_judgement(kind, a, b, alias)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ events
    def events(
        self,
        where: Scope | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        min_confidence: float = 0.0,
        **filters: Any,
    ) -> list[CitedEvent]:
        """Events in the scope, oldest first (by their date, else their article's), each with
        its canonical participants, document and quote."""
        from tieline.query import events as qe

        return qe.list_events(
            self.store,
            _where(where, filters),
            limit=limit,
            offset=offset,
            min_confidence=min_confidence,
        )

    def count_events(self, where: Scope | None = None, **filters: Any) -> int:
        """How many events ``events`` lists for this scope."""
        from tieline.query import events as qe

        return qe.count_events(self.store, _where(where, filters))

    def timeline(
        self,
        where: Scope | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[TimelineEntry]:
        """Real-world events in date order, each once with all its reports."""
        from tieline.query import events as qe

        return qe.timeline(self.store, _where(where, filters), limit=limit, offset=offset)

    def event_types(self) -> list[str]:
        """The event types that have stored events."""
        from tieline.query import events as qe

        return qe.event_types(self.store)

    def sectors(self) -> list[str]:
        """The sectors that have stored events."""
        from tieline.query import events as qe

        return qe.sectors(self.store)

    def pairs(self) -> list[str]:
        """Pairs of states that take part together in some event ('CN-RU'), most first."""
        from tieline.store import events as estore

        return [f"{a}-{b}" for a, b, _ in estore.country_pairs(self.store)]

    # ------------------------------------------------------------------ search, graph
    def search(
        self,
        text: str,
        *,
        actor: str | None = None,
        type: str | None = None,
        sector: str | None = None,
        since: str | None = None,
        until: str | None = None,
        kinds: Iterable[str] = (),
        limit: int = 20,
        offset: int = 0,
        semantic: bool = False,
    ) -> Page[Hit]:
        """Full-text (BM25) or semantic search over documents and facts; one page of hits."""
        from tieline.query.search import SearchQuery
        from tieline.query.search import search as run

        q = SearchQuery(
            text,
            actor=actor,
            type=type,
            sector=sector,
            since=since,
            until=until,
            kinds=tuple(kinds),
            limit=limit,
            offset=offset,
            semantic=semantic,
        )
        return run(self.store, q)

    def graph(self, where: Scope | None = None, **filters: Any) -> Network:
        """The actor network of the events in the scope (centrality, communities)."""
        from tieline.query.graph import build_network

        return build_network(self.store, where=_where(where, filters))

    # ------------------------------------------------------------------ figures
    def figures(
        self,
        *,
        measure: str | None = None,
        pair: str | None = None,
        since: str | None = None,
        until: str | None = None,
        status: str | None = None,
        unit: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        with_countries: bool = True,
    ) -> list[CitedFigure]:
        """Figures with the document and quote each comes from, oldest period first."""
        from tieline.query import figures as qf

        return qf.list_figures(
            self.store,
            measure=measure,
            pair=pair,
            since=since,
            until=until,
            status=status,
            unit=unit,
            limit=limit,
            offset=offset,
            with_countries=with_countries,
        )

    def count_figures(
        self,
        *,
        measure: str | None = None,
        pair: str | None = None,
        since: str | None = None,
        until: str | None = None,
        status: str | None = None,
        unit: str | None = None,
    ) -> int:
        """How many figures ``figures`` lists with these filters."""
        from tieline.query import figures as qf

        return qf.count_figures(
            self.store,
            measure=measure,
            pair=pair,
            since=since,
            until=until,
            status=status,
            unit=unit,
        )

    def series(
        self,
        measure: str,
        *,
        pair: str | None = None,
        since: str | None = None,
        until: str | None = None,
        with_countries: bool = True,
    ) -> Series:
        """One measure over time: actuals beside targets, per period."""
        from tieline.query import figures as qf

        return qf.series(
            self.store, measure, pair, since=since, until=until, with_countries=with_countries
        )

    def targets(self, *, measure: str | None = None, pair: str | None = None) -> list[TargetLink]:
        """Each target with the actual reported for its period."""
        from tieline.query import figures as qf

        return qf.targets_with_actuals(self.store, measure=measure, pair=pair)

    def contradictions(
        self, *, measure: str | None = None, pair: str | None = None
    ) -> list[Contradiction]:
        """Figures of one measure, pair, period and status on which sources disagree."""
        from tieline.query import figures as qf

        return qf.contradictions(self.store, measure=measure, pair=pair)

    def measures(self) -> dict[str, int]:
        """Stored measures and how many figures each has."""
        from tieline.query import figures as qf

        return qf.measures(self.store)

    # ------------------------------------------------------------------ entities
    def entities(
        self,
        *,
        type: str | None = None,
        country: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Canonical actors, most mentioned first (a country by code or name)."""
        from tieline.query import entities as qe
        from tieline.query import scope as qs

        code = country
        if country is not None and country.strip().lower() != "none":
            code = qs.check_country(self.store, country)
        return qe.list_entities(self.store, type=type, country=code, limit=limit, offset=offset)

    def find_entity(self, ref: str) -> dict[str, Any]:
        """The one entity an id, name, alias or acronym stands for (NotFoundError, or a
        FilterError when several carry the name)."""
        from tieline.query import entities as qe

        return qe.resolve_name(self.store, ref)

    def entity(
        self,
        ref: str,
        *,
        max_mentions: int | None = None,
        max_events: int | None = None,
        events_offset: int = 0,
    ) -> dict[str, Any]:
        """One actor in full: aliases, role, country, events and every mention with its quote;
        ``max_events``/``events_offset``: one page of its events (``event_count`` says how many
        it has)."""
        from tieline.query import entities as qe

        return qe.entity_detail(
            self.store,
            ref,
            max_mentions=max_mentions,
            max_events=max_events,
            events_offset=events_offset,
        )

    def cluster_dates(self, events: list[dict[str, Any]]) -> dict[str, str]:
        """Per cluster of these events: the most precise date one of its reports states."""
        from tieline.query import entities as qe

        return qe.cluster_dates_of(self.store, events)

    def merge(self, a: str, b: str) -> dict[str, Any]:
        """Judge two entities (ids, names or aliases) to be one actor; stored, outlives
        re-ingest. Returns the two names merged and the entity they now are."""
        from tieline.errors import FilterError
        from tieline.query import entities as qe
        from tieline.scale.runner import link_judgement

        ea, eb = qe.resolve_name(self.store, a), qe.resolve_name(self.store, b)
        if ea["id"] == eb["id"]:
            raise FilterError(f"{a!r} and {b!r} are already one entity ({ea['name']})")
        self.store.add_judgement("merge", ea["name"], eb["name"])
        link_judgement(self.store, self.settings)
        return {
            "merged": [ea["name"], eb["name"]],
            "entity": qe.resolve_name(self.store, ea["name"]),
        }

    def split(self, ref: str, alias: str) -> dict[str, Any]:
        """Judge an alias of an entity (id, name or alias) to name another actor; stored.
        Returns the entity left and the one split off."""
        from tieline.errors import FilterError
        from tieline.query import entities as qe
        from tieline.scale.runner import link_judgement

        ea = qe.resolve_name(self.store, ref)
        match = [x for x in ea["aliases"] if x.casefold() == alias.strip().casefold()]
        if not match:
            raise FilterError(
                f"{alias!r} is not an alias of {ea['name']}; its aliases are: "
                f"{', '.join(ea['aliases']) or 'none'}"
            )
        self.store.add_judgement("split", ea["name"], None, match[0])
        link_judgement(self.store, self.settings)
        return {
            "entity": qe.resolve_name(self.store, ea["name"]),
            "split_off": qe.resolve_name(self.store, match[0]),
        }

    def relink(self) -> int:
        """Rebuild corpus-level entities and clusters; returns the number of entities."""
        from tieline.scale.runner import relink

        return relink(self.store, self.settings)

    def link_pending(self) -> None:
        """Link what the last writes left pending (incremental; in full if the store asks)."""
        from tieline.scale.runner import finish_links

        finish_links(self.store, self.settings, changed=False)

    def link_judgements(self) -> int:
        """Link again what the curator's new judgements reach; returns the number of entities."""
        from tieline.scale.runner import link_judgement

        link_judgement(self.store, self.settings)
        return self.store.count("entities")

    # ------------------------------------------------------------------ briefing, totals
    def report(self, *, pair: str | None = None, since: str | None = None) -> Report:
        """The cited briefing."""
        from tieline.query.report import build_report

        return build_report(self.store, pair=pair, since=since)

    def summary(self) -> dict[str, Any]:
        """Totals: documents, entities by type, events by type, figures."""
        from tieline.store import reads

        return reads.counts(self.store)

    def countries(self) -> list[str]:
        """The countries the store's entities carry."""
        from tieline.store import figures as fstore

        return fstore.held_countries(self.store)


def _where(where: Scope | None, filters: dict[str, Any]) -> Scope | None:
    """A Scope from either a Scope or the CLI's singular options, not both."""
    if not filters:
        return where
    if where is not None:
        raise TypeError("give a Scope or filter options (actor=, type=, ...), not both")
    from tieline.query.scope import Scope

    return Scope.of(**filters)


def ingest(
    *sources: str | Path,
    db: str | Path | None = None,
    settings: Settings | None = None,
    allow_private: bool | None = None,
    gazetteers: Iterable[str | Path] = (),
    batch_size: int | None = None,
    engine: str | None = None,
    workers: int | None = None,
    address: str | None = None,
    follow_links: bool | None = None,
    allow_hosts: Iterable[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    on_failure: Callable[[InputFailure], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and http(s) URLs; re-running is safe (unchanged ones are skipped).

    The options are ``tieline ingest``'s: extra gazetteers, batch size, engine (local,
    process, ray), workers, Ray address, following links, private or named hosts allowed.
    """
    from tieline.scale.runner import ingest_paths, ingest_urls

    s = _settings(
        db,
        settings,
        allow_private=allow_private,
        progress=False,
        gazetteers=tuple(str(g) for g in gazetteers) or None,
        batch_size=batch_size,
        engine=engine,
        workers=workers,
        ray_address=address,
        follow_links=follow_links,
        allow_hosts=tuple(allow_hosts) or None,
    )
    urls = [str(x) for x in sources if str(x).startswith(("http://", "https://"))]
    files = [x for x in sources if str(x) not in urls]
    if urls:
        return ingest_urls(urls, files, s, progress=progress, on_failure=on_failure)
    return ingest_paths(files, s, progress=progress, on_failure=on_failure)


def fetch(url: str, *, allow_private: bool = False, settings: Settings | None = None) -> Document:
    """Fetch one web page into a Document (main text by trafilatura), without storing it."""
    from tieline.ingest.fetch import fetch_document

    return fetch_document(url, replace(settings or Settings(), allow_private=allow_private))


def search(
    text: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    actor: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    since: str | None = None,
    until: str | None = None,
    kinds: Iterable[str] = (),
    limit: int = 20,
    offset: int = 0,
    semantic: bool = False,
) -> Page[Hit]:
    """Full-text (BM25) or semantic search over documents and facts; one page of hits."""
    with _library(db, settings) as lib:
        return lib.search(
            text,
            actor=actor,
            type=type,
            sector=sector,
            since=since,
            until=until,
            kinds=kinds,
            limit=limit,
            offset=offset,
            semantic=semantic,
        )


def entities(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    type: str | None = None,
    country: str | None = None,
    limit: int | None = None,
) -> list[Entity]:
    """Corpus-level actors (canonical names with their aliases), most mentioned first."""
    with _library(db, settings) as lib:
        rows = lib.entities(type=type, country=country, limit=limit)
    return [
        Entity(
            key=r["id"],
            name=r["name"],
            type=r["type"],
            country=r["country"],
            aliases=tuple(r["aliases"]),
            role=r["role"],
            affiliation=r["affiliation"],
            kb_id=r["kb_id"],
            mention_count=r["mention_count"],
        )
        for r in rows
    ]


def entity(
    name: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    max_mentions: int | None = None,
) -> dict[str, Any]:
    """One actor (by id, name, alias or acronym) in full: aliases, role, country, events,
    lifecycle and every mention with its quote and document."""
    with _library(db, settings) as lib:
        return lib.entity(name, max_mentions=max_mentions)


def events(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    actor: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    since: str | None = None,
    until: str | None = None,
    pair: str | None = None,
    country: str | None = None,
    status: str | None = None,
    where: Scope | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CitedEvent]:
    """Events, oldest first, each with its participants, document and quote (``tieline
    events``): the same ids in the same order as the CLI and the REST API.

    An event is dated by its own date, else by its article's (``dated_by``); ``sector`` keeps
    subsectors; ``actor`` is an id, name, alias or acronym; ``where`` a whole ``Scope``.
    """
    filters = _filters(
        actor=actor,
        type=type,
        sector=sector,
        since=since,
        until=until,
        pair=pair,
        country=country,
        status=status,
    )
    with _library(db, settings) as lib:
        return lib.events(where, limit=limit, offset=offset, **filters)


def timeline(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    actor: str | None = None,
    pair: str | None = None,
    country: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    where: Scope | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[TimelineEntry]:
    """Real-world events in date order, each once with all its reports (``tieline
    timeline``)."""
    filters = _filters(
        actor=actor,
        type=type,
        sector=sector,
        since=since,
        until=until,
        pair=pair,
        country=country,
        status=status,
    )
    with _library(db, settings) as lib:
        return lib.timeline(where, limit=limit, offset=offset, **filters)


def _filters(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def figures(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    measure: str | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
    unit: str | None = None,
) -> list[CitedFigure]:
    """Figures with the document and quote each comes from."""
    with _library(db, settings) as lib:
        return lib.figures(
            measure=measure, pair=pair, since=since, until=until, status=status, unit=unit
        )


def series(
    measure: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Series:
    """One measure over time: actuals beside targets, per period."""
    with _library(db, settings) as lib:
        return lib.series(measure, pair=pair, since=since, until=until)


def contradictions(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    measure: str | None = None,
    pair: str | None = None,
) -> list[Contradiction]:
    """Figures on which sources disagree (``tieline figures --contradictions``)."""
    with _library(db, settings) as lib:
        return lib.contradictions(measure=measure, pair=pair)


def graph(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    country: str | None = None,
    type: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    where: Scope | None = None,
    export: str | None = None,
    out: str | Path | None = None,
) -> Network:
    """The actor network of the events in scope (centrality, communities); written as
    graphml/gexf/json when asked."""
    from tieline.query.graph import write_network

    filters = _filters(
        actor=actor,
        type=type,
        sector=sector,
        since=since,
        until=until,
        pair=pair,
        country=country,
        status=status,
    )
    with _library(db, settings) as lib:
        net = lib.graph(where, **filters)
    if export is not None:
        if out is None:
            raise ValueError("graph(export=...) needs out= a file path")
        write_network(net, export, Path(out))
    return net


def merge(
    a: str,
    b: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    gazetteers: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """Judge A and B (ids, names or aliases) to be one actor (``tieline merge``); stored and
    kept across re-ingest."""
    s = _settings(db, settings, gazetteers=tuple(str(g) for g in gazetteers) or None)
    with _library(None, s) as lib:
        return lib.merge(a, b)


def split(
    a: str,
    alias: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    gazetteers: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """Judge an alias of an entity to name another actor (``tieline split``); stored."""
    s = _settings(db, settings, gazetteers=tuple(str(g) for g in gazetteers) or None)
    with _library(None, s) as lib:
        return lib.split(a, alias)


def chart(
    measure: str,
    out: str | Path,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    by: str = "sector",
) -> ChartResult:
    """Draw a measure's actuals against targets, or (measure 'events') events per year."""
    from tieline.query.charts import chart_events, chart_measure

    with _store(db, settings) as store:
        if measure == "events":
            return chart_events(store, Path(out), by=by, pair=pair)
        return chart_measure(store, measure, Path(out), pair=pair)


def report(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    since: str | None = None,
    out: str | Path | None = None,
) -> Report:
    """The cited briefing; written as Markdown or HTML (by suffix) when ``out`` is given."""
    from tieline.query.report import write_report

    with _library(db, settings) as lib:
        rep = lib.report(pair=pair, since=since)
    if out is not None:
        write_report(rep, Path(out))
    return rep


def export(
    fmt: str,
    out: str | Path | TextIO,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
) -> int | dict[str, int]:
    """Export the knowledge base (see EXPORT_FORMATS) to a file, or to an open text stream;
    csv and parquet write one file per table into a folder. Returns the records written (per
    table for a folder)."""
    from tieline.errors import ConfigError
    from tieline.eval.gold import write_gold
    from tieline.query import export as ex
    from tieline.query import exports as exs

    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt in ("csv", "parquet") and not isinstance(out, str | Path):
        raise ConfigError(f"{fmt} writes one file per table: give a folder")

    def write(store: Store, fh: TextIO) -> int:
        if fmt == "gold-jsonl":
            return int(write_gold(store, fh))
        if fmt == "jsonl":
            return ex.write_jsonl(store, fh)
        if fmt == "events-csv":
            return ex.write_csv(store, out=fh)["events"]
        if fmt == "ftm":
            return exs.write_ftm(store, fh)
        return exs.write_graph(store, fh, fmt)

    with _store(db, settings) as store:
        if isinstance(out, str | Path):
            path = Path(out)
            if fmt == "csv":
                return ex.write_csv(store, out_dir=path)
            if fmt == "parquet":
                return exs.write_parquet(store, path)
            with path.open("w", encoding="utf-8", newline="") as fh:
                return write(store, fh)
        return write(store, out)


def digest(
    since: str = "7d", *, db: str | Path | None = None, settings: Settings | None = None
) -> Digest:
    """Facts from documents stored since ``since`` (24h, 7d, or an ISO date), with citations."""
    from tieline.query.digest import digest as run

    with _store(db, settings) as store:
        return run(store, since)


def watch(
    *feeds: str,
    db: str | Path | None = None,
    settings: Settings | None = None,
    every: str = "1h",
    passes: int | None = 1,
    allow_private: bool | None = None,
    allow_hosts: Iterable[str] = (),
) -> list[WatchReport]:
    """Follow RSS/Atom feeds: ingest new entries; ``passes=None`` runs until interrupted
    (``passes=1`` is the CLI's ``--once``)."""
    from tieline.ingest.feeds import parse_every
    from tieline.scale.watch import watch as run

    s = _settings(
        db,
        settings,
        allow_private=allow_private,
        progress=False,
        allow_hosts=tuple(allow_hosts) or None,
    )
    return run(list(feeds), s, parse_every(every), passes=passes)


def summary(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Totals: documents, entities by type, events by type, figures."""
    with _library(db, settings) as lib:
        return lib.summary()


def documents(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    since: str | None = None,
    until: str | None = None,
    text: str | None = None,
    source: str | None = None,
    limit: int | None = None,
) -> list[DocumentInfo]:
    """Stored documents, newest first (undated last), each with its entity, event and figure
    counts.

    Args:
        since, until: only documents published in this window (2019, 2019-06-05, or a span
            before now for since: 7d, 2w, 1y); an undated document falls outside any window.
        text: only documents whose title or file name contains this (case-blind).
        source: only documents whose outlet (source) contains this (case-blind).
        limit: at most this many.

    Raises:
        ConfigError: a since that is neither a date nor a span, an until that is not a date.
    """
    from tieline.query import scope
    from tieline.store import reads
    from tieline.store.curation import list_documents

    start, until = scope.parse_since(since), scope.parse_until(until)
    needle = source.strip().lower() if source and source.strip() else None
    with _store(db, settings) as store:
        rows = list_documents(store, text=text or None)
        counts = reads.document_counts(store)
    picked = [
        r
        for r in rows
        if scope.in_window(r["published"], start, until)
        and (needle is None or needle in (r["source"] or "").lower())
    ]
    # Newest first; the sort is stable, so undated ones (and ties) keep their name order.
    picked.sort(key=lambda r: r["published"] or "", reverse=True)
    picked.sort(key=lambda r: r["published"] is None)
    out = [
        DocumentInfo(
            id=r["id"],
            name=r["name"],
            title=r["title"],
            published=r["published"],
            published_precision=r["published_precision"],
            source=r["source"],
            url=r["url"],
            author=r["author"],
            lang=r["lang"],
            near_duplicate_of=r["near_duplicate_of"],
            entities=counts.get(r["id"], {}).get("entities", 0),
            events=counts.get(r["id"], {}).get("events", 0),
            figures=counts.get(r["id"], {}).get("figures", 0),
        )
        for r in picked
    ]
    return out if limit is None else out[: max(0, limit)]


def cluster(
    cluster_id: str, *, db: str | Path | None = None, settings: Settings | None = None
) -> Cluster | None:
    """One real-world event with all its reports: each source's outlet, date and quote, the
    figures they give, and where they agree or contradict each other (None if no such id)."""
    from tieline.query.clusters import cluster_detail

    with _store(db, settings) as store:
        return cluster_detail(store, cluster_id)


def clusters(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    min_documents: int = 2,
    contradicted: bool = False,
) -> list[Cluster]:
    """Real-world events reported by ``min_documents`` or more documents, best-sourced first;
    ``contradicted`` keeps those whose sources disagree (values over 5% apart, or dates)."""
    from tieline.query.clusters import list_clusters

    with _store(db, settings) as store:
        return list_clusters(
            store, min_documents=min_documents, pair=pair, contradicted=contradicted
        )


def relink(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    gazetteers: Iterable[str | Path] = (),
) -> dict[str, Any]:
    """Rebuild every entity and event cluster from what is stored (an ingest links only what
    it adds): after a bulk change of curator judgements, or with a new gazetteer."""
    from tieline.scale.runner import relink_all

    s = _settings(db, settings, gazetteers=tuple(str(g) for g in gazetteers) or None)
    with _store(None, s) as store:
        n, clusters = relink_all(store, s, all_clusters=True)
    return {"entities": n, "clusters": clusters or 0}


def evaluate(
    gold: str | Path,
    docs: str | Path,
    *,
    pred: str | Path | None = None,
    explain: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Ingest DOCS into a temporary store, export and score against GOLD (``tieline eval``);
    the referee's figures as a dict (``summary_lines`` for its text), with the errors per
    document under "explain" when asked."""
    from tieline.errors import InputError
    from tieline.eval.explain import explain as explain_matches
    from tieline.eval.gold import read_gold
    from tieline.eval.metrics import match_all, score_matches
    from tieline.eval.run import predict

    gold, docs = Path(gold), Path(docs)
    if not gold.is_file():
        raise InputError(f"{gold}: no such gold file")
    if not docs.is_dir():
        raise InputError(f"{docs}: no such folder of documents")
    if pred is not None and not Path(pred).is_file():
        raise InputError(f"{pred}: no such prediction file")
    gold_docs = read_gold(gold)
    pred_docs = (
        read_gold(Path(pred)) if pred is not None else predict(docs, settings or load_settings())
    )
    matches = match_all(gold_docs, pred_docs, docs)
    result: dict[str, Any] = score_matches(gold_docs, pred_docs, matches)
    if explain:
        result["explain"] = explain_matches(matches)
    return result
