"""Scores of a prediction against gold annotations, by the rules GUIDE.md states.

Entities match on any shared normalised form; precision counts only COUNTRY, ORG, PERSON and
BLOC predictions; optional gold items neither help nor hurt. Events match on type, overlapping
evidence and a shared participant; figures on unit and value within 1 %, preferring the gold
figure of the same status. Resolution errors are gold entities split over several predicted
names, and predicted names that cover several gold entities, counted over the whole corpus.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCORED = frozenset({"COUNTRY", "ORG", "PERSON", "BLOC"})
TOLERANCE = 0.01


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def norm(name: str) -> str:
    """A name as compared: case-blind, no punctuation, '&' as 'and', no leading 'the'."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    s = " ".join(re.sub(r"[^\w\s]", " ", s).split())
    return s.removeprefix("the ") if s.startswith("the ") else s


def names_of(entity: Mapping[str, Any]) -> set[str]:
    raw = [entity.get("name") or "", *(entity.get("aliases") or [])]
    return {norm(x) for x in raw if x}


@dataclass
class Counts:
    """Matched and total counts on the predicted and the gold side."""

    pred_hit: int = 0
    pred: int = 0
    gold_hit: int = 0
    gold: int = 0

    def prf(self) -> dict[str, float | int]:
        p = self.pred_hit / self.pred if self.pred else (1.0 if self.gold == 0 else 0.0)
        r = self.gold_hit / self.gold if self.gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "predicted": self.pred, "gold": self.gold}


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
    status_ok: int = 0
    measure_ok: int = 0
    period_ok: int = 0
    period_total: int = 0
    dates_ok: int = 0
    dates_total: int = 0
    gold_to_pred: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pred_to_gold: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    per_document: dict[str, dict[str, int]] = field(default_factory=dict)


class _FormIndex:
    """Any surface form -> the gold entity of one document that carries it (first wins)."""

    def __init__(self, gold_entities: Iterable[Mapping[str, Any]]) -> None:
        self.owner: dict[str, str] = {}
        for g in gold_entities:
            for f in names_of(g):
                self.owner.setdefault(f, g["name"])

    def entity(self, pred: Mapping[str, Any]) -> str | None:
        return next((self.owner[f] for f in sorted(names_of(pred)) if f in self.owner), None)

    def name(self, surface: str) -> str | None:
        return self.owner.get(norm(surface))


def _span(text: str, quote: str | None) -> tuple[int, int] | None:
    if not quote:
        return None
    q = flat(quote)
    at = text.find(q) if q else -1
    return (at, at + len(q)) if at >= 0 else None


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _score_entities(t: _Tally, gold: list[dict[str, Any]], pred: list[dict[str, Any]],
                    idx: _FormIndex) -> None:
    found: set[str] = set()
    by_name = {g["name"]: g for g in reversed(gold)}
    for p in pred:
        g_name = idx.entity(p)
        g = by_name.get(g_name) if g_name is not None else None
        if str(p.get("type", "")).upper() in SCORED and not (g is not None and any(
                x.get("optional") for x in gold if x["name"] == g_name)):
            t.entities.pred += 1
            t.entities.pred_hit += int(g is not None)
        if g is None:
            continue
        found.add(g_name)
        t.pred_to_gold[norm(p["name"])].add(g_name)
        t.matched_entities += 1
        t.type_ok += int(str(p.get("type", "")).upper() == g["type"])
        t.country_ok += int((p.get("country") or None) == (g.get("country") or None))
    for g in gold:
        if g.get("optional"):
            continue
        t.entities.gold += 1
        t.entities.gold_hit += int(g["name"] in found)
        forms = names_of(g)
        for p in pred:
            if forms & names_of(p):
                t.gold_to_pred[g["name"]].add(norm(p["name"]))


def _score_events(t: _Tally, gold: list[dict[str, Any]], pred: list[dict[str, Any]],
                  idx: _FormIndex, text: str) -> int:
    taken: set[int] = set()
    hits = 0
    for p in pred:
        p_span = _span(text, p.get("evidence"))
        p_parts = {idx.name(a) for a in [*(p.get("actors") or []), *(p.get("objects") or [])]} - {None}
        match = None
        for i, g in enumerate(gold):
            if i in taken or g.get("type") != p.get("type"):
                continue
            g_parts = {*g.get("actors", []), *g.get("objects", [])}
            if _overlap(p_span, _span(text, g.get("evidence"))) and p_parts & g_parts:
                match = i
                break
        if match is None:
            t.events.pred += 1
            continue
        taken.add(match)
        g = gold[match]
        if g.get("optional"):
            continue
        t.events.pred += 1
        t.events.pred_hit += 1
        hits += 1
        g_parts = {*g.get("actors", []), *g.get("objects", [])}
        t.arg_shared += len(p_parts & g_parts)
        t.arg_pred += len(p_parts)
        t.arg_gold += len(g_parts)
    t.events.gold += sum(1 for g in gold if not g.get("optional"))
    t.events.gold_hit += hits
    return hits


