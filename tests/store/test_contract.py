"""The store contract: SQLite and a real PostgreSQL behave the same for every write and read."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tieline.errors import StoreError
from tieline.records import Document, Entity, Event, Extraction, Figure, Mention, Participant
from tieline.store import reads
from tieline.store import schema as s
from tieline.store.db import Store, display_url
from tieline.store.migrations import MIGRATIONS

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


def _url(kind: str, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        tmp = request.getfixturevalue("tmp_path")
        return str(tmp / "contract.db")
    return str(request.getfixturevalue("pg_db"))


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty store URL on each backend."""
    return _url(request.param, request)


@pytest.fixture
def kb(url: str) -> Iterator[Store]:
    with Store(url) as st:
        yield st


def _item(
    n: int, text_: str, *, source: str | None = None, version: str = "p1", name: str | None = None
) -> tuple[Document, Extraction, bytes | None]:
    """A hand-built document with one mention, entity, event and figure."""
    did = f"d{n:015d}"
    doc = Document(
        id=did,
        source_key=source or f"/corpus/{n}.txt",
        text=text_,
        name=name or f"{n:03d}.txt",
        path=f"/corpus/{n}.txt",
        title=f"Title {n}",
        published="2019-12-02",
        published_precision="day",
        source="Wire",
    )
    end = text_.index(" ")
    ext = Extraction(
        doc_id=did,
        pipeline_version=version,
        mentions=(Mention(0, end, text_[:end], "ORG", "ner.test.v1", f"org:{n}"),),
        entities=(
            Entity(f"org:{n}", text_[:end], "ORG", "RU", aliases=(f"A{n}",), mention_count=1),
        ),
        events=(
            Event(
                id=f"{did}-e1",
                type="supply",
                trigger="supplies",
                trigger_start=end + 1,
                trigger_end=end + 9,
                sentence_start=0,
                sentence_end=len(text_),
                evidence=text_,
                participants=(Participant(f"org:{n}", text_[:end], "source"),),
                date="2019-12",
                date_precision="month",
                status="done",
                confidence=0.75,
            ),
        ),
        figures=(
            Figure(
                id=f"{did}-f1",
                measure="trade",
                value=38.0e9,
                unit="USD",
                start=0,
                end=end,
                text=text_[:end],
                evidence=text_,
                currency="USD",
                period="2019",
                period_start="2019-01-01",
                period_end="2019-12-31",
                actors=("Russia", "China"),
            ),
        ),
    )
    return doc, ext, bytes(range(16)) * 4


TEXTS = [
    "Gazprom supplies gas to China through the Power of Siberia pipeline.",
    "Rosatom supplies fuel for the Tianwan nuclear power plant in Jiangsu.",
    "Novatek supplies liquefied gas from Yamal to ports in southern China.",
]


def _facts(st: Store) -> dict[str, Any]:
    """Everything the read functions return, minus write timestamps and row ids."""
    docs = [{k: v for k, v in d.items() if k != "ingested_at"} for d in reads.documents(st)]
    mentions = [{k: v for k, v in m.items() if k != "id"} for m in reads.mentions(st)]
    return {
        "documents": docs,
        "mentions": mentions,
        "events": reads.events(st),
        "figures": reads.figures(st),
        "doc_entities": reads.doc_entities(st),
        "counts": reads.counts(st),
    }


def test_store_migrations_all_applied_once(url: str) -> None:
    with Store(url) as st, st.connect() as conn:
        versions = [
            r[0]
            for r in conn.execute(text("SELECT version FROM schema_migrations ORDER BY version"))
        ]
    assert versions == [v for v, _, _ in MIGRATIONS]
    with Store(url) as st, st.connect() as conn:
        again = conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar_one()
    assert again == len(MIGRATIONS)


