"""The narrow reads the web page and the API use, the same on SQLite and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tieline.query import entities as qentities
from tieline.query import events as qevents
from tieline.query import scope
from tieline.records import Document, Entity, Event, Extraction, Figure, Mention, Participant
from tieline.store import reads
from tieline.store.db import Store

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]

TEXT_A = "Gazprom signed a supply deal with CNPC in Beijing on Tuesday."
TEXT_B = "Rosatom agreed with CNNC to build two reactors at the 100% owned Tianwan site."


def _doc(n: int, text: str, title: str) -> Document:
    return Document(
        id=f"d{n:015d}",
        source_key=f"/c/{n}.txt",
        text=text,
        name=f"{n:03d}.txt",
        path=f"/c/{n}.txt",
        title=title,
        published=f"2019-0{n}-02",
        published_precision="day",
        source="Wire",
    )


def _event(
    did: str, n: int, text: str, etype: str, sector: str, who: tuple[tuple[str, str], ...]
) -> Event:
    return Event(
        id=f"{did}-e{n}",
        type=etype,
        trigger="signed",
        trigger_start=8 + n,
        trigger_end=14 + n,
        sentence_start=n,
        sentence_end=len(text),
        evidence=text,
        participants=tuple(Participant(k, k.upper(), r) for k, r in who),
        sector=sector,
        date="2019",
        date_precision="year",
        status="done",
    )


def _items() -> list[tuple[Document, Extraction, bytes | None]]:
    a, b = _doc(1, TEXT_A, "Gas: 50% more"), _doc(2, TEXT_B, "Nuclear")
    ext_a = Extraction(
        doc_id=a.id,
        pipeline_version="p1",
        mentions=(Mention(0, 7, "Gazprom", "ORG", "ner.test.v1", "gazprom"),),
        events=(
            _event(
                a.id,
                1,
                TEXT_A,
                "agreement",
                "energy.gas",
                (("gazprom", "party"), ("cnpc", "party")),
            ),
        ),
        figures=(
            Figure(
                id=f"{a.id}-f1",
                measure="trade",
                value=1.0,
                unit="USD",
                start=0,
                end=7,
                text="Gazprom",
                evidence=TEXT_A,
                sentence_start=3,
                sentence_end=40,
            ),
        ),
    )
    ext_b = Extraction(
        doc_id=b.id,
        pipeline_version="p1",
        events=(
            _event(
                b.id, 1, TEXT_B, "agreement", "energy", (("rosatom", "party"), ("cnnc", "party"))
            ),
            _event(
                b.id,
                2,
                TEXT_B,
                "construction",
                "energy",
                (("rosatom", "source"), ("tianwan", "object")),
            ),
        ),
    )
    return [(a, ext_a, None), (b, ext_b, None)]


@pytest.fixture(params=BACKENDS)
def kb(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "sqlite":
        url = str(request.getfixturevalue("tmp_path") / "narrow.db")
    else:
        url = str(request.getfixturevalue("pg_db"))
    with Store(url) as st:
        st.write(_items())
        ents = [
            Entity("gazprom", "Gazprom", "ORG", "RU"),
            Entity("cnpc", "CNPC", "ORG", "CN"),
            Entity("rosatom", "Rosatom", "ORG", "RU", aliases=("Rosatom Corp",)),
            Entity("cnnc", "CNNC", "ORG", "CN"),
            Entity("tianwan", "Tianwan", "FAC", None),
        ]
        st.replace_links(ents, {e.key: e.key for e in ents}, {})
        yield st


def test_pairs_types_sectors_and_countries(kb: Store) -> None:
    assert qevents.pairs(kb) == ["CN-RU"]
    assert qevents.event_types(kb) == ["agreement", "construction"]
    assert qevents.sectors(kb) == ["energy", "energy.gas"]
    # a sector keeps its subsectors everywhere (issue 15): the gas deal is an energy event
    gas = qevents.event_ids(kb, scope.Scope.of(sector="energy.gas"))
    assert gas
    assert qevents.event_ids(kb, scope.Scope.of(sector="energy")) == gas | {
        "d000000000000002-e1",
        "d000000000000002-e2",
    }
    assert qentities.countries(kb) == ["CN", "RU"]


def test_spans_read_by_id(kb: Store) -> None:
    got = qevents.spans(kb, ["d000000000000002-e2", "missing"])
    assert got == {
        "d000000000000002-e2": {
            "trigger_start": 10,
            "trigger_end": 16,
            "sentence_start": 2,
            "sentence_end": len(TEXT_B),
        }
    }
    assert reads.figure_spans(kb, ["d000000000000001-f1"]) == {"d000000000000001-f1": (3, 40)}
    assert reads.figure_statuses(kb) == {"trade": {"actual"}}
    listed = {e.id: e.trigger_span for e in qevents.list_events(kb)}
    assert listed["d000000000000001-e1"] == (9, 15)


def test_find_documents_is_case_blind_and_literal(kb: Store) -> None:
    assert [d["name"] for d in reads.find_documents(kb, "NUCLEAR")] == ["002.txt"]
    assert [d["name"] for d in reads.find_documents(kb, "50%")] == ["001.txt"]
    assert reads.find_documents(kb, "5_%") == []  # wildcards are plain characters
    assert "text" not in reads.find_documents(kb, "001")[0]


def test_entity_lookups(kb: Store) -> None:
    # The one actor resolver of every read (issue 15).
    assert scope.resolve_actor(kb, "rosatom corp").ids == {"rosatom"}
    assert scope.resolve_actor(kb, "cnpc").ids == {"cnpc"}
    assert scope.resolve_actor(kb, "Nobody").ids == set()
    assert qentities.entity_id_of_key(kb, "gazprom") == "gazprom"
    assert qentities.entity_id_of_key(kb, "nobody") is None
    ent = qentities.entity(kb, "rosatom")
    assert ent is not None
    assert ent["aliases"] == ["Rosatom Corp"]
    rows = qevents.event_records(kb, entity_keys={"rosatom"})
    assert [r["id"] for r in rows] == ["d000000000000002-e1", "d000000000000002-e2"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_document_batches_page_through_documents_that_share_a_name(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = (
        str(request.getfixturevalue("tmp_path") / "b.db")
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_db"))
    )
    docs = [
        Document(
            id=f"d{i:02d}",
            source_key=f"src/{i}",
            text=f"Text number {i}.",
            name=f"Same-{i // 4}.txt" if i % 2 else f"same-{i // 4}.txt",
        )
        for i in range(11)
    ]
    with Store(url) as store:
        store.write([(d, Extraction(doc_id=d.id, pipeline_version="t"), None) for d in docs])
        for size in (1, 3, 4, 500):
            got = [d["id"] for batch in reads.document_batches(store, size) for d in batch]
            # code-point order on both stores: capitals before lower case
            assert got == [d.id for d in sorted(docs, key=lambda d: (d.name, d.id))]