def _value_close(p: Any, g: Any) -> bool:
    try:
        pv, gv = float(p), float(g)
    except (TypeError, ValueError):
        return False
    return abs(pv - gv) <= TOLERANCE * max(abs(gv), 1e-9)


def _score_figures(t: _Tally, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> int:
    taken: set[int] = set()
    hits = 0
    for p in pred:
        candidates = [i for i, g in enumerate(gold)
                      if i not in taken and p.get("unit") == g["unit"] and _value_close(p.get("value"), g["value"])]
        same = [i for i in candidates if gold[i]["status"] == p.get("status")]
        match = (same or candidates or [None])[0]
        if match is None:
            t.figures.pred += 1
            continue
        taken.add(match)
        g = gold[match]
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


def score(gold: Mapping[str, dict[str, Any]], pred: Mapping[str, dict[str, Any]],
          docs: Path) -> dict[str, Any]:
    """Score predictions against gold, both keyed by document file name."""
    t = _Tally()
    for name, g in gold.items():
        p = pred.get(name, {})
        path = docs / name
        text = flat(path.read_text(encoding="utf-8", errors="replace")) if path.exists() else ""
        idx = _FormIndex(g.get("entities", []))
        if g.get("published"):
            t.dates_total += 1
            t.dates_ok += int(str(p.get("published") or "")[:10] == g["published"])
        _score_entities(t, list(g.get("entities", [])), [e for e in p.get("entities", []) if e.get("name")], idx)
        ev = _score_events(t, g.get("events", []), p.get("events", []), idx, text)
        fg = _score_figures(t, g.get("figures", []), p.get("figures", []))
        t.per_document[name] = {"events_found": ev, "figures_found": fg}
    split = sorted(k for k, v in t.gold_to_pred.items() if len(v) > 1)
    merged = {k: sorted(v) for k, v in sorted(t.pred_to_gold.items()) if len(v) > 1}
    m = max(t.matched_entities, 1)
    mf = max(t.figures.pred_hit, 1)
    return {
        "entities": {**t.entities.prf(), "type_accuracy": round(t.type_ok / m, 4),
                     "country_accuracy": round(t.country_ok / m, 4)},
        "resolution": {"split": split, "merged": merged, "errors": len(split) + len(merged)},
        "events": {**t.events.prf(), "argument_f1": Counts(t.arg_shared, t.arg_pred, t.arg_shared,
                                                           t.arg_gold).prf()["f1"]
                   if t.events.pred_hit else 0.0},
        "figures": {**t.figures.prf(), "status_accuracy": round(t.status_ok / mf, 4),
                    "measure_accuracy": round(t.measure_ok / mf, 4),
                    "period_accuracy": round(t.period_ok / max(t.period_total, 1), 4)},
        "published_date_accuracy": round(t.dates_ok / max(t.dates_total, 1), 4),
        "documents": {"gold": len(gold), "predicted": len(pred),
                      "missing": sorted(set(gold) - set(pred))},
        "per_document": t.per_document,
    }


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """The figures as lines for people."""
    lines = []
    for part in ("entities", "events", "figures"):
        r = result[part]
        lines.append(f"{part:9} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  "
                     f"(predicted {r['predicted']}, gold {r['gold']})")
    e, v, f = result["entities"], result["events"], result["figures"]
    lines.append(f"entity type acc {e['type_accuracy']:.3f}, country acc {e['country_accuracy']:.3f}; "
                 f"event argument F1 {v['argument_f1']:.3f}; figure status acc {f['status_accuracy']:.3f}, "
                 f"measure acc {f['measure_accuracy']:.3f}, period acc {f['period_accuracy']:.3f}")
    res = result["resolution"]
    lines.append(f"resolution errors {res['errors']}: split {res['split']}, merged {list(res['merged'])}")
    lines.append(f"published-date accuracy {result['published_date_accuracy']:.3f}; "
                 f"documents missing from the prediction: {result['documents']['missing']}")
    return lines
