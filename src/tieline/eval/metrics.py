"""Scores of a prediction against gold annotations, by the rules GUIDE.md states.

Entities match on any shared normalised form; precision counts only COUNTRY, ORG, PERSON and
BLOC predictions; optional gold items neither help nor hurt. Events match on type, overlapping
evidence and a shared participant; then their participants, status and date are compared.
Figures match on unit and value within 1 %, preferring the gold figure of the same status; then
status, measure and period are compared. Resolution errors are gold entities split over several
predicted names, and predicted names that cover several gold entities, counted over the whole
corpus. Where the gold gives events a ``cluster``, pairs of matched events in two documents are
scored on whether the prediction puts them in one cluster exactly when the gold does.

Matching is done once per document (``match_document``); the scores and the error listing of
``tieline eval --explain`` (``tieline.eval.explain``) are both read off those matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCORED = frozenset({"COUNTRY", "ORG", "PERSON", "BLOC"})
TOLERANCE = 0.01
_MONTH_DAY = re.compile(r"\d{2}-\d{2}")

Item = dict[str, Any]


def flat(text: str) -> str:
    """NFKC with every run of white space as one space (how evidence is compared)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def norm(name: str) -> str:
    """A name as compared: case-blind, no punctuation, '&' as 'and', no leading 'the'."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    s = " ".join(re.sub(r"[^\w\s]", " ", s).split())
    return s.removeprefix("the ")


def names_of(entity: Mapping[str, Any]) -> set[str]:
    """Every normalised form of an entity: its name and its aliases."""
    raw = [entity.get("name") or "", *(entity.get("aliases") or [])]
    return {norm(x) for x in raw if x}


def event_status(event: Mapping[str, Any]) -> str:
    """An event's status, ``done`` when the record leaves it out."""
    return str(event.get("status") or "done").lower()


def same_date(pred: Any, gold: str) -> bool:
    """Whether a predicted event date is the gold one.

    Dates are compared as written ("2015", "2019-06", "2019-06-05"); a gold "MM-DD", where the
    text fixes no year, is also met by a full date with that month and day.
    """
    got = str(pred or "")
    if _MONTH_DAY.fullmatch(gold):
        return got == gold or (len(got) == 10 and got[5:] == gold)
    return got == gold


@dataclass
class Counts:
    """Matched and total counts on the predicted and the gold side."""

    pred_hit: int = 0
    pred: int = 0
    gold_hit: int = 0
    gold: int = 0

    def prf(self) -> dict[str, float | int]:
        """Precision, recall and F1 (rounded to four places) with the two totals."""
        p = self.pred_hit / self.pred if self.pred else (1.0 if self.gold == 0 else 0.0)
        r = self.gold_hit / self.gold if self.gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "predicted": self.pred,
            "gold": self.gold,
        }


class FormIndex:
    """Any surface form -> the gold entity of one document that carries it (first wins)."""

    def __init__(self, gold_entities: Iterable[Mapping[str, Any]]) -> None:
        self.owner: dict[str, str] = {}
        for g in gold_entities:
            for f in names_of(g):
                self.owner.setdefault(f, g["name"])

    def entity(self, pred: Mapping[str, Any]) -> str | None:
        """The gold name a predicted entity stands for, trying its forms in sorted order."""
        return next((self.owner[f] for f in sorted(names_of(pred)) if f in self.owner), None)

    def name(self, surface: str) -> str | None:
        """The gold name one surface form stands for."""
        return self.owner.get(norm(surface))


@dataclass(frozen=True)
class Match:
    """One predicted item and the gold item it matched (``gold`` is None when none)."""

    pred: int
    gold: int | None
    parts: frozenset[str] = frozenset()  # an event's participants, as gold names


@dataclass(frozen=True)
class DocumentMatches:
    """How the predicted items of one document matched its gold items."""

    doc: str
    gold: Item
    pred: Item
    entities: tuple[Match, ...]  # one per predicted entity with a name
    events: tuple[Match, ...]
    figures: tuple[Match, ...]

    @property
    def pred_entities(self) -> list[Item]:
        """The predicted entities that take part in scoring (those with a name)."""
        return [e for e in self.pred.get("entities", []) if e.get("name")]


