"""A small knowledge base built by hand (no NLP model) for the web tests.

The sentences are our own, news-like, about public facts. Spans are found in the text, so the
offsets are always right; the hostile document holds markup that must never run in a browser.
"""

from __future__ import annotations

from pathlib import Path

from tieline.config import Settings
from tieline.ingest.dedupe import doc_id
from tieline.records import Document, Entity, Event, Extraction, Figure, Mention, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

PIPELINE = "web-test.v1"

GAS = (
    "Gazprom and China National Petroleum Corporation (CNPC) signed a 30-year gas supply "
    "contract in Shanghai in May 2014. The Power of Siberia pipeline began deliveries to China "
    "in December 2019. Trade between China and Russia reached $240 billion in 2023, above the "
    "target of $200 billion that the two states had set for 2024."
)
NUCLEAR = (
    "Rosatom and its engineering arm Atomstroyexport are building units 7 and 8 of the Tianwan "
    "nuclear power plant in China, with the first unit due in 2026. Trade between Russia and "
    "China amounted to $146.9 billion in 2021, customs data showed."
)
HOSTILE = (
    "Rosatom said <script>window.__pwned = 1</script> talks with <img src=x "
    'onerror="window.__pwned = 2"> partners continued. '
    "<b onmouseover=alert(1)>Bold claims</b> were made about Rosatom in March 2022."
)


def _span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return at, at + len(needle)


def _sentence(text: str, inside: int) -> tuple[int, int]:
    start = text.rfind(". ", 0, inside)
    start = 0 if start < 0 else start + 2
    end = text.find(". ", inside)
    end = len(text) if end < 0 else end + 1
    return start, end


def _mention(text: str, needle: str, label: str, key: str, nth: int = 0) -> Mention:
    s, e = _span(text, needle, nth)
    return Mention(s, e, needle, label, "test", key)


def _event(
    text: str,
    trigger: str,
    type_: str,
    sector: str,
    date: str,
    parts: list[tuple[str, str, str]],
    status: str = "done",
) -> Event:
    ts, te = _span(text, trigger)
    ss, se = _sentence(text, ts)
    return Event(
        id=f"ev-{doc_id(text)[:6]}-{ts}",
        type=type_,
        trigger=trigger,
        trigger_start=ts,
        trigger_end=te,
        sentence_start=ss,
        sentence_end=se,
        evidence=text[ss:se],
        participants=tuple(Participant(k, n, r) for k, n, r in parts),
        sector=sector,
        date=date,
        date_precision="month" if len(date) == 7 else "year",
        status=status,
    )


def _figure(text: str, number: str, value: float, status: str, period: str) -> Figure:
    s, e = _span(text, number)
    ss, se = _sentence(text, s)
    return Figure(
        id=f"fig-{doc_id(text)[:6]}-{s}",
        measure="trade_turnover",
        value=value,
        unit="USD",
        start=s,
        end=e,
        text=number,
        evidence=text[ss:se],
        currency="USD",
        period=period,
        period_start=f"{period}-01-01",
        period_end=f"{period}-12-31",
        status=status,
        actors=("China", "Russia"),
        sentence_start=ss,
        sentence_end=se,
    )


def _doc(text: str, name: str, title: str, published: str) -> Document:
    return Document(
        id=doc_id(text),
        source_key=f"test:{name}",
        text=text,
        name=name,
        title=title,
        published=published,
        published_precision="day",
        source="Tieline test wire",
        url=f"https://example.org/{name}",
    )


