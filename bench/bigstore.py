"""A large store generated straight into the database, and query latency and export time on it.

    python bench/bigstore.py 100000 /tmp/big.db

The store is written through the store's bulk write path (``tieline.store.bulk.write_new``:
synthetic ``Document``/``Extraction`` records, the rows ``Store.write`` makes, one insert per
table per batch of documents) and linked with ``Store.replace_links``,
so its rows, search index and triggers are exactly what ingest makes. Proportions follow the
bundled examples: per document about 4 events with 2-3 participants each, 4 figures, 12 named
entities and 2 mentions of each; actors are drawn with a heavy-tailed law (a few states and
companies are everywhere, most people and firms appear a few times).

Latency is measured through the query layer that the CLI, API and web page use
(``tieline.query.entities``, ``tieline.query.events``, ``tieline.query.search``).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import io
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tieline.extract.gazetteer import load_gazetteer
from tieline.extract.names import name_key
from tieline.records import (
    EVENT_TYPES,
    Document,
    Entity,
    Event,
    Extraction,
    Figure,
    Mention,
    Participant,
)
from tieline.store.bulk import write_new
from tieline.store.db import Store

EVENTS_PER_DOC = 4
FIGURES_PER_DOC = 4
ENTITIES_PER_DOC = 12
MENTIONS_PER_ENTITY = 2
DOC_WORDS = 400
BATCH_DOCS = 1000
VERSION = "bigstore.v1"

TRIGGERS = {
    "agreement": "signed",
    "talks": "held talks",
    "cooperation": "cooperate",
    "supply": "will supply",
    "construction": "is building",
    "investment": "invested",
    "technology_transfer": "transferred technology",
    "sanction": "imposed sanctions",
    "award": "awarded",
}
SECTORS = [
    "energy",
    "energy.gas",
    "energy.oil",
    "energy.nuclear",
    "aerospace",
    "transport.rail",
    "telecom",
    "shipbuilding",
    "finance",
    "agriculture",
    "mining",
    "electronics",
]
MEASURES = ["trade", "investment", "exports", "imports", "contract_value", "supply_volume"]
PRODUCTS = [
    "crude oil",
    "liquefied natural gas",
    "coal",
    "nuclear fuel",
    "helicopters",
    "rail cars",
    "power equipment",
    "fertiliser",
    "electronic components",
    "wheat",
]
GIVEN = [
    "Ivan",
    "Li",
    "Anna",
    "Wang",
    "Sergei",
    "Zhang",
    "Olga",
    "Chen",
    "Dmitry",
    "Liu",
    "Arjun",
    "Mehmet",
    "Elena",
    "Xu",
    "Pavel",
    "Ayse",
    "Nikolai",
    "Mei",
    "Rahul",
    "Yuri",
]
SYLLABLES = [
    "pet",
    "ro",
    "vol",
    "kov",
    "zha",
    "ng",
    "sun",
    "mor",
    "oz",
    "lin",
    "han",
    "shi",
    "dev",
    "ya",
    "kar",
    "ta",
    "mir",
    "ov",
    "chen",
    "ku",
    "bay",
    "ram",
    "lee",
    "sok",
]
FILLER = (
    "The talks took place against a background of shifting markets and new supply routes. "
    "Observers expect further announcements at the next meeting of the commission. "
    "Both sides described the relationship as strategic and long term. "
).split()
SEARCH_TERMS = [
    "nuclear fuel",
    "helicopters",
    "liquefied natural gas",
    "rail cars",
    "fertiliser",
    "sanctions",
    "power equipment",
    "wheat",
    "memorandum",
    "pipeline",
    "shipyard",
    "satellite",
]


class _World:
    """The actors of the generated store and how often each is drawn."""

    def __init__(self, n_docs: int, rng: random.Random) -> None:
        self._keys: dict[str, str] = {}
        gaz = load_gazetteer()
        self.states = [(a.name, a.country) for a in gaz.actors if a.type == "COUNTRY"]
        # China and Russia first: the corpus is about them, so they are drawn most.
        self.states.sort(key=lambda s: (s[0] not in ("China", "Russia"), s[0]))
        orgs = [
            (a.name, a.type, a.country, tuple(a.acronyms))
            for a in gaz.actors
            if a.type != "COUNTRY"
        ]
        for i in range(max(50, n_docs // 10)):
            kind = rng.choice(["Energy", "Holding", "Machinery", "Logistics", "Telecom", "Mining"])
            orgs.append(
                (
                    f"{self._word(rng).title()} {kind} {i}",
                    "ORG",
                    rng.choice(["CN", "RU", "IN", "TR", "KZ"]),
                    (),
                )
            )
        self.orgs = orgs
        self.people = [
            (f"{rng.choice(GIVEN)} {self._word(rng).title()}", rng.choice(["CN", "RU"]))
            for _ in range(max(50, n_docs // 6))
        ]

    def key(self, name: str) -> str:
        """The document-level key of a name, as the resolver makes it (cached: names repeat)."""
        k = self._keys.get(name)
        if k is None:
            k = self._keys[name] = name_key(name)
        return k

    @staticmethod
    def _word(rng: random.Random) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))

    @staticmethod
    def pick(rng: random.Random, items: list[Any], skew: float) -> Any:
        """A heavy-tailed draw: low indexes far more often than high ones."""
        return items[int(len(items) * rng.random() ** skew)]


def _doc(i: int, rng: random.Random, world: _World, start: date) -> tuple[Document, Extraction]:
    published = start + timedelta(days=rng.randint(0, 15 * 365))
    ents: dict[str, Entity] = {}

    def add(name: str, etype: str, country: str | None, aliases: tuple[str, ...] = ()) -> None:
        key = world.key(name)
        if key and key not in ents:
            ents[key] = Entity(
                key=key,
                name=name,
                type=etype,
                country=country,
                aliases=aliases,
                mention_count=MENTIONS_PER_ENTITY,
            )

    for _ in range(2):
        n, c = _World.pick(rng, world.states, 4.0)
        add(n, "COUNTRY", c)
    while len(ents) < ENTITIES_PER_DOC - 3:
        n, t, c, acr = _World.pick(rng, world.orgs, 2.0)
        add(n, t, c, acr)
    while len(ents) < ENTITIES_PER_DOC:
        n, c = _World.pick(rng, world.people, 1.5)
        add(n, "PERSON", c)
    actors = [e for e in ents.values() if e.type in ("COUNTRY", "ORG", "PERSON", "BLOC")]
    sentences: list[str] = []
    events: list[Event] = []
    pos = 0
    doc_id = hashlib.sha256(f"bigstore-{i}".encode()).hexdigest()[:16]

    def sentence(s: str) -> tuple[int, int]:
        nonlocal pos
        sentences.append(s)
        span = (pos, pos + len(s))
        pos += len(s) + 1
        return span

    title = f"{actors[0].name} and {actors[1].name} expand cooperation"
    sentence(title + ".")
    for k in range(EVENTS_PER_DOC):
        etype = rng.choice(EVENT_TYPES)
        who = rng.sample(actors, rng.choice([2, 2, 3]))
        obj = rng.choice(PRODUCTS)
        trig = TRIGGERS[etype]
        s = f"{' and '.join(a.name for a in who)} {trig} on {obj} in {rng.choice(SECTORS)}."
        a, b = sentence(s)
        t0 = a + s.index(trig)
        when = published - timedelta(days=rng.randint(0, 60))
        prec = rng.choices(["day", "month", None], [6, 3, 1])[0]
        dt = None if prec is None else when.isoformat()[: 10 if prec == "day" else 7]
        roles = ["source", "target"] if etype in ("supply", "sanction") else ["party", "party"]
        parts = tuple(
            Participant(x.key, x.name, roles[min(j, 1)] if j < 2 else "party")
            for j, x in enumerate(who)
        )
        events.append(
            Event(
                id=f"{doc_id}-e{k}",
                type=etype,
                trigger=trig,
                trigger_start=t0,
                trigger_end=t0 + len(trig),
                sentence_start=a,
                sentence_end=b,
                evidence=s,
                participants=parts,
                sector=rng.choice(SECTORS),
                date=dt,
                date_precision=prec,
                date_source="text" if dt else None,
                status=rng.choice(["done", "done", "planned"]),
                confidence=round(rng.uniform(0.5, 1.0), 3),
                cluster_id=f"c{rng.randint(0, 10**9)}" if rng.random() < 0.2 else None,
            )
        )
    figures: list[Figure] = []
    for k in range(FIGURES_PER_DOC):
        v = rng.choice([1.2, 2, 3.5, 12, 27, 65.8, 100, 190, 240])
        who = rng.sample(actors, 2)
        money = f"${v} billion"
        s = f"Trade between {who[0].name} and {who[1].name} reached {money} in {published.year}."
        a, b = sentence(s)
        f0 = a + s.index(money)
        figures.append(
            Figure(
                id=f"{doc_id}-f{k}",
                measure=rng.choice(MEASURES),
                value=v * 1e9,
                unit="USD",
                start=f0,
                end=f0 + len(money),
                text=money,
                evidence=s,
                currency="USD",
                period=str(published.year),
                period_start=f"{published.year}-01-01",
                period_end=f"{published.year}-12-31",
                status=rng.choice(["actual", "target"]),
                actors=(who[0].name, who[1].name),
                sentence_start=a,
                sentence_end=b,
            )
        )
    mentions: list[Mention] = []
    for e in ents.values():
        for _ in range(MENTIONS_PER_ENTITY):
            s = f"{e.name} commented on the deal."
            a, _b = sentence(s)
            mentions.append(Mention(a, a + len(e.name), e.name, e.type, "gazetteer", e.key))
    words = sum(len(s.split()) for s in sentences)
    while words < DOC_WORDS:
        n = rng.randint(8, 20)
        j = rng.randrange(len(FILLER) - n)
        sentence(" ".join(FILLER[j : j + n]).rstrip(".") + ".")
        words += n
    text = "\n".join(sentences)
    doc = Document(
        id=doc_id,
        source_key=f"bigstore/{i:07d}",
        text=text,
        name=f"big_{i:07d}.txt",
        title=title,
        published=published.isoformat(),
        published_precision="day",
        source=rng.choice(["TASS", "Xinhua", "RIA", "CGTN"]),
    )
    ext = Extraction(
        doc_id=doc_id,
        pipeline_version=VERSION,
        mentions=tuple(mentions),
        entities=tuple(ents.values()),
        events=tuple(events),
        figures=tuple(figures),
    )
    return doc, ext


def _docs(n_docs: int, seed: int) -> Iterator[tuple[Document, Extraction]]:
    rng = random.Random(seed)
    world = _World(n_docs, rng)
    start = date(2010, 1, 1)
    for i in range(n_docs):
        yield _doc(i, rng, world, start)


def build(db_path: Path, n_events: int, seed: int = 7) -> dict[str, Any]:
    """Write a store of about ``n_events`` events; return its counts and the build time."""
    n_docs = max(1, n_events // EVENTS_PER_DOC)
    t0 = time.perf_counter()
    canon: dict[str, Entity] = {}
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"doc_count": 0, "first_seen": None, "last_seen": None}
    )
    mention_counts: dict[str, int] = defaultdict(int)
    with Store(str(db_path)) as store:
        batch: list[tuple[Document, Extraction, bytes | None]] = []
        for doc, ext in _docs(n_docs, seed):
            for e in ext.entities:
                canon.setdefault(e.key, e)
                st = stats[e.key]
                st["doc_count"] += 1
                day = doc.published
                st["first_seen"] = min(st["first_seen"] or day, day)
                st["last_seen"] = max(st["last_seen"] or day, day)
                mention_counts[e.key] += e.mention_count
            batch.append((doc, ext, None))
            if len(batch) >= BATCH_DOCS:
                write_new(store, batch)
                batch = []
        if batch:
            write_new(store, batch)
        t_write = time.perf_counter() - t0
        entities = [
            Entity(
                key=k,
                name=e.name,
                type=e.type,
                country=e.country,
                aliases=e.aliases,
                mention_count=mention_counts[k],
            )
            for k, e in sorted(canon.items())
        ]
        store.replace_links(entities, {k: k for k in canon}, dict(stats))
        counts = {
            t: store.count(t)
            for t in (
                "documents",
                "events",
                "event_participants",
                "figures",
                "doc_entities",
                "mentions",
                "entities",
            )
        }
    return {
        "n_docs": n_docs,
        "counts": counts,
        "write_s": round(t_write, 1),
        "build_s": round(time.perf_counter() - t0, 1),
        "db_mb": round(db_path.stat().st_size / 2**20, 1),
    }


def _query_functions() -> tuple[dict[str, str], dict[str, Callable[..., Any]]]:
    """The query layer's functions for each kind, with the module each comes from."""
    from tieline.query import entities as qent
    from tieline.query import events as qev
    from tieline.query import search as qs

    return (
        {
            "entity": "tieline.query.entities.entity_detail",
            "event": "tieline.query.events.list_events",
            "search": "tieline.query.search.search",
            "timeline": "tieline.query.events.timeline",
        },
        {
            "entity": qent.entity_detail,
            "event": qev.list_events,
            "search": qs.search,
            "timeline": qev.timeline,
            "SearchQuery": qs.SearchQuery,
        },
    )


