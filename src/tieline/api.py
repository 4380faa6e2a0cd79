"""The Python API: everything the CLI does, as functions that return records.

Each function takes ``db`` (a SQLite path or a postgresql:// URL; default: the ``db`` setting
from tieline.toml / TIELINE_DB / ``tieline.db``) or a full ``Settings``. Heavy modules load on
first use, so ``import tieline`` stays quick.

>>> import tieline
>>> tieline.ingest("examples/", db="kb.db")                     # doctest: +SKIP
>>> page = tieline.search("pipeline", db="kb.db", kinds=("event",))  # doctest: +SKIP
>>> tieline.report(db="kb.db", pair="CN-RU", out="brief.md")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tieline.config import Settings, load_settings
from tieline.records import (
    Document,
    DocumentInfo,
    Entity,
    Event,
    IngestReport,
    InputFailure,
    Participant,
)

if TYPE_CHECKING:
    from tieline.query.charts import ChartResult
    from tieline.query.clusters import Cluster
    from tieline.query.digest import Digest
    from tieline.query.figures import CitedFigure, Series
    from tieline.query.graph import Network
    from tieline.query.report import Report
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


def ingest(
    *sources: str | Path,
    db: str | Path | None = None,
    settings: Settings | None = None,
    allow_private: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    on_failure: Callable[[InputFailure], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and http(s) URLs; re-running is safe (unchanged ones are skipped)."""
    from tieline.scale.runner import ingest_paths, ingest_urls

    s = _settings(db, settings, allow_private=allow_private, progress=False)
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
    with _store(db, settings, create=semantic) as store:
        return run(store, q)


def entities(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    type: str | None = None,
    country: str | None = None,
) -> list[Entity]:
    """Corpus-level actors (canonical names with their aliases), most mentioned first."""
    from tieline.query.entities import list_entities
    from tieline.records import ENTITY_TYPES

    if type is not None and type not in ENTITY_TYPES:
        return []  # no entity has a type outside the taxonomy (and types are capitals)
    with _store(db, settings) as store:
        rows = list_entities(store, type=type, country=country)
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


def events(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    type: str | None = None,
    sector: str | None = None,
) -> list[Event]:
    """Events in date order (a timeline), participants under their canonical names."""
    from tieline.query import scope
    from tieline.query.events import list_events
    from tieline.records import EVENT_TYPES

    if type is not None and type not in EVENT_TYPES:
        return []
    with _store(db, settings) as store:
        cited = list_events(store, pair=pair, since=since, until=until, type=type, sector=sector)
    # The query layer dates an undated event by its document and keeps subsectors; this
    # function has always used the event's own date and the exact sector.
    since = scope.parse_since(since)
    out = []
    for ev in cited:
        if (sector and (ev.sector or "") != sector) or not scope.in_window(ev.date, since, until):
            continue
        trigger = ev.trigger_span or (0, 0)
        out.append(
            Event(
                id=ev.id,
                type=ev.type,
                trigger=ev.trigger,
                trigger_start=trigger[0],
                trigger_end=trigger[1],
                sentence_start=ev.span[0],
                sentence_end=ev.span[1],
                evidence=ev.evidence,
                participants=tuple(
                    Participant(p.entity_id, p.name, p.role)
                    for p in sorted(ev.participants, key=lambda p: (p.role, p.name))
                ),
                sector=ev.sector,
                date=ev.date,
                date_precision=ev.date_precision,
                date_source=ev.date_source,
                status=ev.status,
                confidence=ev.confidence,
                count=ev.count,
                cluster_id=ev.cluster_id,
            )
        )
    return sorted(out, key=lambda e: (e.date or "9999", e.id))


def figures(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    measure: str | None = None,
    pair: str | None = None,
    since: str | None = None,
    status: str | None = None,
) -> list[CitedFigure]:
    """Figures with the document and quote each comes from."""
    from tieline.query.figures import list_figures

    with _store(db, settings) as store:
        return list_figures(store, measure=measure, pair=pair, since=since, status=status)


def series(
    measure: str,
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
) -> Series:
    """One measure over time: actuals beside targets, per period."""
    from tieline.query.figures import series as run

    with _store(db, settings) as store:
        return run(store, measure, pair)


def graph(
    *,
    db: str | Path | None = None,
    settings: Settings | None = None,
    pair: str | None = None,
    since: str | None = None,
    export: str | None = None,
    out: str | Path | None = None,
) -> Network:
    """The actor network (centrality, communities); written as graphml/gexf/json when asked."""
    from tieline.query.graph import build_network, write_network

    with _store(db, settings) as store:
        net = build_network(store, pair=pair, since=since)
    if export is not None:
        if out is None:
            raise ValueError("graph(export=...) needs out= a file path")
        write_network(net, export, Path(out))
    return net


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
    from tieline.query.report import build_report, write_report

    with _store(db, settings) as store:
        rep = build_report(store, pair=pair, since=since)
    if out is not None:
        write_report(rep, Path(out))
    return rep


def export(
    fmt: str, out: str | Path, *, db: str | Path | None = None, settings: Settings | None = None
) -> int | dict[str, int]:
    """Export the knowledge base (see EXPORT_FORMATS); folders for csv and parquet."""
    from tieline.eval.gold import write_gold
    from tieline.query import export as ex
    from tieline.query import exports as exs

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    path = Path(out)
    with _store(db, settings) as store:
        if fmt == "csv":
            return ex.write_csv(store, out_dir=path)
        if fmt == "parquet":
            return exs.write_parquet(store, path)
        with path.open("w", encoding="utf-8", newline="") as fh:
            if fmt == "gold-jsonl":
                return int(write_gold(store, fh))
            if fmt == "jsonl":
                return ex.write_jsonl(store, fh)
            if fmt == "events-csv":
                return ex.write_csv(store, out=fh)["events"]
            if fmt == "ftm":
                return exs.write_ftm(store, fh)
            return exs.write_graph(store, fh, fmt)


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
) -> list[WatchReport]:
    """Follow RSS/Atom feeds: ingest new entries; ``passes=None`` runs until interrupted."""
    from tieline.ingest.feeds import parse_every
    from tieline.scale.watch import watch as run

    s = _settings(db, settings, allow_private=allow_private, progress=False)
    return run(list(feeds), s, parse_every(every), passes=passes)


def summary(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Totals: documents, entities by type, events by type, figures."""
    from tieline.store import reads

    with _store(db, settings) as store:
        return reads.counts(store)


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
    import re

    from tieline.errors import ConfigError
    from tieline.query import scope
    from tieline.store import reads
    from tieline.store.curation import list_documents

    start = scope.parse_since(since)
    if until is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", until.strip()):
        raise ConfigError(f"--until wants a date (2022, 2022-12, 2022-12-31), got {until!r}")
    until = until.strip() if until else None
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


def relink(*, db: str | Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Rebuild every entity and event cluster from what is stored (an ingest links only what
    it adds): after a bulk change of curator judgements, or with a new gazetteer."""
    from tieline.scale.linking import link_store
    from tieline.scale.runner import recluster

    s = _settings(db, settings)
    with _store(db, s) as store:
        n, _ = link_store(store, s, full=True)
        clusters = recluster(store, full=True)
    return {"entities": n, "clusters": clusters or 0}
