"""The bulk path writes the rows Store.write writes, and never a document twice."""

from __future__ import annotations

from pathlib import Path

from tieline.records import Document, Entity, Event, Extraction, Figure, Mention, Participant
from tieline.store import reads
from tieline.store.bulk import write_new
from tieline.store.db import Store


def _item(i: int) -> tuple[Document, Extraction, bytes | None]:
    text = f"Rosatom and CNNC signed a fuel deal worth $2 billion in year {2000 + i}."
    doc = Document(
        id=f"d{i}",
        source_key=f"src/{i}",
        text=text,
        name=f"n{i}.txt",
        published="2020-01-02",
        title="Deal",
    )
    ents = (
        Entity("rosatom", "Rosatom", "ORG", "RU", ("Rosatom",), mention_count=1),
        Entity("cnnc", "CNNC", "ORG", "CN", mention_count=1),
    )
    ev = Event(
        id=f"d{i}-e0",
        type="agreement",
        trigger="signed",
        trigger_start=17,
        trigger_end=23,
        sentence_start=0,
        sentence_end=len(text),
        evidence=text,
        participants=(Participant("rosatom", "Rosatom"), Participant("cnnc", "CNNC")),
        date="2020-01",
        date_precision="month",
    )
    fig = Figure(
        id=f"d{i}-f0",
        measure="contract_value",
        value=2e9,
        unit="USD",
        start=45,
        end=56,
        text="$2 billion",
        evidence=text,
        currency="USD",
        actors=("Rosatom", "CNNC"),
        sentence_end=len(text),
    )
    ext = Extraction(
        doc.id,
        "test.v1",
        (Mention(0, 7, "Rosatom", "ORG", "gazetteer", "rosatom"),),
        ents,
        (ev,),
        (fig,),
    )
    return doc, ext, None


def _dump(store: Store) -> dict[str, list[dict[str, object]]]:
    docs = [{k: v for k, v in d.items() if k != "ingested_at"} for d in reads.documents(store)]
    return {
        "documents": docs,
        "events": reads.events(store),
        "figures": reads.figures(store),
        "mentions": [{k: v for k, v in m.items() if k != "id"} for m in reads.mentions(store)],
        "doc_entities": reads.doc_entities(store),
    }


def test_bulk_rows_match_store_write(tmp_path: Path) -> None:
    items = [_item(i) for i in range(3)]
    with Store(str(tmp_path / "a.db")) as a, Store(str(tmp_path / "b.db")) as b:
        a.write(items)
        res = write_new(b, items)
        assert res.added == 3
        assert _dump(a) == _dump(b)
        assert b.links_stale()
        again = write_new(b, [*items, _item(3)])
        assert (again.added, again.unchanged) == (1, 3)
        twin = (
            Document(id="d0", source_key="elsewhere", text=items[0][0].text, name="x.txt"),
            items[0][1],
            None,
        )
        assert write_new(b, [twin]).duplicates == 1
        assert b.count("documents") == 4
        with b.connect() as conn:  # the search-index triggers fired for the bulk rows too
            n = conn.exec_driver_sql("SELECT count(*) FROM search_rows WHERE kind = 'event'")
            assert n.scalar_one() == 4
