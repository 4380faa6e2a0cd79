"""The entity page gives a facility's lifecycle (issue 16): its stages in order, each with the
report that first gives it. A hand-built store: our own sentences, no NLP model."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tieline.config import Settings
from tieline.extract.names import name_key
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store
from tieline.web.app import create_app

PLANT = "Rooppur Nuclear Power Plant"
# (name, published, sentence, trigger, type, date)
DOCS = [
    (
        "contract.txt",
        "2015-12-26",
        f"Bangladesh and Rosatom signed a contract to build the {PLANT} on 25 December 2015.",
        "signed",
        "agreement",
        "2015-12-25",
    ),
    (
        "concrete.txt",
        "2017-12-01",
        f"Rosatom began construction of the first unit of the {PLANT} on 30 November 2017.",
        "construction",
        "construction",
        "2017-11-30",
    ),
]


def _build(db: Path) -> None:
    items = []
    for name, published, text, trigger, etype, date in DOCS:
        did = name.split(".")[0] * 2
        t0 = text.index(trigger)
        ents = (
            Entity(key=name_key(PLANT), name=PLANT, type="FACILITY", country="BD", mention_count=1),
            Entity(
                key=name_key("Rosatom"), name="Rosatom", type="ORG", country="RU", mention_count=1
            ),
        )
        event = Event(
            id=f"{did}:e",
            type=etype,
            trigger=trigger,
            trigger_start=t0,
            trigger_end=t0 + len(trigger),
            sentence_start=0,
            sentence_end=len(text),
            evidence=text,
            participants=(
                Participant(name_key("Rosatom"), "Rosatom", "party"),
                Participant(name_key(PLANT), PLANT, "object"),
            ),
            sector="energy.nuclear",
            date=date,
            date_precision="day",
            status="done",
        )
        doc = Document(id=did, source_key=name, text=text, name=name, published=published)
        items.append((doc, Extraction(did, "test.v1", entities=ents, events=(event,)), None))
    with Store(str(db)) as store:
        store.write(items)
        relink(store, Settings(db=str(db), progress=False))


def test_the_entity_page_lists_a_facilitys_stages_in_order(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _build(db)
    with TestClient(create_app(str(db))) as c:
        items = c.get("/api/entities").json()["items"]
        plant = next(e for e in items if e["type"] == "FACILITY")
        res = c.get(f"/api/entities/{plant['id']}")
        assert res.status_code == 200
        life = res.json()["lifecycle"]
        rosatom = next(e for e in items if e["name"] == "Rosatom")
        company = c.get(f"/api/entities/{rosatom['id']}").json()
    assert [(s["stage"], s["date"]) for s in life] == [
        ("contract", "2015-12-25"),
        ("construction start", "2017-11-30"),
    ]
    for s in life:
        assert PLANT in s["evidence"]
        assert s["doc_id"]
        assert s["end"] > s["start"]
    assert company["lifecycle"] == []  # an organisation has no lifecycle