def _span(text: str, quote: str | None) -> tuple[int, int] | None:
    if not quote:
        return None
    q = flat(quote)
    at = text.find(q) if q else -1
    return (at, at + len(q)) if at >= 0 else None


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def participants(event: Mapping[str, Any]) -> set[str]:
    """A gold event's actors and objects together."""
    return {*(event.get("actors") or []), *(event.get("objects") or [])}


def _match_entities(gold: Sequence[Item], pred: Sequence[Item], idx: FormIndex) -> list[Match]:
    known = {g["name"]: i for i, g in reversed(list(enumerate(gold)))}
    out = []
    for i, p in enumerate(pred):
        name = idx.entity(p)
        out.append(Match(i, known.get(name) if name is not None else None))
    return out


def _match_events(
    gold: Sequence[Item], pred: Sequence[Item], idx: FormIndex, text: str
) -> list[Match]:
    # Greedy in prediction order: each predicted event takes the first free gold event of its
    # type whose evidence overlaps and which shares a participant.
    g_spans = [_span(text, g.get("evidence")) for g in gold]
    taken: set[int] = set()
    out = []
    for i, p in enumerate(pred):
        p_span = _span(text, p.get("evidence"))
        surfaces = [*(p.get("actors") or []), *(p.get("objects") or [])]
        parts = frozenset(n for n in (idx.name(s) for s in surfaces) if n is not None)
        hit = next(
            (
                j
                for j, g in enumerate(gold)
                if j not in taken
                and g.get("type") == p.get("type")
                and _overlap(p_span, g_spans[j])
                and parts & participants(g)
            ),
            None,
        )
        if hit is not None:
            taken.add(hit)
        out.append(Match(i, hit, parts))
    return out


def _value_close(p: Any, g: Any) -> bool:
    try:
        pv, gv = float(p), float(g)
    except (TypeError, ValueError):
        return False
    return abs(pv - gv) <= TOLERANCE * max(abs(gv), 1e-9)


def _match_figures(gold: Sequence[Item], pred: Sequence[Item]) -> list[Match]:
    taken: set[int] = set()
    out = []
    for i, p in enumerate(pred):
        close = [
            j
            for j, g in enumerate(gold)
            if j not in taken
            and p.get("unit") == g["unit"]
            and _value_close(p.get("value"), g["value"])
        ]
        same_status = [j for j in close if gold[j]["status"] == p.get("status")]
        hit = (same_status or close)[0] if close else None
        if hit is not None:
            taken.add(hit)
        out.append(Match(i, hit))
    return out


def match_document(doc: str, gold: Item, pred: Item, docs: Path) -> DocumentMatches:
    """Match one document's predicted entities, events and figures to its gold ones."""
    path = docs / doc
    text = flat(path.read_text(encoding="utf-8", errors="replace")) if path.exists() else ""
    g_ents = list(gold.get("entities", []))
    idx = FormIndex(g_ents)
    p_ents = [e for e in pred.get("entities", []) if e.get("name")]
    return DocumentMatches(
        doc=doc,
        gold=gold,
        pred=pred,
        entities=tuple(_match_entities(g_ents, p_ents, idx)),
        events=tuple(_match_events(gold.get("events", []), pred.get("events", []), idx, text)),
        figures=tuple(_match_figures(gold.get("figures", []), pred.get("figures", []))),
    )


def match_all(
    gold: Mapping[str, Item], pred: Mapping[str, Item], docs: Path
) -> list[DocumentMatches]:
    """Matches for every gold document, in the gold file's order."""
    return [match_document(name, g, pred.get(name, {}), docs) for name, g in gold.items()]


@dataclass
class _Tally:
    entities: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)
    figures: Counts = field(default_factory=Counts)
    matched_entities: int = 0
    type_ok: int = 0
    country_ok: int = 0
    arg_shared: int = 0
    arg_pred: int = 0
    arg_gold: int = 0
    event_status_ok: int = 0
    event_dates_ok: int = 0
    event_dated: int = 0
    status_ok: int = 0
    measure_ok: int = 0
    period_ok: int = 0
    period_total: int = 0
    dates_ok: int = 0
    dates_total: int = 0
    gold_to_pred: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pred_to_gold: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (document, gold cluster, predicted cluster) of every matched event whose gold has a cluster
    reports: list[tuple[str, str, object]] = field(default_factory=list)
    per_document: dict[str, dict[str, int]] = field(default_factory=dict)


