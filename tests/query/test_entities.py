"""Entity queries: lists with filters, one entity in full, curator merges and splits.

Most tests build a store by hand from records (no model), link it the way ingest does, and
read it back; one slow test reads the bundled example corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tieline.errors import ConfigError, NotFoundError
from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.link import link_entities
from tieline.extract.names import name_key
from tieline.query import entities as qe
from tieline.records import Document, Entity, Event, Extraction, Mention, Participant
from tieline.store import curation
from tieline.store.db import Store

GAZ = Gazetteer(
    [
        Actor("Rosatom", "ORG", "RU"),
        Actor("China", "COUNTRY", "CN"),
        Actor("Russia", "COUNTRY", "RU"),
    ]
)
TEXTS = {
    "a": (
        "2021-05-19",
        "Rosatom and China started building two units at Tianwan. Alexei "
        "Likhachev, the head of Rosatom, attended. Rosatom will supply the fuel.",
    ),
    "b": (
        "2023-03-02",
        "Likhachev said Rosotom would also build units at Xudapu. Rosotom "
        "expects the first unit in 2027.",
    ),
}


def _mention(text: str, surface: str, label: str, key: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, label, "test", key)


def _extractions() -> list[tuple[Document, Extraction]]:
    out = []
    ta = TEXTS["a"][1]
    ents_a = (
        Entity("rosatom", "Rosatom", "ORG", "RU", mention_count=3),
        Entity("china", "China", "COUNTRY", "CN", mention_count=1),
        Entity(
            "alexei likhachev",
            "Alexei Likhachev",
            "PERSON",
            "RU",
            role="head of Rosatom",
            affiliation="Rosatom",
            mention_count=1,
        ),
    )
    ms_a = (
        _mention(ta, "Rosatom", "ORG", "rosatom"),
        _mention(ta, "China", "COUNTRY", "china"),
        _mention(ta, "Alexei Likhachev", "PERSON", "alexei likhachev"),
        _mention(ta, "Rosatom", "ORG", "rosatom", 1),
        _mention(ta, "Rosatom", "ORG", "rosatom", 2),
    )
    at = ta.index("building")
    ev = Event(
        id="ev-a",
        type="construction",
        trigger="building",
        trigger_start=at,
        trigger_end=at + 8,
        sentence_start=0,
        sentence_end=ta.index(".") + 1,
        evidence=ta[: ta.index(".") + 1],
        participants=(Participant("rosatom", "Rosatom"), Participant("china", "China")),
    )
    tb = TEXTS["b"][1]
    ents_b = (
        Entity("likhachev", "Likhachev", "PERSON", None, mention_count=1),
        Entity("rosotom", "Rosotom", "ORG", None, mention_count=2),
    )
    ms_b = (
        _mention(tb, "Likhachev", "PERSON", "likhachev"),
        _mention(tb, "Rosotom", "ORG", "rosotom"),
        _mention(tb, "Rosotom", "ORG", "rosotom", 1),
    )
    for doc_id, ents, ms, evs in (("a", ents_a, ms_a, (ev,)), ("b", ents_b, ms_b, ())):
        published, text = TEXTS[doc_id]
        d = Document(
            id=f"doc-{doc_id}",
            source_key=f"{doc_id}.txt",
            text=text,
            name=f"{doc_id}.txt",
            published=published,
        )
        out.append((d, Extraction(d.id, "test", mentions=ms, entities=ents, events=evs)))
    return out


def _relink(store: Store) -> None:
    ents, keys, stats = link_entities(store.doc_entity_rows(), GAZ, store.judgements())
    store.replace_links(ents, keys, stats)


@pytest.fixture
def kb(memory_store: Store) -> Store:
    memory_store.write([(d, e, None) for d, e in _extractions()])
    _relink(memory_store)
    return memory_store


def test_entities_list_is_linked_and_filtered(kb: Store) -> None:
    names = [e["name"] for e in qe.list_entities(kb)]
    assert names[0] == "Rosatom"  # most mentioned first; the typo joined it
    assert "Rosotom" not in names
    people = qe.list_entities(kb, type="person")
    assert [p["name"] for p in people] == ["Alexei Likhachev"]
    assert people[0]["aliases"] == ["Likhachev"]
    assert {e["name"] for e in qe.list_entities(kb, country="RU")} == {
        "Rosatom",
        "Alexei Likhachev",
    }
    assert qe.list_entities(kb, country="none") == []


def test_entities_list_records_dates_and_counts(kb: Store) -> None:
    rosatom = qe.list_entities(kb, type="ORG")[0]
    assert rosatom["mention_count"] == 5
    assert rosatom["doc_count"] == 2
    assert (rosatom["first_seen"], rosatom["last_seen"]) == ("2021-05-19", "2023-03-02")


def test_entities_unknown_type_says_which_exist(kb: Store) -> None:
    with pytest.raises(ConfigError, match="PERSON"):
        qe.list_entities(kb, type="WIDGET")


def test_entity_detail_has_events_and_quoted_mentions(kb: Store) -> None:
    d = qe.entity_detail(kb, "rosotom")  # an alias, any case
    assert d["name"] == "Rosatom"
    assert d["country"] == "RU"
    assert len(d["mentions"]) == 5
    assert d["documents"] == ["a.txt", "b.txt"]
    for m in d["mentions"]:
        assert m["text"] in m["quote"]
    assert [e["type"] for e in d["events"]] == ["construction"]
    assert {p["name"] for p in d["events"][0]["participants"]} == {"Rosatom", "China"}


def test_entity_detail_person_role_and_affiliation(kb: Store) -> None:
    d = qe.entity_detail(kb, "Likhachev")
    assert d["name"] == "Alexei Likhachev"
    assert d["role"] == "head of Rosatom"
    assert d["affiliation"] == "Rosatom"
    assert [m["text"] for m in d["mentions"]] == ["Alexei Likhachev", "Likhachev"]


def test_entity_detail_unknown_name(kb: Store) -> None:
    with pytest.raises(NotFoundError, match="tieline entities"):
        qe.entity_detail(kb, "Gazprom")


def test_entity_split_then_merge_back(kb: Store) -> None:
    curation.record_split(kb, "Rosatom", "Rosotom")
    _relink(kb)
    assert qe.resolve_name(kb, "Rosotom")["name"] == "Rosotom"
    rosotom = qe.entity_detail(kb, "Rosotom")
    assert [m["text"] for m in rosotom["mentions"]] == ["Rosotom", "Rosotom"]
    assert all(m["text"] == "Rosatom" for m in qe.entity_detail(kb, "Rosatom")["mentions"])
    curation.record_merge(kb, "Rosotom", "Rosatom")
    _relink(kb)
    assert qe.resolve_name(kb, "Rosotom")["name"] == "Rosatom"


def test_entity_judgements_survive_relinking_from_scratch(kb: Store) -> None:
    curation.record_merge(kb, "China", "Alexei Likhachev")  # a deliberately odd judgement
    for _ in range(2):
        _relink(kb)
        assert qe.resolve_name(kb, "China")["id"] == qe.resolve_name(kb, "Likhachev")["id"]


def test_entity_quote_is_the_sentence() -> None:
    text = "First sentence here. Rosatom signed the deal in May. Last one."
    start = text.index("Rosatom")
    assert qe.quote(text, start, start + 7) == "Rosatom signed the deal in May."


@pytest.mark.slow
def test_entities_on_the_example_corpus(examples_db: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        people = qe.list_entities(store, type="PERSON")
        assert people
        assert all(p["type"] == "PERSON" for p in people)
        putin = qe.entity_detail(store, "Putin")
        assert putin["name"] == "Vladimir Putin"
        assert putin["country"] == "RU"
        assert len(putin["documents"]) >= 3
        assert all(m["quote"] for m in putin["mentions"])
        for e in qe.list_entities(store, country="CN"):
            assert e["country"] == "CN"
        assert name_key("Putin") in {name_key(a) for a in putin["aliases"]}
