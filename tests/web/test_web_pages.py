"""Paged lists of the REST API: every page is the slice of the whole list that the query layer
returns unpaged, and every total is that list's length (real SQLite and PostgreSQL stores)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webdata import documents as hand_built

from tieline.config import Settings
from tieline.ingest.dedupe import doc_id
from tieline.query import entities as qentities
from tieline.query import events as qevents
from tieline.query import scope
from tieline.records import Document, Entity, Event, Extraction, Mention, Participant
from tieline.scale.runner import relink
from tieline.store import curation
from tieline.store import events as estore
from tieline.store.db import Store
from tieline.store.events import cluster_events
from tieline.web.app import create_app

# Actors of the generated articles: key -> (name, type, country, aliases).
ACTORS = {
    "rosatom": ("Rosatom", "ORG", "RU", ("Росатом",)),
    "gazprom": ("Gazprom", "ORG", "RU", ()),
    "cnpc": ("CNPC", "ORG", "CN", ()),
    "ongc": ("ONGC Videsh", "ORG", "IN", ()),
    "kazatomprom": ("Kazatomprom", "ORG", "KZ", ()),
    "botas": ("BOTAS", "ORG", "TR", ()),
    "china": ("China", "COUNTRY", "CN", ()),
    "russia": ("Russia", "COUNTRY", "RU", ()),
    "india": ("India", "COUNTRY", "IN", ()),
}
# (type, sector, trigger, sentence pattern); {a} and {b} are the two actors.
KINDS = [
    ("agreement", "energy.gas", "signed", "{a} and {b} signed a long-term gas supply contract"),
    ("supply", "energy.oil", "shipped", "{a} shipped crude oil cargoes to {b} under a loan deal"),
    (
        "construction",
        "energy.nuclear",
        "building",
        "{a} is building two reactor units for {b} at a coastal site",
    ),
    ("talks", "energy", "held talks", "{a} held talks with {b} on pipeline tariffs"),
]
PAIRS = [
    ("rosatom", "cnpc"),
    ("gazprom", "china"),
    ("ongc", "russia"),
    ("kazatomprom", "rosatom"),
    ("botas", "gazprom"),
    ("cnpc", "india"),
    ("russia", "china"),
]


def _article(n: int) -> tuple[Document, Extraction]:
    """A generated article of two or three events between rotating actors, some undated."""
    sentences, events, mentions, keys = [], [], [], set()
    text = ""
    for j in range(2 + n % 2):
        type_, sector, trigger, pattern = KINDS[(n + j) % len(KINDS)]
        a, b = PAIRS[(n * 2 + j) % len(PAIRS)]
        # Alternate spellings, so that the name filter has aliases to find.
        a_name = ACTORS[a][3][0] if ACTORS[a][3] and n % 3 == 0 else ACTORS[a][0]
        sentence = pattern.format(a=a_name, b=ACTORS[b][0]) + f" in {2015 + n % 9}."
        start = len(text) + (1 if text else 0)
        text = (text + " " + sentence) if text else sentence
        sentences.append(sentence)
        ts = text.index(trigger, start)
        date = f"{2015 + n % 9}-{1 + (n + j) % 12:02d}" if (n + j) % 4 else None
        events.append(
            Event(
                id=f"gen-{n}-{j}",
                type=type_,
                trigger=trigger,
                trigger_start=ts,
                trigger_end=ts + len(trigger),
                sentence_start=start,
                sentence_end=len(text),
                evidence=sentence,
                sector=sector,
                date=date,
                date_precision="month" if date else None,
                participants=(
                    Participant(a, a_name, "party"),
                    Participant(b, ACTORS[b][0], "party"),
                ),
                status="planned" if j == 2 else "done",
                confidence=0.6 + 0.1 * j,
            )
        )
        for key, name in ((a, a_name), (b, ACTORS[b][0])):
            at = text.index(name, start)
            mentions.append(Mention(at, at + len(name), name, ACTORS[key][1], "test", key))
            keys.add(key)
    doc = Document(
        id=doc_id(text),
        source_key=f"gen:{n}",
        text=text,
        name=f"gen-{n:02d}.txt",
        title=f"Energy cooperation report {n}",
        published=f"{2015 + n % 9}-{1 + n % 12:02d}-15",
        published_precision="day",
        source=f"Wire {n % 4}",
        url=f"https://example.org/gen/{n}",
    )
    ents = tuple(
        Entity(k, ACTORS[k][0], ACTORS[k][1], ACTORS[k][2], aliases=ACTORS[k][3], mention_count=1)
        for k in sorted(keys)
    )
    return doc, Extraction(
        doc.id, "web-pages-test.v1", mentions=tuple(mentions), entities=ents, events=tuple(events)
    )


def build(db: str) -> str:
    """The hand-built web store plus 12 generated articles, linked and clustered."""
    with Store(db) as store:
        store.write([(d, e, None) for d, e in [*hand_built(), *map(_article, range(12))]])
        relink(store, Settings(db=db, progress=False))
        cluster_events(store)
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build(str(tmp_path_factory.mktemp("pages") / "pages.db"))


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def _check_pages(client: TestClient, path: str, params: dict[str, Any], whole: list[str]) -> None:
    """Every page of ``path`` is the slice of ``whole`` and carries its length as total."""
    for limit in (1, 3, 7):
        for offset in range(0, len(whole) + 2, 2 if limit > 1 else 1):
            r = client.get(path, params={**params, "limit": limit, "offset": offset})
            assert r.status_code == 200, r.text
            page = r.json()
            assert (page["total"], page["limit"], page["offset"]) == (len(whole), limit, offset)
            assert _ids(page["items"]) == whole[offset : offset + limit], (params, limit, offset)


EVENT_FILTERS: list[dict[str, str]] = [
    {},
    {"type": "agreement"},
    {"sector": "energy"},
    {"since": "2017", "until": "2020-06"},
    {"pair": "CN-RU"},
    {"pair": "IN-RU", "sector": "energy"},
    {"actor": "Rosatom"},
    {"actor": "Росатом"},
    {"actor": "gazprom", "pair": "CN-RU"},
    {"actor": "nobody at all"},
]


@pytest.mark.parametrize("params", EVENT_FILTERS)
def test_event_pages_are_slices_of_the_query_layers_list(
    client: TestClient, db: str, params: dict[str, str]
) -> None:
    with Store(db) as store:
        whole = [e.id for e in qevents.list_events(store, **params)]
    assert len(whole) <= 40
    if not params:
        assert len(whole) > 25  # enough events for pages to cut in many places
    _check_pages(client, "/api/events", params, whole)


@pytest.mark.parametrize("pair", ["CN-RU", "IN-RU", "KZ-RU", "RU-TR", "CN-TR"])
def test_the_pair_read_in_the_store_is_the_pair_of_canonical_countries(db: str, pair: str) -> None:
    """The store's pair condition keeps the events whose actors (not objects) stand for both
    states, as ``scope.touches_pair`` says over every event's canonical participants."""
    codes = scope.parse_pair(pair)
    with Store(db) as store:
        want = [
            e.id
            for e in qevents.list_events(store)
            if scope.touches_pair(
                {p.country.upper() for p in e.participants if p.country and p.role != "object"},
                codes,
            )
        ]
        assert [e.id for e in qevents.list_events(store, pair=pair)] == want
        assert estore.count_events(store, estore.EventFilter(countries=codes or ())) == len(want)
    if pair in ("CN-RU", "KZ-RU", "RU-TR"):
        assert want