# Event lists and timelines are read a page at a time, as the CLI and web page show them.
PAGE = 50


def query_bench(
    db_path: Path,
    n_events: int,
    latency: Callable[..., dict[str, float]],
    runs: int = 40,
    seed: int = 11,
) -> dict[str, Any]:
    """Build a store of ``n_events`` events; time entity, event, search and timeline queries
    (p50/p95, ms) and a full JSONL export. Keys end in the size measured (``_15k``, ``_1m``)."""
    built = build(db_path, n_events)
    return {"bigstore": built, **measure(db_path, latency, runs, seed)}


def size_label(n_events: int) -> str:
    """The suffix a figure's key carries: the number of events it was measured at."""
    if n_events >= 1_000_000 and n_events % 1_000_000 == 0:
        return f"{n_events // 1_000_000}m"
    if n_events >= 1000:
        return f"{round(n_events / 1000)}k"
    return str(n_events)


def drop_file_cache() -> bool:
    """Ask the kernel to drop its page cache (needs root and a writable /proc/sys); whether it
    did."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as fh:
            fh.write("3\n")
    except OSError:
        return False
    return True


def store_files(db_path: Path) -> list[Path]:
    """The store's database file and its write-ahead log and shared-memory index, if present."""
    return [p for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists()]


def evict_store(db_path: Path, drop_caches: bool = True) -> str:
    """Take the store's files out of the file cache; how: 'drop_caches' (the whole cache,
    where the kernel lets us), 'fadvise' (POSIX_FADV_DONTNEED on the store's own files, which
    needs no privilege), or 'none'. Both are tried: fadvise also covers a kernel that accepts
    the write to drop_caches but ignores it (a container). ``drop_caches`` False leaves the
    rest of the machine's cache alone (a shared machine)."""
    dropped = drop_caches and drop_file_cache()
    advised = False
    for path in store_files(db_path):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)  # dirty pages are not dropped; write them first
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            advised = True
        except (OSError, AttributeError):
            pass
        finally:
            os.close(fd)
    return "drop_caches" if dropped else "fadvise" if advised else "none"


