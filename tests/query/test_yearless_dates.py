"""A day and month with no year (an event dated "on 8 June" in an article with no publication
date) is exported as the guide's ``MM-DD`` but lies in no date window: it must not pass every
window that ends somewhere."""

from __future__ import annotations

from pathlib import Path

import tieline
from tieline.config import Settings
from tieline.ingest.dedupe import doc_id
from tieline.query import scope
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

TEXT = "Rosatom signed a fuel supply contract with CNPC on 8 June."


def _store(tmp_path: Path) -> str:
    d = Document(
        id=doc_id(TEXT), source_key="test:undated", text=TEXT, name="undated.txt", title="x"
    )
    at = TEXT.index("signed")
    ev = Event(
        id=f"{d.id[:8]}:{at}",
        type="agreement",
        trigger="signed",
        trigger_start=at,
        trigger_end=at + 6,
        sentence_start=0,
        sentence_end=len(TEXT),
        evidence=TEXT,
        participants=(
            Participant("rosatom", "Rosatom", "party"),
            Participant("cnpc", "CNPC", "party"),
        ),
        sector="energy.nuclear",
        date="06-08",
        date_precision="monthday",
        status="done",
    )
    ents = (Entity("rosatom", "Rosatom", "ORG", "RU"), Entity("cnpc", "CNPC", "ORG", "CN"))
    db = str(tmp_path / "s.db")
    with Store(db) as store:
        store.write([(d, Extraction(d.id, "test.v1", entities=ents, events=(ev,)), None)])
        relink(store, Settings(db=db, progress=False))
    return db


def test_a_yearless_date_is_in_no_window() -> None:
    assert scope.in_window("06-08", None, None)
    assert not scope.in_window("06-08", None, "2020")
    assert not scope.in_window("06-08", "2015", None)
    assert scope.in_window("2019-06-08", None, "2020")


def test_the_event_list_keeps_it_out_of_windows_but_lists_it(tmp_path: Path) -> None:
    db = _store(tmp_path)
    assert [e.date for e in tieline.events(db=db)] == ["06-08"]
    assert tieline.events(db=db, until="2020") == []
    assert tieline.events(db=db, since="2015") == []