def test_store_write_reads_back_every_field(kb: Store) -> None:
    doc, ext, sig = _item(1, TEXTS[0])
    assert kb.write([(doc, ext, sig)]).added == 1
    got = _facts(kb)
    assert got["documents"][0]["text"] == TEXTS[0]
    assert got["documents"][0]["published"] == "2019-12-02"
    assert got["mentions"][0]["text"] == "Gazprom"
    ev = got["events"][0]
    assert (ev["id"], ev["type"], ev["confidence"], ev["date"]) == (
        f"{doc.id}-e1",
        "supply",
        0.75,
        "2019-12",
    )
    assert [(p["entity_key"], p["role"]) for p in ev["participants"]] == [("org:1", "source")]
    fig = got["figures"][0]
    assert (fig["value"], fig["unit"], fig["actors"]) == (38.0e9, "USD", ["Russia", "China"])
    assert got["doc_entities"][0]["aliases"] == ["A1"]
    assert dict(kb.signatures()) == {doc.id: sig}


def test_store_rewrite_same_pipeline_is_unchanged(kb: Store) -> None:
    items = [_item(i, t) for i, t in enumerate(TEXTS)]
    kb.write(items)
    before = _facts(kb)
    res = kb.write(items)
    assert (res.added, res.unchanged) == (0, 3)
    assert _facts(kb) == before


def test_store_new_pipeline_replaces_facts_without_duplicates(kb: Store) -> None:
    kb.write([_item(0, TEXTS[0], version="p1")])
    res = kb.write([_item(0, TEXTS[0], version="p2")])
    assert (res.added, res.updated) == (0, 1)
    for table in (
        "documents",
        "mentions",
        "events",
        "event_participants",
        "figures",
        "doc_entities",
    ):
        assert kb.count(table) == 1, table


def test_store_same_text_under_another_source_is_a_duplicate(kb: Store) -> None:
    kb.write([_item(0, TEXTS[0])])
    res = kb.write([_item(0, TEXTS[0], source="/mirror/0.txt")])
    assert (res.added, res.duplicates) == (0, 1)
    assert kb.count("documents") == 1


def test_store_one_batch_mixing_change_duplicate_and_new(kb: Store) -> None:
    kb.write([_item(0, TEXTS[0]), _item(1, TEXTS[1])])
    changed = _item(3, TEXTS[2], source="/corpus/0.txt")  # file 0 now holds another text
    mirror = _item(1, TEXTS[1], source="/mirror/1.txt")
    new = _item(4, TEXTS[0] + " Updated.")
    res = kb.write([changed, mirror, new, new])
    assert (res.added, res.updated, res.duplicates, res.unchanged) == (1, 1, 1, 1)
    docs = {d["source_key"]: d["id"] for d in reads.documents(kb, with_text=False)}
    assert docs == {
        "/corpus/0.txt": changed[0].id,
        "/corpus/1.txt": mirror[0].id,
        "/corpus/4.txt": new[0].id,
    }
    assert kb.count("events") == kb.count("figures") == kb.count("mentions") == 3


def test_store_failed_batch_leaves_nothing_half_written(kb: Store) -> None:
    good = _item(0, TEXTS[0])
    doc, ext, sig = _item(1, TEXTS[1])
    # Two events with one id: the second insert breaks the primary key mid-batch.
    broken = Extraction(
        doc.id,
        ext.pipeline_version,
        ext.mentions,
        ext.entities,
        ext.events + ext.events,
        ext.figures,
    )
    with pytest.raises(IntegrityError):
        kb.write([good, (doc, broken, sig)])
    for table in ("documents", "mentions", "events", "figures", "doc_entities"):
        assert kb.count(table) == 0, table
    assert not kb.links_stale()


def test_store_links_stale_until_relinked(kb: Store) -> None:
    assert not kb.links_stale()
    kb.write([_item(0, TEXTS[0])])
    assert kb.links_stale()
    kb.replace_links(
        [Entity("org:0", "Gazprom", "ORG", "RU", aliases=("PAO Gazprom",))],
        {"org:0": "org:0"},
        {"org:0": {"doc_count": 1}},
    )
    assert not kb.links_stale()
    assert reads.entities(kb)[0]["aliases"] == ["PAO Gazprom"]
    kb.write([_item(0, TEXTS[0])])  # unchanged: nothing to relink
    assert not kb.links_stale()


