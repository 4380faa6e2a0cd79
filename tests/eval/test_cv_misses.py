"""Why gold events are missed: the cross-validation's breakdown, on sentences written here."""

from __future__ import annotations

from pathlib import Path

from tieline.extract.events import EventCandidate
from tieline.records import Document, Event, Participant
from tieline.train.cv import miss_breakdown
from tieline.train.events import Annotated, prediction
from tieline.train.events import referee as load_referee

TEXT = (
    "Russia supplied gas to China. India and France held talks in Paris. "
    "Japan signed a deal with Korea. Brazil banned exports to Chile. "
    "Peru and Chile worked together. Spain did not supply arms to Italy."
)


def _cand(etype: str, quote: str, names: tuple[str, ...], *, stated: bool = True) -> EventCandidate:
    start = TEXT.index(quote)
    ev = Event(
        id=f"e{start}",
        type=etype,
        trigger=quote.split()[1],
        trigger_start=start,
        trigger_end=start + len(quote),
        sentence_start=start,
        sentence_end=start + len(quote),
        evidence=quote,
        participants=tuple(Participant(n.lower(), n) for n in names),
    )
    return EventCandidate(
        event=ev, sentence=0, clause=quote, strict=True, rule_keep=False, stated=stated
    )


def _gold(etype: str, quote: str, actors: list[str]) -> dict[str, object]:
    return {"type": etype, "actors": actors, "objects": [], "evidence": quote}


def test_each_missed_gold_event_is_put_down_to_one_cause(referee: Path) -> None:
    ref = load_referee(referee.parent / "dev")
    states = ("Russia", "China", "India", "France", "Japan", "Korea", "Germany", "Brazil")
    states += ("Chile", "Peru", "Spain", "Italy")
    gold = {
        "entities": [{"name": n, "type": "COUNTRY", "aliases": []} for n in states],
        "events": [
            _gold("supply", "Russia supplied gas to China", ["Russia", "China"]),
            _gold("talks", "India and France held talks", ["India", "France"]),
            _gold("agreement", "Japan signed a deal with Korea", ["Japan", "Korea"]),
            _gold("sanction", "Brazil banned exports to Chile", ["Brazil", "Chile"]),
            _gold("cooperation", "Peru and Chile worked together", ["Peru", "Chile"]),
            _gold("supply", "Spain did not supply arms to Italy", ["Spain", "Italy"]),
            {**_gold("talks", "held talks in Paris", ["France"]), "optional": True},
        ],
    }
    supply = _cand("supply", "Russia supplied gas to China", ("Russia", "China"))
    cands = (
        supply,
        _cand("talks", "India and France held talks", ("India", "France")),
        _cand("agreement", "Japan signed a deal with Korea", ("Germany",)),
        _cand("supply", "Brazil banned exports to Chile", ("Brazil", "Chile")),
        _cand("supply", "Spain did not supply arms to Italy", ("Spain", "Italy"), stated=False),
    )
    doc = Document(id="d0", source_key="d0", text=TEXT, name="d0.txt")
    a = Annotated("d0.txt", doc, TEXT, cands, (), gold)
    preds = {"d0.txt": prediction(a, [supply.event])}
    assert miss_breakdown([a], preds, ref) == {
        "kept": 1,
        "below_threshold": 1,
        "not_stated": 1,
        "participants": 1,
        "type": 1,
        "no_candidate": 1,
    }