def documents() -> list[tuple[Document, Extraction]]:
    """The documents with what extraction would find in them."""
    gas = _doc(GAS, "gas.txt", "Gas deal and record trade", "2024-01-20")
    gas_ext = Extraction(
        gas.id,
        PIPELINE,
        mentions=(
            _mention(GAS, "Gazprom", "ORG", "gazprom"),
            _mention(GAS, "China National Petroleum Corporation", "ORG", "cnpc"),
            _mention(GAS, "CNPC", "ORG", "cnpc"),
            _mention(GAS, "Power of Siberia", "FACILITY", "power of siberia"),
            _mention(GAS, "China", "COUNTRY", "china", nth=1),
            _mention(GAS, "Russia", "COUNTRY", "russia"),
        ),
        entities=(
            Entity("gazprom", "Gazprom", "ORG", "RU", mention_count=1),
            Entity(
                "cnpc",
                "CNPC",
                "ORG",
                "CN",
                aliases=("China National Petroleum Corporation",),
                mention_count=2,
            ),
            Entity("power of siberia", "Power of Siberia", "FACILITY", "RU", mention_count=1),
            Entity("china", "China", "COUNTRY", "CN", mention_count=2),
            Entity("russia", "Russia", "COUNTRY", "RU", mention_count=1),
        ),
        events=(
            _event(
                GAS,
                "signed",
                "agreement",
                "energy.gas",
                "2014-05",
                [("gazprom", "Gazprom", "party"), ("cnpc", "CNPC", "party")],
            ),
            _event(
                GAS,
                "deliveries",
                "supply",
                "energy.gas",
                "2019-12",
                [
                    ("russia", "Russia", "source"),
                    ("china", "China", "target"),
                    ("power of siberia", "Power of Siberia", "object"),
                ],
            ),
        ),
        figures=(
            _figure(GAS, "$240 billion", 240e9, "actual", "2023"),
            _figure(GAS, "$200 billion", 200e9, "target", "2024"),
        ),
    )
    nuc = _doc(NUCLEAR, "nuclear.txt", "Tianwan units under construction", "2022-05-19")
    nuc_ext = Extraction(
        nuc.id,
        PIPELINE,
        mentions=(
            _mention(NUCLEAR, "Rosatom", "ORG", "rosatom"),
            _mention(NUCLEAR, "Atomstroyexport", "ORG", "atomstroyexport"),
            _mention(NUCLEAR, "Tianwan", "FACILITY", "tianwan"),
            _mention(NUCLEAR, "China", "COUNTRY", "china"),
            _mention(NUCLEAR, "Russia", "COUNTRY", "russia"),
        ),
        entities=(
            Entity("rosatom", "Rosatom", "ORG", "RU", mention_count=1),
            Entity("atomstroyexport", "Atomstroyexport", "ORG", "RU", mention_count=1),
            Entity("tianwan", "Tianwan", "FACILITY", "CN", mention_count=1),
            Entity("china", "China", "COUNTRY", "CN", mention_count=2),
            Entity("russia", "Russia", "COUNTRY", "RU", mention_count=1),
        ),
        events=(
            _event(
                NUCLEAR,
                "building",
                "construction",
                "energy.nuclear",
                "2022",
                [
                    ("rosatom", "Rosatom", "source"),
                    ("atomstroyexport", "Atomstroyexport", "party"),
                    ("china", "China", "target"),
                    ("tianwan", "Tianwan", "object"),
                ],
                status="planned",
            ),
        ),
        figures=(_figure(NUCLEAR, "$146.9 billion", 146.9e9, "actual", "2021"),),
    )
    bad = _doc(HOSTILE, "hostile.html", '<img src=x onerror="window.__pwned=3">', "2022-03-04")
    bad_ext = Extraction(
        bad.id,
        PIPELINE,
        mentions=(
            _mention(HOSTILE, "Rosatom", "ORG", "rosatom"),
            _mention(HOSTILE, "Rosatom", "ORG", "rosatom", nth=1),
        ),
        entities=(Entity("rosatom", "Rosatom", "ORG", "RU", mention_count=2),),
        events=(
            _event(
                HOSTILE,
                "talks",
                "talks",
                "energy.nuclear",
                "2022-03",
                [("rosatom", "Rosatom", "party")],
            ),
        ),
    )
    return [(gas, gas_ext), (nuc, nuc_ext), (bad, bad_ext)]


def build_store(db: Path) -> Path:
    """Write the documents into a new SQLite store at db and link entities."""
    with Store(str(db)) as store:
        store.write([(d, e, None) for d, e in documents()])
        relink(store, Settings(db=str(db), progress=False))
    return db
