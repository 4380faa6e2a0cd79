"""/api/graph keeps the network of the store (or of a pair) until the data changes: a second
request gets the same network, and a write shows at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from webdata import build_store

from tieline.records import Document, Event, Extraction, Participant
from tieline.store.db import Store
from tieline.web.app import create_app

TEXT = "Novatek and Sinopec signed an agreement on liquefied gas deliveries in March 2021."


def _news() -> tuple[Document, Extraction]:
    doc = Document(
        id="n" * 16,
        source_key="test:novatek.txt",
        text=TEXT,
        name="novatek.txt",
        published="2021-03-05",
    )
    at = TEXT.index("signed")
    ev = Event(
        id="ev-novatek-1",
        type="agreement",
        trigger="signed",
        trigger_start=at,
        trigger_end=at + 6,
        sentence_start=0,
        sentence_end=len(TEXT),
        evidence=TEXT,
        participants=(
            Participant("novatek", "Novatek", "party"),
            Participant("sinopec", "Sinopec", "party"),
        ),
        sector="energy.gas",
        date="2021-03",
        date_precision="month",
        status="done",
    )
    return doc, Extraction(doc.id, "web-test.v1", events=(ev,))


def test_graph_is_kept_until_the_data_changes(tmp_path: Path) -> None:
    db = build_store(tmp_path / "web.db")
    with TestClient(create_app(str(db))) as c:
        first = c.get("/api/graph").json()
        assert c.get("/api/graph").json() == first
        pair = c.get("/api/graph", params={"pair": "CN-RU"}).json()
        assert c.get("/api/graph", params={"pair": "CN-RU"}).json() == pair
        assert ("novatek", "sinopec") not in {(e["source"], e["target"]) for e in first["edges"]}
        with Store(str(db), create=False) as store:
            store.write([(*_news(), None)])
        after = c.get("/api/graph").json()
        assert ("novatek", "sinopec") in {(e["source"], e["target"]) for e in after["edges"]}
        assert c.get("/api/graph", params={"pair": "CN-RU"}).json() == pair
        # A windowed network is not kept: it is built afresh.
        windowed = c.get("/api/graph", params={"since": "2021"}).json()
        assert ("novatek", "sinopec") in {(e["source"], e["target"]) for e in windowed["edges"]}