def _tally_entities(t: _Tally, m: DocumentMatches) -> None:
    gold = list(m.gold.get("entities", []))
    pred = m.pred_entities
    optional = {g["name"] for g in gold if g.get("optional")}
    found: set[str] = set()
    for match in m.entities:
        p = pred[match.pred]
        g = gold[match.gold] if match.gold is not None else None
        if str(p.get("type", "")).upper() in SCORED and not (
            g is not None and g["name"] in optional
        ):
            t.entities.pred += 1
            t.entities.pred_hit += int(g is not None)
        if g is None:
            continue
        found.add(g["name"])
        t.pred_to_gold[norm(p["name"])].add(g["name"])
        t.matched_entities += 1
        t.type_ok += int(str(p.get("type", "")).upper() == g["type"])
        t.country_ok += int((p.get("country") or None) == (g.get("country") or None))
    pred_forms = [(names_of(p), norm(p["name"])) for p in pred]
    for g in gold:
        if g.get("optional"):
            continue
        t.entities.gold += 1
        t.entities.gold_hit += int(g["name"] in found)
        forms = names_of(g)
        for p_forms, p_name in pred_forms:
            if forms & p_forms:
                t.gold_to_pred[g["name"]].add(p_name)


def _tally_events(t: _Tally, m: DocumentMatches) -> int:
    gold, pred = m.gold.get("events", []), m.pred.get("events", [])
    hits = 0
    for match in m.events:
        if match.gold is None:
            t.events.pred += 1
            continue
        g, p = gold[match.gold], pred[match.pred]
        if g.get("cluster"):
            # A prediction without a cluster is a cluster of its own.
            mine: object = str(p["cluster"]) if p.get("cluster") else (m.doc, match.pred)
            t.reports.append((m.doc, str(g["cluster"]), mine))
        if g.get("optional"):
            continue
        t.events.pred += 1
        t.events.pred_hit += 1
        hits += 1
        g_parts = participants(g)
        t.arg_shared += len(match.parts & g_parts)
        t.arg_pred += len(match.parts)
        t.arg_gold += len(g_parts)
        t.event_status_ok += int(event_status(p) == event_status(g))
        if g.get("date"):
            t.event_dated += 1
            t.event_dates_ok += int(same_date(p.get("date"), g["date"]))
    t.events.gold += sum(1 for g in gold if not g.get("optional"))
    t.events.gold_hit += hits
    return hits


def _tally_figures(t: _Tally, m: DocumentMatches) -> int:
    gold, pred = m.gold.get("figures", []), m.pred.get("figures", [])
    hits = 0
    for match in m.figures:
        if match.gold is None:
            t.figures.pred += 1
            continue
        g, p = gold[match.gold], pred[match.pred]
        if g.get("optional"):
            continue
        t.figures.pred += 1
        t.figures.pred_hit += 1
        hits += 1
        t.status_ok += int(p.get("status") == g["status"])
        t.measure_ok += int(p.get("measure") == g["measure"])
        if g.get("period"):
            t.period_total += 1
            t.period_ok += int(str(p.get("period") or "") == g["period"])
    t.figures.gold += sum(1 for g in gold if not g.get("optional"))
    t.figures.gold_hit += hits
    return hits


