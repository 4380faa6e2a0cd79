# ruff: noqa: E501  (test sentences read better unbroken)
"""A small, hand-built knowledge base for query tests (no NLP model needed).

The sentences are our own, written about public facts of China-Russia and India-Russia
cooperation; offsets are computed, never typed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tieline.config import Settings
from tieline.extract.names import name_key
from tieline.ingest.dedupe import doc_id
from tieline.records import Document, Entity, Event, Extraction, Figure, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

ACTORS = {
    "China": ("COUNTRY", "CN"),
    "Russia": ("COUNTRY", "RU"),
    "India": ("COUNTRY", "IN"),
    "Gazprom": ("ORG", "RU"),
    "CNPC": ("ORG", "CN"),
    "Rosatom": ("ORG", "RU"),
    "Vladimir Putin": ("PERSON", "RU"),
    "Xi Jinping": ("PERSON", "CN"),
    "Narendra Modi": ("PERSON", "IN"),
}

# (name, title, published, text, events, figures)
# event: (type, trigger, sentence, actors, sector, date, status)
# figure: (measure, number text, sentence, value, unit, period, status, actors)
DOCS = [
    (
        "pipeline.txt",
        "Power of Siberia pipeline begins gas deliveries to China",
        "2019-12-03",
        "Gazprom and CNPC began deliveries of natural gas through the Power of Siberia pipeline on "
        "2 December 2019. Vladimir Putin and Xi Jinping watched the launch by video link. "
        "The pipeline is designed to carry 38 billion cubic metres of gas a year.",
        [
            (
                "supply",
                "deliveries",
                "Gazprom and CNPC began deliveries of natural gas through the Power of Siberia pipeline on "
                "2 December 2019.",
                ("Gazprom", "CNPC"),
                "energy",
                "2019-12-02",
                "done",
            )
        ],
        [],
    ),
    (
        "trade-goal.txt",
        "China and Russia set a goal of $200 billion in trade",
        "2019-06-05",
        "Trade between China and Russia reached $107 billion in 2018. Xi Jinping and Vladimir Putin "
        "signed an agreement on a comprehensive strategic partnership in Moscow on 5 June 2019. "
        "The two governments set a goal of $200 billion in annual trade by 2024.",
        [
            (
                "agreement",
                "signed",
                "Xi Jinping and Vladimir Putin signed an agreement on a comprehensive strategic partnership "
                "in Moscow on 5 June 2019.",
                ("Xi Jinping", "Vladimir Putin", "China", "Russia"),
                "trade",
                "2019-06-05",
                "done",
            )
        ],
        [
            (
                "bilateral_trade",
                "$107 billion",
                "Trade between China and Russia reached $107 billion in 2018.",
                107e9,
                "USD",
                "2018",
                "actual",
                ("China", "Russia"),
            ),
            (
                "bilateral_trade",
                "$200 billion",
                "The two governments set a goal of $200 billion in annual trade by 2024.",
                200e9,
                "USD",
                "2024",
                "target",
                ("China", "Russia"),
            ),
        ],
    ),
    (
        "trade-2019.md",
        "China-Russia trade passes $110 billion",
        "2020-01-14",
        "Customs data show that trade between China and Russia rose to $110.8 billion in 2019. "
        "A year earlier, trade amounted to $108 billion, according to the Russian side. "
        "Rosatom and CNPC agreed to cooperate on nuclear fuel supplies on 10 January 2020.",
        [
            (
                "cooperation",
                "cooperate",
                "Rosatom and CNPC agreed to cooperate on nuclear fuel supplies on 10 January 2020.",
                ("Rosatom", "CNPC"),
                "nuclear",
                "2020-01-10",
                "done",
            )
        ],
        [
            (
                "bilateral_trade",
                "$110.8 billion",
                "Customs data show that trade between China and Russia rose to $110.8 billion in 2019.",
                110.8e9,
                "USD",
                "2019",
                "actual",
                ("China", "Russia"),
            ),
            (
                "bilateral_trade",
                "$108 billion",
                "A year earlier, trade amounted to $108 billion, according to the Russian side.",
                108e9,
                "USD",
                "2018",
                "actual",
                ("China", "Russia"),
            ),
        ],
    ),
    (
        "s400.html",
        "Russia and India sign S-400 deal",
        "2018-10-05",
        "Vladimir Putin and Narendra Modi met in New Delhi. Russia agreed to supply S-400 air "
        "defence systems to India under a deal signed on 5 October 2018. "
        "Rosatom will build six more reactors in India, <script>alert(1)</script> officials said.",
        [
            (
                "supply",
                "supply",
                "Russia agreed to supply S-400 air defence systems to India under a deal "
                "signed on 5 October 2018.",
                ("Russia", "India"),
                "defence",
                "2018-10-05",
                "planned",
            ),
            (
                "construction",
                "build",
                "Rosatom will build six more reactors in India, "
                "<script>alert(1)</script> officials said.",
                ("Rosatom", "India"),
                "nuclear",
                None,
                "planned",
            ),
        ],
        [],
    ),
]


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def build_kb(db: Path | str) -> Path | str:
    """Write the documents and their facts into a store at ``db`` and link entities."""
    return write_kb(db, kb_items())


def write_kb(db: Path | str, items: list[tuple[Document, Extraction, None]]) -> Path | str:
    """Write ``items`` into a store at ``db`` and link entities."""
    with Store(str(db)) as store:
        store.write(items)
        relink(store, Settings(db=str(db), progress=False))
    return db


def kb_items() -> list[tuple[Document, Extraction, None]]:
    """The documents and their facts as the pipeline would hand them to the store."""
    items: list[tuple[Document, Extraction, None]] = []
    for name, title, published, text, evs, figs in DOCS:
        did = doc_id(text)
        doc = Document(
            id=did,
            source_key=f"kb:{name}",
            text=text,
            name=name,
            path=name,
            title=title,
            published=published,
            published_precision="day",
            url=f"https://news.example.org/{name}",
        )
        seen = sorted(
            {a for e in evs for a in e[3]}
            | {a for f in figs for a in f[7]}
            | {a for a in ACTORS if a in text}
        )
        ents = tuple(
            Entity(
                key=name_key(a),
                name=a,
                type=ACTORS[a][0],
                country=ACTORS[a][1],
                mention_count=text.count(a),
            )
            for a in seen
        )
        events = []
        for etype, trig, sent, actors, sector, date, status in evs:
            s0 = text.index(sent)
            t0 = text.index(trig, s0)
            parts = tuple(
                Participant(name_key(a), a, "source" if i == 0 else "target")
                for i, a in enumerate(actors)
            )
            events.append(
                Event(
                    id=_id(did, sent),
                    type=etype,
                    trigger=trig,
                    trigger_start=t0,
                    trigger_end=t0 + len(trig),
                    sentence_start=s0,
                    sentence_end=s0 + len(sent),
                    evidence=sent,
                    participants=parts,
                    sector=sector,
                    date=date,
                    date_precision="day" if date else None,
                    status=status,
                )
            )
        figures = []
        for measure, num, sent, value, unit, period, status, actors in figs:
            s0 = text.index(sent)
            n0 = text.index(num, s0)
            figures.append(
                Figure(
                    id=_id(did, sent, num),
                    measure=measure,
                    value=value,
                    unit=unit,
                    start=n0,
                    end=n0 + len(num),
                    text=num,
                    evidence=sent,
                    currency="USD" if unit == "USD" else None,
                    period=period,
                    period_start=f"{period}-01-01",
                    period_end=f"{period}-12-31",
                    status=status,
                    actors=actors,
                    sentence_start=s0,
                    sentence_end=s0 + len(sent),
                )
            )
        ext = Extraction(
            doc_id=did,
            pipeline_version="test.v1",
            entities=ents,
            events=tuple(events),
            figures=tuple(figures),
        )
        items.append((doc, ext, None))
    return items
