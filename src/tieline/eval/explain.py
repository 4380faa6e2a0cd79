"""Why a score is what it is: the errors behind it, document by document.

Read off the same matches as the scores (``metrics.match_all``), so every error listed here is
one the scores count: gold items missed, predicted items that match nothing (for entities, only
the scored types, whose gold is exhaustive), and matched items whose type, country, status,
date, participants, measure or period differ from the gold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from tieline.eval.metrics import (
    SCORED,
    DocumentMatches,
    Item,
    event_status,
    participants,
    same_date,
)

EVIDENCE_CHARS = 90


def _entity(e: Mapping[str, Any]) -> Item:
    return {"name": e.get("name"), "type": e.get("type"), "country": e.get("country")}


def _event(e: Mapping[str, Any]) -> Item:
    return {
        "type": e.get("type"),
        "actors": list(e.get("actors") or []),
        "objects": list(e.get("objects") or []),
        "status": event_status(e),
        "date": e.get("date"),
        "evidence": e.get("evidence"),
    }


def _figure(f: Mapping[str, Any]) -> Item:
    return {
        "measure": f.get("measure"),
        "value": f.get("value"),
        "unit": f.get("unit"),
        "status": f.get("status"),
        "period": f.get("period"),
        "evidence": f.get("evidence"),
    }


def _wrong(kind: str, what: str, pred: Any, gold: Any, item: Item) -> Item:
    return {"kind": kind, "field": what, "predicted": pred, "gold": gold, "item": item}


def _entity_errors(m: DocumentMatches, out: dict[str, list[Item]]) -> None:
    gold = list(m.gold.get("entities", []))
    pred = m.pred_entities
    found = {gold[x.gold]["name"] for x in m.entities if x.gold is not None}
    out["missed"] += [
        {"kind": "entities", "item": _entity(g)}
        for g in gold
        if not g.get("optional") and g["name"] not in found
    ]
    for x in m.entities:
        p = pred[x.pred]
        if x.gold is None:
            if str(p.get("type", "")).upper() in SCORED:
                out["spurious"].append({"kind": "entities", "item": _entity(p)})
            continue
        g = gold[x.gold]
        if str(p.get("type", "")).upper() != g["type"]:
            out["wrong"].append(_wrong("entities", "type", p.get("type"), g["type"], _entity(g)))
        if (p.get("country") or None) != (g.get("country") or None):
            out["wrong"].append(
                _wrong("entities", "country", p.get("country"), g.get("country"), _entity(g))
            )


def _event_errors(m: DocumentMatches, out: dict[str, list[Item]]) -> None:
    gold, pred = m.gold.get("events", []), m.pred.get("events", [])
    matched = {x.gold for x in m.events if x.gold is not None}
    out["missed"] += [
        {"kind": "events", "item": _event(g)}
        for i, g in enumerate(gold)
        if not g.get("optional") and i not in matched
    ]
    for x in m.events:
        if x.gold is None:
            out["spurious"].append({"kind": "events", "item": _event(pred[x.pred])})
            continue
        g, p = gold[x.gold], pred[x.pred]
        if g.get("optional"):
            continue
        item = _event(g)
        g_parts = participants(g)
        if x.parts != g_parts:
            out["wrong"].append(
                _wrong("events", "participants", sorted(x.parts), sorted(g_parts), item)
            )
        if event_status(p) != event_status(g):
            out["wrong"].append(_wrong("events", "status", event_status(p), event_status(g), item))
        if g.get("date") and not same_date(p.get("date"), g["date"]):
            out["wrong"].append(_wrong("events", "date", p.get("date"), g["date"], item))


def _figure_errors(m: DocumentMatches, out: dict[str, list[Item]]) -> None:
    gold, pred = m.gold.get("figures", []), m.pred.get("figures", [])
    matched = {x.gold for x in m.figures if x.gold is not None}
    out["missed"] += [
        {"kind": "figures", "item": _figure(g)}
        for i, g in enumerate(gold)
        if not g.get("optional") and i not in matched
    ]
    for x in m.figures:
        if x.gold is None:
            out["spurious"].append({"kind": "figures", "item": _figure(pred[x.pred])})
            continue
        g, p = gold[x.gold], pred[x.pred]
        if g.get("optional"):
            continue
        item = _figure(g)
        for what in ("status", "measure"):
            if p.get(what) != g[what]:
                out["wrong"].append(_wrong("figures", what, p.get(what), g[what], item))
        if g.get("period") and str(p.get("period") or "") != g["period"]:
            out["wrong"].append(_wrong("figures", "period", p.get("period"), g["period"], item))


def explain(matches: Iterable[DocumentMatches]) -> dict[str, Any]:
    """Errors per document (only documents with some) and their count by kind."""
    documents: dict[str, dict[str, list[Item]]] = {}
    counts: Counter[str] = Counter()
    for m in matches:
        out: dict[str, list[Item]] = {"missed": [], "spurious": [], "wrong": []}
        _entity_errors(m, out)
        _event_errors(m, out)
        _figure_errors(m, out)
        for what in ("missed", "spurious"):
            counts.update(f"{e['kind']}.{what}" for e in out[what])
        counts.update(f"{e['kind']}.{e['field']}" for e in out["wrong"])
        if any(out.values()):
            documents[m.doc] = out
    return {
        "documents": documents,
        "counts": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _short(text: Any) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= EVIDENCE_CHARS else s[: EVIDENCE_CHARS - 3] + "..."


def _describe(kind: str, item: Mapping[str, Any]) -> str:
    if kind == "entities":
        return f"entity {item['name']} ({item['type']}, {item['country'] or '-'})"
    if kind == "events":
        who = ", ".join([*item["actors"], *item["objects"]]) or "-"
        return f'event {item["type"]} [{who}] "{_short(item["evidence"])}"'
    value = item["value"]
    shown = f"{value:g}" if isinstance(value, int | float) else str(value)
    return (
        f"figure {shown} {item['unit']} {item['measure'] or '-'} {item['status']} "
        f'"{_short(item["evidence"])}"'
    )


def _difference(e: Mapping[str, Any]) -> str:
    if e["field"] == "participants":
        # Lists of names are long: say only what is missing and what is extra.
        missing = sorted(set(e["gold"]) - set(e["predicted"]))
        extra = sorted(set(e["predicted"]) - set(e["gold"]))
        return f"participants: missing {missing}, extra {extra}"
    return f"{e['field']}: predicted {e['predicted']!r}, gold {e['gold']!r}"


def explain_lines(explained: Mapping[str, Any]) -> list[str]:
    """The error listing as lines for people."""
    lines: list[str] = []
    for doc, out in explained["documents"].items():
        lines.append(
            f"{doc}: {len(out['missed'])} missed, {len(out['spurious'])} spurious, "
            f"{len(out['wrong'])} wrong"
        )
        for e in out["missed"]:
            lines.append(f"  missed    {_describe(e['kind'], e['item'])}")
        for e in out["spurious"]:
            lines.append(f"  spurious  {_describe(e['kind'], e['item'])}")
        for e in out["wrong"]:
            lines.append(f"  wrong     {_difference(e)}; {_describe(e['kind'], e['item'])}")
    counts = explained["counts"]
    lines.append(
        "errors by kind: "
        + (", ".join(f"{k} {v}" for k, v in counts.items()) if counts else "none")
    )
    return lines