def resident_mb(db_path: Path) -> float | None:
    """How much of the store's files sits in the file cache (util-linux ``fincore``), or None
    where that cannot be read."""
    import shutil
    import subprocess

    tool = shutil.which("fincore")
    if tool is None:
        return None
    try:
        out = subprocess.run(
            [
                tool,
                "--bytes",
                "--noheadings",
                "--raw",
                "--output",
                "RES",
                *map(str, store_files(db_path)),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        return round(sum(int(x) for x in out.split()) / 2**20, 1)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def _disk_read_bytes() -> int | None:
    """Bytes this process has had read from the storage device (Linux ``/proc/self/io``): what
    a query read from disk rather than from the file cache."""
    try:
        with open("/proc/self/io", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("read_bytes:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _query_kinds(
    store: Store, fn: dict[str, Callable[..., Any]], names: list[str], rng: random.Random
) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """The four query kinds of the benchmark, drawing their arguments from ``rng``."""
    years = list(range(2011, 2025))

    def pick_name() -> str:
        return rng.choice(names)

    # An entity's page: its first 20 mentions and its first PAGE events with their count,
    # as a page shows them (code from before entity pages had no event page: all events).
    paged = "max_events" in inspect.signature(fn["entity"]).parameters
    page_args = {"max_events": PAGE} if paged else {}

    def entity() -> Any:
        return fn["entity"](store, pick_name(), max_mentions=20, **page_args)

    def event() -> Any:
        y, m = rng.choice(years), rng.randint(1, 12)
        return fn["event"](
            store,
            type=rng.choice(EVENT_TYPES),
            since=f"{y}-{m:02d}",
            until=f"{y}-{m:02d}",
            limit=PAGE,
        )

    def search() -> Any:
        return fn["search"](store, fn["SearchQuery"](text=rng.choice(SEARCH_TERMS), limit=20))

    def timeline() -> Any:
        y = rng.choice(years)
        return fn["timeline"](store, actor=pick_name(), since=f"{y}", until=f"{y}", limit=PAGE)

    return (("entity", entity), ("event", event), ("search", search), ("timeline", timeline))


def _counting_reads(f: Callable[[], Any], sink: list[int]) -> Callable[[], Any]:
    """``f``, adding what each call read from disk (bytes) to ``sink``."""

    def run() -> Any:
        before = _disk_read_bytes()
        out = f()
        after = _disk_read_bytes()
        if before is not None and after is not None:
            sink.append(after - before)
        return out

    return run


def measure(
    db_path: Path,
    latency: Callable[..., dict[str, float]],
    runs: int = 40,
    seed: int = 11,
    export: bool = True,
    drop_caches: bool = True,
) -> dict[str, Any]:
    """Query latency (cold, then warm) and export time on a store built before (``build``)."""
    sources, fn = _query_functions()
    rng = random.Random(seed)
    out: dict[str, Any] = {"query_functions": sources}
    # What an entity query reads: its first 20 mentions and a page of its events (all of its
    # events with code from before entity pages had one).
    paged = "max_events" in inspect.signature(fn["entity"]).parameters
    out["query_entity_args"] = {"max_mentions": 20, "max_events": PAGE if paged else None}
    with Store(str(db_path), create=False) as store:
        out["n_events"] = store.count("events")
        size = size_label(out["n_events"])
        out["size"] = size
        with store.connect() as conn:
            from sqlalchemy import select

            from tieline.store import schema as s

            ents = conn.execute(select(s.entities.c.name, s.entities.c.doc_count)).all()
    names = [r.name for r in ents]
    # A user opens any entity: most are met in a few documents, a few in very many.
    busy = sorted(ents, key=lambda r: -r.doc_count)[:3]
    # Cold pass: the store's files are taken out of the file cache first (a user opens a
    # store cold; ``cache_eviction`` says how, ``cache_resident_mb`` what was left), and the
    # store is opened afresh, so that SQLite's own page cache is empty as well. Each query's
    # disk reads are counted (``query_cold_read_kb``: the pages it had to fetch).
    out["cache_eviction"] = evict_store(db_path, drop_caches)
    out["cache_dropped"] = out["cache_eviction"] != "none"
    out["cache_resident_mb"] = resident_mb(db_path)
    first: dict[str, dict[str, float]] = {}
    read_kb: dict[str, dict[str, float]] = {}
    with Store(str(db_path), create=False) as store:
        for kind, f in _query_kinds(store, fn, names, rng):
            rng.seed(f"{seed}-{kind}")
            reads: list[int] = []
            first[kind] = latency(_counting_reads(f, reads), runs, warmup=False)
            if reads:
                reads.sort()
                read_kb[kind] = {
                    "mean": round(sum(reads) / len(reads) / 1024, 1),
                    "p95": round(reads[min(len(reads) - 1, int(len(reads) * 0.95))] / 1024, 1),
                }
    out["query_first_pass_ms"] = first
    out["query_cold_read_kb"] = read_kb
    out[f"query_p95_ms_{size}_cold"] = max(v["p95_ms"] for v in first.values())
    # Then the store's file is read once, in order, as a server's working set would be
    # cached, and the same queries are timed again.
    out["warm_read_s"] = round(_read_through(db_path), 1)
    worst = 0.0
    with Store(str(db_path), create=False) as store:
        for kind, f in _query_kinds(store, fn, names, rng):
            rng.seed(f"{seed}-{kind}")
            lat = latency(f, runs)
            out[f"query_{kind}_p50_ms"] = lat["p50_ms"]
            out[f"query_{kind}_p95_ms"] = lat["p95_ms"]
            worst = max(worst, lat["p95_ms"])
        out[f"query_p95_ms_{size}_warm"] = worst
        # The busiest actors (China, Russia): a one-year timeline holds thousands of their
        # events, so they are reported apart from the typical query, a page and unpaged.
        heavy = {}
        for r in busy:
            t1 = time.perf_counter()
            fn["timeline"](store, actor=r.name, since="2020", until="2020", limit=PAGE)
            t2 = time.perf_counter()
            fn["timeline"](store, actor=r.name, since="2020", until="2020")
            heavy[r.name] = {
                "doc_count": r.doc_count,
                "timeline_one_year_page_ms": round((t2 - t1) * 1000, 1),
                "timeline_one_year_ms": round((time.perf_counter() - t2) * 1000, 1),
            }
        out["query_busiest_actors"] = heavy
        if not export:
            return out
        from tieline.query.export import write_jsonl

        t1 = time.perf_counter()
        sink = _CountingSink()
        n = write_jsonl(store, sink)
        out[f"export_s_{size}"] = round(time.perf_counter() - t1, 2)
        out["export_documents"] = n
        out["export_mb"] = round(sink.chars / 2**20, 1)
    return out


def _read_through(db_path: Path) -> float:
    """Read the store's files once, in order (into the operating system's file cache); the
    seconds it took."""
    t0 = time.perf_counter()
    for path in (db_path, Path(f"{db_path}-wal")):
        if path.exists():
            with path.open("rb") as fh:
                while fh.read(1 << 24):
                    pass
    return time.perf_counter() - t0


class _CountingSink(io.TextIOBase):
    """A text stream that counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n_events", type=int)
    ap.add_argument("db", type=Path)
    ap.add_argument("--build-only", action="store_true", help="build the store, measure nothing")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="measure a store built before at DB (n_events is then ignored)",
    )
    ap.add_argument("--runs", type=int, default=40, help="queries of each kind (default 40)")
    ap.add_argument("--skip-export", action="store_true", help="time the queries only")
    ap.add_argument(
        "--no-drop-caches",
        action="store_true",
        help="evict only the store's files before the cold pass (fadvise), not the whole cache",
    )
    a = ap.parse_args()
    if a.db.exists() and not a.reuse:
        sys.exit(f"{a.db} exists; give a new path, or --reuse to measure it")
    if a.reuse and not a.db.exists():
        sys.exit(f"{a.db} not found; build it first with --build-only")
    if a.build_only:
        print(json.dumps(build(a.db, a.n_events), indent=2))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import latency

    if a.reuse:
        result = measure(
            a.db, latency, a.runs, export=not a.skip_export, drop_caches=not a.no_drop_caches
        )
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(query_bench(a.db, a.n_events, latency, a.runs), indent=2))


if __name__ == "__main__":
    main()