@pytest.mark.parametrize("params", EVENT_FILTERS[:6])
def test_timeline_pages_hold_the_events_of_their_reports(
    client: TestClient, db: str, params: dict[str, str]
) -> None:
    with Store(db) as store:
        reports = [e.id for e in qevents.list_events(store, **params)]
        unpaged = qevents.timeline(store, **params)
    seen: list[str] = []
    for offset in range(0, len(reports) + 5, 5):
        t = client.get("/api/timeline", params={**params, "limit": 5, "offset": offset}).json()
        assert (t["total"], t["limit"], t["offset"]) == (len(reports), 5, offset)
        # The reports of a page are those of the same page of /api/events.
        events = client.get("/api/events", params={**params, "limit": 5, "offset": offset})
        page_reports = [r["doc_id"] + r["quote"] for e in t["events"] for r in e["reports"]]
        assert sorted(page_reports) == sorted(
            e["doc_id"] + e["evidence"] for e in events.json()["items"]
        )
        seen += _ids(events.json()["items"])
        whens = [e["when"] for e in t["events"]]
        assert [w for w in whens if w] == sorted(w for w in whens if w)
    assert seen == reports
    # All pages together show every real-world event of the unpaged timeline.
    assert len(unpaged) <= len(reports)


def test_timeline_pages_by_default_and_offers_every_filter_value(
    client: TestClient, db: str
) -> None:
    t = client.get("/api/timeline").json()
    with Store(db) as store:
        assert t["total"] == len(qevents.list_events(store))
        assert sorted(t["pairs"]) == sorted(qevents.pairs(store))
        assert t["sectors"] == qevents.sectors(store)
        assert t["types"] == qevents.event_types(store)
    assert (t["limit"], t["offset"]) == (200, 0)
    assert sum(len(e["reports"]) for e in t["events"]) == t["total"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": "ORG"},
        {"country": "RU"},
        {"country": "in"},
        {"q": "pro"},
        {"q": "CNPC"},
        {"q": "росатом"},
        {"q": "РОСАТОМ", "type": "ORG"},
        {"q": "100%_"},
        {"q": "ru", "country": "RU"},
    ],
)
def test_entity_pages_are_slices_of_the_whole_list(
    client: TestClient, db: str, params: dict[str, str]
) -> None:
    with Store(db) as store:
        rows = qentities.list_entities(
            store, type=params.get("type"), country=params.get("country")
        )
    needle = params.get("q", "").casefold()
    whole = [
        e["id"]
        for e in rows
        if needle in e["name"].casefold() or any(needle in a.casefold() for a in e["aliases"])
    ]
    if params.get("q") == "росатом":
        assert whole  # the alias in another script is found, case-blind
    _check_pages(client, "/api/entities", params, whole)


