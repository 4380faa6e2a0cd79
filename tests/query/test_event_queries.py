# ruff: noqa: E501  (test sentences read better unbroken)
"""Events across documents: filters, citations, clustering of reports, independent sources,
and the timeline, over a hand-built store (real SQLite, no model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.query import events as qe
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import relink
from tieline.store import events as estore
from tieline.store.db import Store

ACTORS = {  # name -> (type, country)
    "Gazprom": ("ORG", "RU"),
    "CNPC": ("ORG", "CN"),
    "Rosatom": ("ORG", "RU"),
    "United States": ("COUNTRY", "US"),
    "Russia": ("COUNTRY", "RU"),
    "Egypt": ("COUNTRY", "EG"),
}

# (name, published, publisher, near-duplicate of, text, [(type, trigger, actors, roles, sector, date, status)])
DOCS: list[tuple[str, str, str | None, str | None, str, list[tuple[Any, ...]]]] = [
    (
        "a.txt",
        "2014-05-21",
        "Reuters",
        None,
        "Gazprom and CNPC signed a 30-year gas supply contract in Shanghai.",
        [
            (
                "agreement",
                "signed",
                ("Gazprom", "CNPC"),
                ("party", "party"),
                "energy.gas",
                "2014-05",
                "done",
            )
        ],
    ),
    (
        "b.txt",
        "2014-05-22",
        "TASS",
        None,
        "Gazprom signed a gas contract with CNPC on Wednesday, the company said.",
        [
            (
                "agreement",
                "signed",
                ("Gazprom", "CNPC"),
                ("party", "party"),
                "energy.gas",
                "2014-05-21",
                "done",
            )
        ],
    ),
    (
        "c.txt",
        "2014-05-23",
        "Daily Echo",
        "bbbbbbbb",
        "Gazprom signed a gas contract with CNPC on Wednesday, the company said on its site.",
        [
            (
                "agreement",
                "signed",
                ("Gazprom", "CNPC"),
                ("party", "party"),
                "energy.gas",
                "2014-05-21",
                "done",
            )
        ],
    ),
    (
        "d.txt",
        "2022-02-25",
        "Reuters",
        None,
        "The United States imposed sanctions on Russia on Thursday.",
        [
            (
                "sanction",
                "imposed",
                ("United States", "Russia"),
                ("source", "target"),
                None,
                "2022-02-24",
                "done",
            )
        ],
    ),
    (
        "e.txt",
        "2019-03-01",
        None,
        None,
        "Rosatom will build a nuclear power plant in Egypt.",
        [
            (
                "construction",
                "build",
                ("Rosatom", "Egypt"),
                ("party", "party"),
                "energy.nuclear",
                None,
                "planned",
            )
        ],
    ),
    (
        "f.txt",
        "2019-09-02",
        "TASS",
        None,
        "Gazprom and CNPC signed another gas contract in 2019.",
        [
            (
                "agreement",
                "signed",
                ("Gazprom", "CNPC"),
                ("party", "party"),
                "energy.gas",
                "2019",
                "done",
            )
        ],
    ),
]


def _key(name: str) -> str:
    return name.casefold()


def _build(store: Store) -> None:
    items = []
    for name, published, publisher, near, text, evs in DOCS:
        doc = Document(
            id=name[0] * 8,
            source_key=name,
            text=text,
            name=name,
            published=published,
            source=publisher,
            near_duplicate_of=near,
        )
        events = []
        for etype, trigger, actors, roles, sector, date, status in evs:
            start = text.index(trigger)
            events.append(
                Event(
                    id=f"{doc.id}:{start}",
                    type=etype,
                    trigger=trigger,
                    trigger_start=start,
                    trigger_end=start + len(trigger),
                    sentence_start=0,
                    sentence_end=len(text),
                    evidence=text.rstrip("."),
                    participants=tuple(
                        Participant(_key(a), a, r) for a, r in zip(actors, roles, strict=True)
                    ),
                    sector=sector,
                    date=date,
                    date_precision=None
                    if date is None
                    else {4: "year", 7: "month", 10: "day"}[len(date)],
                    date_source="explicit" if date else None,
                    status=status,
                    confidence=0.9,
                )
            )
        ents = tuple(
            Entity(key=_key(a), name=a, type=t, country=c, mention_count=1)
            for a, (t, c) in ACTORS.items()
            if a in text
        )
        items.append((doc, Extraction(doc.id, "test", entities=ents, events=tuple(events)), None))
    store.write(items)
    relink(store, Settings(db=":memory:", progress=False))
    estore.cluster_events(store)


@pytest.fixture(scope="module")
def kb() -> Iterator[Store]:
    """One store for the module: the tests only read it (clustering again changes nothing)."""
    with Store(":memory:") as store:
        _build(store)
        yield store


def test_every_event_cites_its_document_and_quote(kb: Store) -> None:
    evs = qe.list_events(kb)
    assert len(evs) == 6
    texts = {d[0]: d[4] for d in DOCS}
    for e in evs:
        assert e.citation == f'{e.doc_name}: "{e.evidence}"'
        assert e.evidence in texts[e.doc_name]
        assert e.to_dict()["plover"]
        assert e.to_dict()["cameo"]


def test_events_come_oldest_first(kb: Store) -> None:
    whens = [e.when for e in qe.list_events(kb)]
    assert whens == sorted(whens)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("kwargs", "docs"),
    [
        ({"type": "sanction"}, ["d.txt"]),
        ({"sector": "energy"}, ["a.txt", "b.txt", "c.txt", "e.txt", "f.txt"]),
        ({"sector": "energy.nuclear"}, ["e.txt"]),
        ({"actor": "Rosatom"}, ["e.txt"]),
        ({"actor": "cnpc", "since": "2015"}, ["f.txt"]),
        ({"since": "2014-05-21", "until": "2014-05-31"}, ["a.txt", "b.txt", "c.txt"]),
        ({"until": "2014"}, ["a.txt", "b.txt", "c.txt"]),
        ({"pair": "RU-US"}, ["d.txt"]),
        ({"pair": "CN-RU", "type": "agreement"}, ["a.txt", "b.txt", "c.txt", "f.txt"]),
        ({"status": "planned"}, ["e.txt"]),
        ({"actor": "Nobody Ltd"}, []),
    ],
)
def test_filters(kb: Store, kwargs: dict[str, Any], docs: list[str]) -> None:
    assert sorted(e.doc_name for e in qe.list_events(kb, **kwargs)) == docs


def test_undated_events_are_dated_by_their_article(kb: Store) -> None:
    evs = qe.list_events(kb, since="2019-03-01", until="2019-03-01")
    # e.txt by its publication day; f.txt's "2019" overlaps the day at its own precision.
    assert [(e.doc_name, e.date, e.when) for e in evs] == [
        ("f.txt", "2019", "2019"),
        ("e.txt", None, "2019-03-01"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"type": "meeting"}, "event type 'meeting'"),
        ({"pair": "CN"}, "pair"),
        ({"status": "maybe"}, "status 'maybe'"),
        ({"since": "last week"}, "since"),
    ],
)
def test_bad_filters_say_what_is_wrong(kb: Store, kwargs: dict[str, Any], what: str) -> None:
    with pytest.raises(ConfigError, match=what):
        qe.list_events(kb, **kwargs)


def test_reports_of_one_event_share_a_cluster(kb: Store) -> None:
    by_doc = {e.doc_name: e for e in qe.list_events(kb)}
    assert by_doc["a.txt"].cluster_id == by_doc["b.txt"].cluster_id == by_doc["c.txt"].cluster_id
    assert by_doc["f.txt"].cluster_id != by_doc["a.txt"].cluster_id  # another year, another deal
    assert len({e.cluster_id for e in by_doc.values()}) == 4


def test_independent_sources_count_publishers_not_copies(kb: Store) -> None:
    by_doc = {e.doc_name: e for e in qe.list_events(kb)}
    # Reuters and TASS report it; c.txt copies TASS's article and adds no source.
    assert by_doc["a.txt"].sources == 2
    assert by_doc["d.txt"].sources == 1


def test_clustering_is_deterministic_and_safe_to_rerun(kb: Store) -> None:
    before = {e.id: e.cluster_id for e in qe.list_events(kb)}
    assert estore.cluster_events(kb) == 4
    assert {e.id: e.cluster_id for e in qe.list_events(kb)} == before


def test_timeline_shows_each_real_event_once_with_all_reports(kb: Store) -> None:
    entries = qe.timeline(kb, pair="CN-RU")
    assert [(x.when, x.dated_by, len(x.reports)) for x in entries] == [
        ("2014-05-21", "event", 3),
        ("2019", "event", 1),
    ]
    assert entries[0].sources == 2
    assert {r.doc_name for r in entries[0].reports} == {"a.txt", "b.txt", "c.txt"}


def test_timeline_dates_undated_events_by_publication(kb: Store) -> None:
    (x,) = qe.timeline(kb, actor="Egypt")
    assert (x.when, x.dated_by, x.event.status) == ("2019-03-01", "published", "planned")
    assert [r["citation"] for r in x.to_dict()["reports"]] == [x.event.citation]


@pytest.mark.slow
def test_the_same_reads_and_clusters_on_postgresql(pg_db: str, kb: Store) -> None:
    with Store(pg_db) as pg:
        _build(pg)
        for kwargs in (
            {},
            {"sector": "energy"},
            {"since": "2014-05-21", "until": "2014-05-31"},
            {"actor": "CNPC", "pair": "CN-RU"},
            {"status": "planned"},
        ):
            want = [(e.id, e.cluster_id, e.sources) for e in qe.list_events(kb, **kwargs)]
            assert [(e.id, e.cluster_id, e.sources) for e in qe.list_events(pg, **kwargs)] == want
        assert estore.cluster_events(pg) == 4