def _cluster_scores(t: _Tally, gold: Mapping[str, Item]) -> dict[str, Any] | None:
    """Pairs of matched reports in two documents: together in the prediction and in the gold."""
    members: dict[str, set[str]] = defaultdict(set)
    for name, g in gold.items():
        for e in g.get("events", []):
            if e.get("cluster"):
                members[str(e["cluster"])].add(name)
    if not members:
        return None
    c = Counts()
    for i, (doc_a, gold_a, mine_a) in enumerate(t.reports):
        for doc_b, gold_b, mine_b in t.reports[i + 1 :]:
            if doc_a == doc_b:
                continue
            both = mine_a == mine_b
            c.pred += both
            c.gold += gold_a == gold_b
            c.pred_hit += both and gold_a == gold_b
    c.gold_hit = c.pred_hit
    # Every pair of documents reporting one gold happening, found or not: what was reachable.
    possible = sum(len(docs) * (len(docs) - 1) // 2 for docs in members.values())
    return {**c.prf(), "gold_pairs_reached": c.gold, "gold_pairs": possible}


def score_matches(
    gold: Mapping[str, Item], pred: Mapping[str, Item], matches: Iterable[DocumentMatches]
) -> dict[str, Any]:
    """The scores of matches made by ``match_all`` (same keys and order as the referee's)."""
    t = _Tally()
    for m in matches:
        if m.gold.get("published"):
            t.dates_total += 1
            t.dates_ok += int(str(m.pred.get("published") or "")[:10] == m.gold["published"])
        _tally_entities(t, m)
        found_events = _tally_events(t, m)
        found_figures = _tally_figures(t, m)
        t.per_document[m.doc] = {"events_found": found_events, "figures_found": found_figures}
    split = sorted(k for k, v in t.gold_to_pred.items() if len(v) > 1)
    merged = {k: sorted(v) for k, v in sorted(t.pred_to_gold.items()) if len(v) > 1}
    matched = max(t.matched_entities, 1)
    figures_hit = max(t.figures.pred_hit, 1)
    args = Counts(t.arg_shared, t.arg_pred, t.arg_shared, t.arg_gold).prf()["f1"]
    return {
        "entities": {
            **t.entities.prf(),
            "type_accuracy": round(t.type_ok / matched, 4),
            "country_accuracy": round(t.country_ok / matched, 4),
        },
        "resolution": {"split": split, "merged": merged, "errors": len(split) + len(merged)},
        "events": {
            **t.events.prf(),
            "argument_f1": args if t.events.pred_hit else 0.0,
            "status_accuracy": round(t.event_status_ok / max(t.events.pred_hit, 1), 4),
            "date_accuracy": round(t.event_dates_ok / max(t.event_dated, 1), 4),
            "dated": t.event_dated,
        },
        "figures": {
            **t.figures.prf(),
            "status_accuracy": round(t.status_ok / figures_hit, 4),
            "measure_accuracy": round(t.measure_ok / figures_hit, 4),
            "period_accuracy": round(t.period_ok / max(t.period_total, 1), 4),
        },
        "published_date_accuracy": round(t.dates_ok / max(t.dates_total, 1), 4),
        "clusters": _cluster_scores(t, gold),
        "documents": {
            "gold": len(gold),
            "predicted": len(pred),
            "missing": sorted(set(gold) - set(pred)),
        },
        "per_document": t.per_document,
    }


def score(gold: Mapping[str, Item], pred: Mapping[str, Item], docs: Path) -> dict[str, Any]:
    """Score predictions against gold, both keyed by document file name."""
    return score_matches(gold, pred, match_all(gold, pred, docs))


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """The scores as lines for people, worded as the referee words them."""
    lines = []
    for part in ("entities", "events", "figures"):
        r = result[part]
        lines.append(
            f"{part:9} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  "
            f"(predicted {r['predicted']}, gold {r['gold']})"
        )
    e, v, f = result["entities"], result["events"], result["figures"]
    lines.append(
        f"entity type acc {e['type_accuracy']:.3f}, country acc {e['country_accuracy']:.3f}; "
        f"event argument F1 {v['argument_f1']:.3f}, status acc {v['status_accuracy']:.3f}, "
        f"date acc {v['date_accuracy']:.3f} (of {v['dated']} dated); "
        f"figure status acc {f['status_accuracy']:.3f}, "
        f"measure acc {f['measure_accuracy']:.3f}, period acc {f['period_accuracy']:.3f}"
    )
    res = result["resolution"]
    lines.append(
        f"resolution errors {res['errors']}: split {res['split']}, merged {list(res['merged'])}"
    )
    c = result.get("clusters")
    if c:
        lines.append(
            f"clusters  P {c['precision']:.3f}  R {c['recall']:.3f}  F1 {c['f1']:.3f}  "
            f"(pairs of reports of one event across documents; {c['gold_pairs_reached']} of "
            f"{c['gold_pairs']} gold pairs had both reports found)"
        )
    lines.append(
        f"published-date accuracy {result['published_date_accuracy']:.3f}; "
        f"documents missing from the prediction: {result['documents']['missing']}"
    )
    return lines