@pytest.mark.parametrize("params", [{}, {"q": "gen-1"}, {"q": "REPORT 1"}, {"q": "nothing_"}])
def test_document_pages_are_slices_of_the_whole_list(
    client: TestClient, db: str, params: dict[str, str]
) -> None:
    needle = params.get("q", "").lower()
    with Store(db) as store:
        from tieline.store import reads

        whole = [
            d["id"]
            for d in reads.documents(store, with_text=False)
            if needle in d["name"].lower() or needle in (d["title"] or "").lower()
        ]
    _check_pages(client, "/api/documents", params, whole)


def test_filter_values_follow_new_data(tmp_path: Path) -> None:
    """The menus and totals kept between requests change as soon as another process writes."""
    db = build(str(tmp_path / "own.db"))
    with TestClient(create_app(db)) as c:
        before = c.get("/api/summary").json()
        assert "KZ-TR" not in before["pairs"]
        assert c.get("/api/timeline").json()["pairs"] == before["pairs"]
        n_events = c.get("/api/events").json()["total"]
        text = "BOTAS and Kazatomprom signed a uranium conversion agreement in Ankara."
        doc = Document(
            id=doc_id(text),
            source_key="gen:extra",
            text=text,
            name="extra.txt",
            published="2024-02-02",
        )
        ts = text.index("signed")
        ext = Extraction(
            doc.id,
            "web-pages-test.v1",
            entities=(
                Entity("botas", "BOTAS", "ORG", "TR"),
                Entity("kazatomprom", "Kazatomprom", "ORG", "KZ"),
            ),
            events=(
                Event(
                    id="extra-0",
                    type="agreement",
                    trigger="signed",
                    trigger_start=ts,
                    trigger_end=ts + 6,
                    sentence_start=0,
                    sentence_end=len(text),
                    evidence=text,
                    sector="mining",
                    participants=(
                        Participant("botas", "BOTAS", "party"),
                        Participant("kazatomprom", "Kazatomprom", "party"),
                    ),
                ),
            ),
        )
        with Store(db) as other:
            other.write([(doc, ext, None)])
            after_write = c.get("/api/summary").json()
            assert after_write["documents"] == before["documents"] + 1
            assert "mining" in c.get("/api/timeline").json()["sectors"]
            assert c.get("/api/events").json()["total"] == n_events + 1
            relink(other, Settings(db=db, progress=False))
        after = c.get("/api/summary").json()
        assert "KZ-TR" in after["pairs"]
        assert c.get("/api/timeline").json()["pairs"] == after["pairs"]


@pytest.mark.slow
def test_the_same_pages_on_postgresql(pg_db: str, db: str) -> None:
    build(pg_db)
    with TestClient(create_app(pg_db)) as pg, TestClient(create_app(db)) as lite:
        for path, params in [
            ("/api/events", {}),
            ("/api/events", {"pair": "CN-RU"}),
            ("/api/events", {"since": "2017", "actor": "Rosatom"}),
            ("/api/timeline", {"sector": "energy"}),
            ("/api/entities", {"q": "ru"}),
            ("/api/entities", {"q": "Росатом"}),
            ("/api/documents", {"q": "Report 1"}),
        ]:
            for offset in (0, 3):
                args = {**params, "limit": 4, "offset": offset}
                want, got = lite.get(path, params=args).json(), pg.get(path, params=args).json()
                assert got == want, (path, args)
        assert pg.get("/api/summary").json() == lite.get("/api/summary").json()
    with Store(pg_db) as store:
        assert curation.count_entities(store, text="RU") == len(
            curation.list_entities(store, text="RU")
        )


@pytest.mark.slow
def test_pages_over_the_bundled_examples(examples_db: Path) -> None:
    """The same slices over what the real pipeline extracts from the example articles."""
    with TestClient(create_app(str(examples_db))) as c, Store(str(examples_db)) as store:
        for params in ({}, {"pair": "CN-RU"}, {"sector": "energy"}):
            whole = [e.id for e in qevents.list_events(store, **params)]
            assert whole or params
            _check_pages(c, "/api/events", params, whole)
        ents = [e["id"] for e in qentities.list_entities(store)]
        _check_pages(c, "/api/entities", {}, ents)
