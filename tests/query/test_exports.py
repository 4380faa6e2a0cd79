"""Exports round-trip: Parquet read back by pyarrow, GraphML/GEXF by networkx, FtM validated."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

from tieline.query.exports import write_event_table, write_ftm, write_graph, write_parquet
from tieline.store import reads
from tieline.store.db import Store


@pytest.fixture
def kb(kb_db: Path) -> Iterator[Store]:
    with Store(str(kb_db), create=False) as s:
        yield s


def test_parquet_round_trip(kb: Store, tmp_path: Path) -> None:
    counts = write_parquet(kb, tmp_path / "pq")
    events = pq.read_table(tmp_path / "pq" / "events.parquet").to_pylist()
    assert len(events) == counts["events"] == len(reads.events(kb))
    stored = {e["id"]: e for e in reads.events(kb)}
    for e in events:
        assert e["evidence"] == stored[e["id"]]["evidence"]
        assert e["plover"]
        assert e["cameo"]
    docs = pq.read_table(tmp_path / "pq" / "documents.parquet").to_pylist()
    assert {d["text"] for d in docs} == {d["text"] for d in reads.documents(kb)}
    figs = pq.read_table(tmp_path / "pq" / "figures.parquet").to_pylist()
    assert sorted(f["value"] for f in figs) == sorted(f["value"] for f in reads.figures(kb))
    parts = pq.read_table(tmp_path / "pq" / "event_participants.parquet").to_pylist()
    assert all(p["entity_id"] for p in parts)


def test_event_table_parquet(kb: Store, tmp_path: Path) -> None:
    n = write_event_table(kb, tmp_path)
    rows = pq.read_table(tmp_path / "event_table.parquet").to_pylist()
    assert len(rows) == n == 5
    codes = {r["type"]: (r["plover"], r["cameo"]) for r in rows}
    assert codes["agreement"] == ("AGREE", "057")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_export_round_trip(kb: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"g.{fmt}"
    n = write_graph(kb, out, fmt)
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert g.number_of_edges() == n > 0


def test_ftm_entities_validate(kb: Store) -> None:
    from followthemoney import model

    buf = io.StringIO()
    n = write_ftm(kb, buf)
    ents = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert len(ents) == n
    for data in ents:
        schema = model.get(data["schema"])
        assert schema is not None
        assert schema.validate(data) is None, data
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.id == data["id"]
    ids = {e["id"] for e in ents}
    by_schema: dict[str, int] = {}
    for e in ents:
        by_schema[e["schema"]] = by_schema.get(e["schema"], 0) + 1
    assert by_schema["Article"] == 4
    assert by_schema["Event"] == 5
    assert by_schema["Person"] == 3
    # Every reference points at an entity in the same export.
    for e in ents:
        for prop in ("involved", "proof"):
            assert set(e["properties"].get(prop, [])) <= ids


def test_jsonl_export_streams_in_batches_without_changing_a_byte(
    examples_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tieline.query import export

    with Store(str(examples_db), create=False) as store:
        whole = io.StringIO()
        n = export.write_jsonl(store, whole)
        monkeypatch.setattr(export, "EXPORT_BATCH", 2)
        batched = io.StringIO()
        assert export.write_jsonl(store, batched) == n == store.count("documents")
        assert batched.getvalue() == whole.getvalue()
        recs = [json.loads(line) for line in whole.getvalue().splitlines()]
        # documents in source-name order, each with exactly its own events
        names = [r["document"]["name"] for r in recs]
        assert names == sorted(names)
        for r in recs:
            own = {e["id"] for e in reads.events(store, r["document"]["id"])}
            assert {e["id"] for e in r["events"]} == own
        assert sum(len(r["events"]) for r in recs) == store.count("events") > 0
