"""How well event clustering joins reports of one happening, scored on a gold cluster set.

``python -m tieline.eval.clusters ../shared/eval/clusters/clusters.gold.jsonl`` clusters the gold
events themselves (so extraction errors do not blur the measure) and prints pairwise precision,
recall and F1 over reports in different documents, as the referee counts them. With ``--cv`` the
evidence threshold is chosen on the other happenings and scored on each held-out group of
documents (documents that share a happening form one group), so the figure is never measured
on what chose it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from tieline.store import clusters as cl

THRESHOLDS = (2, 3, 4, 5, 6)


def gold_reports(path: Path) -> tuple[list[cl.Report], dict[str, str]]:
    """The gold events as reports, and each report's gold cluster."""
    reports: list[cl.Report] = []
    gold: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        country = {e["name"]: e.get("country") for e in d["entities"]}
        states = {e["name"] for e in d["entities"] if e["type"] in ("COUNTRY", "BLOC")}
        for i, e in enumerate(d["events"]):
            if not e.get("cluster"):
                continue
            rid = f"{d['doc']}#{i:03}"
            actors = frozenset(e["actors"])
            reports.append(
                cl.Report(
                    id=rid,
                    doc=d["doc"],
                    type=e["type"],
                    status=e.get("status") or "done",
                    date=e.get("date"),
                    published=d.get("published"),
                    sector=e.get("sector"),
                    actors=actors,
                    objects=frozenset(e["objects"]),
                    countries=frozenset(c for a in actors if (c := country.get(a))),
                    text=e["evidence"],
                    states=actors & states,
                )
            )
            gold[rid] = str(e["cluster"])
    return reports, gold


def pair_counts(
    reports: Sequence[cl.Report], gold: dict[str, str], pred: dict[str, str]
) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, gold pairs) over reports in different documents."""
    tp = n_pred = n_gold = 0
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            if a.doc == b.doc:
                continue
            g, p = gold[a.id] == gold[b.id], pred[a.id] == pred[b.id]
            tp += g and p
            n_pred += p
            n_gold += g
    return tp, n_pred, n_gold


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
    }


def _run(reports: list[cl.Report], gold: dict[str, str], threshold: int) -> tuple[int, int, int]:
    saved = cl.THRESHOLD
    cl.THRESHOLD = threshold
    try:
        return pair_counts(reports, gold, cl.cluster_reports(reports))
    finally:
        cl.THRESHOLD = saved


def doc_groups(reports: Sequence[cl.Report], gold: dict[str, str]) -> list[set[str]]:
    """Documents joined by a shared gold cluster: one group per story."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    first: dict[str, str] = {}
    for r in reports:
        find(r.doc)
        other = first.setdefault(gold[r.id], r.doc)
        parent[find(r.doc)] = find(other)
    groups: dict[str, set[str]] = {}
    for d in parent:
        groups.setdefault(find(d), set()).add(d)
    return sorted(groups.values(), key=lambda g: min(g))


def cross_validate(reports: list[cl.Report], gold: dict[str, str]) -> dict[str, Any]:
    """Leave one story out: the threshold chosen on the others, scored on it; pooled counts."""
    tp = n_pred = n_gold = 0
    chosen = []
    for group in doc_groups(reports, gold):
        rest = [r for r in reports if r.doc not in group]
        test = [r for r in reports if r.doc in group]
        best = choose_threshold(rest, gold)
        chosen.append(best)
        a, b, c = _run(test, gold, best)
        tp, n_pred, n_gold = tp + a, n_pred + b, n_gold + c
    return {**prf(tp, n_pred, n_gold), "thresholds": chosen, "shipped": cl.THRESHOLD}


def choose_threshold(reports: list[cl.Report], gold: dict[str, str]) -> int:
    """The threshold with the best pairwise F1 on these reports: the middle one when several
    tie, so that scores on unseen reports shifted a little either way stay on the plateau."""
    f1 = {t: prf(*_run(reports, gold, t))["f1"] for t in THRESHOLDS}
    best = [t for t in THRESHOLDS if f1[t] == max(f1.values())]
    return best[(len(best) - 1) // 2]


def train(reports: list[cl.Report], gold: dict[str, str], gold_path: Path) -> dict[str, Any]:
    """Choose the threshold on every story and write it to ``data/models/clusters.json``,
    with the leave-one-story-out figure that says how well the choice generalises."""
    threshold = choose_threshold(reports, gold)
    cv = cross_validate(reports, gold)
    model = {
        "threshold": threshold,
        "trained_on": gold_path.name,
        "stories": len(doc_groups(reports, gold)),
        "cv": {k: cv[k] for k in ("precision", "recall", "f1")},
    }
    where = Path(str(resources.files("tieline") / "data" / "models" / cl.MODEL_FILE))
    where.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {**model, "written": str(where)}


def main(argv: Sequence[str] | None = None) -> int:
    """Score clustering on a gold cluster set (``--cv``: threshold chosen by held-out story;
    ``--train``: write the threshold chosen on every story to the package)."""
    ap = argparse.ArgumentParser(prog="python -m tieline.eval.clusters", description=__doc__)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--cv", action="store_true", help="leave one story out for the threshold")
    ap.add_argument("--train", action="store_true", help="write the chosen threshold")
    args = ap.parse_args(argv)
    reports, gold = gold_reports(args.gold)
    if args.train:
        sys.stdout.write(json.dumps(train(reports, gold, args.gold)) + "\n")
        return 0
    out = (
        cross_validate(reports, gold)
        if args.cv
        else {**prf(*_run(reports, gold, cl.THRESHOLD)), "threshold": cl.THRESHOLD}
    )
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