def test_store_judgements_round_trip(kb: Store) -> None:
    kb.add_judgement("merge", "org:rostec", "org:russian technologies")
    kb.add_judgement("split", "org:casc", alias="CASIC")
    got = [(j["kind"], j["a"], j["b"], j["alias"]) for j in kb.judgements()]
    assert got == [
        ("merge", "org:rostec", "org:russian technologies", None),
        ("split", "org:casc", None, "CASIC"),
    ]


def test_store_open_missing_store_without_create_says_what_to_do(url: str) -> None:
    with pytest.raises(StoreError, match="tieline ingest"):
        Store(url, create=False)


def _language_collated_db(pg_url: str) -> str:
    """A database whose default collation is English (ICU), as on many real servers."""
    import uuid

    import psycopg

    name = "icu_" + uuid.uuid4().hex[:12]
    server = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        )
    return f"{server}/{name}"


@pytest.mark.slow
def test_store_same_reads_on_sqlite_and_postgresql(tmp_path: Any, pg_url: str) -> None:
    # Names that an English collation sorts otherwise than code points (SQLite's order) do.
    names = ["beta.txt", "Alpha.txt", "_gamma.txt", "Ärger.txt", "alpha.txt"]
    items = [_item(i, TEXTS[i % 3] + f" Report {i}.", name=n) for i, n in enumerate(names)]
    got = {}
    for url in (str(tmp_path / "a.db"), _language_collated_db(pg_url)):
        with Store(url) as st:
            st.write(items[:2])
            st.write(items[2:])
            got[url] = _facts(st)
    a, b = got.values()
    assert a == b
    assert [d["name"] for d in a["documents"]] == sorted(names)


@pytest.mark.slow
def test_store_postgresql_concurrent_first_open_migrates_once(pg_db: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(pg_db).close()
        except BaseException as e:  # collected and re-raised in the test thread
            errors.append(e)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(pg_db) as st, st.connect() as conn:
        rows = conn.execute(select(s.schema_migrations.c.version)).all()
    assert sorted(r[0] for r in rows) == [v for v, _, _ in MIGRATIONS]


@pytest.mark.slow
def test_store_postgresql_bad_server_is_one_clear_line(pg_url: str) -> None:
    bad = pg_url.replace("postgres@", "postgres:s3cret@").rsplit(":", 1)[0] + ":1/tieline"
    with pytest.raises(StoreError) as info:
        Store(bad)
    msg = str(info.value)
    assert msg.startswith("cannot open store postgresql")
    assert "s3cret" not in msg
    assert "\n" not in msg
    assert "s3cret" not in display_url(bad)


@pytest.mark.slow
def test_store_nulls_sort_as_on_sqlite(tmp_path: Any, pg_db: str) -> None:
    items = []
    for i, date in enumerate(["2019-12", None, "2014-05", None]):
        doc, ext, sig = _item(i, TEXTS[i % 3] + f" Item {i}.")
        items.append((doc, replace(ext, events=(replace(ext.events[0], date=date),)), sig))
    e = s.events.c
    queries = [
        select(e.id).order_by(e.date, e.id),
        select(e.id).order_by(e.date.desc(), e.id),
        select(e.id).order_by(func.coalesce(e.date, e.sector), e.id),
    ]
    got = []
    for url in (str(tmp_path / "n.db"), pg_db):
        with Store(url) as st, st.connect() as conn:
            st.write(items)
            got.append([[r[0] for r in conn.execute(q)] for q in queries])
    assert got[0] == got[1]
    assert got[0][0][:2] == [items[1][1].events[0].id, items[3][1].events[0].id]
