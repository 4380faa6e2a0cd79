"""Honest numbers for the event decider: 5-fold cross-validation by document.

The annotated documents are split into folds by sorted file name; for each fold the decider is
trained on the other folds and predicts this one. The predictions of all folds are scored
together by the referee, beside the rule decider's on the same candidates and the trained
decider's on the documents it was trained on (which flatters it).

    python -m tieline.train.cv [../shared/eval/dev]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tieline.eval.gold import project_evidence
from tieline.extract.events.decide import TrainedDecider, rule_decide
from tieline.train.events import (
    FOLDS,
    Annotated,
    fit,
    gold_file,
    load_annotated,
    prediction,
    referee,
)


def _score(
    docs: Sequence[Annotated], preds: dict[str, dict[str, Any]], folder: Path, ref: Any
) -> dict[str, Any]:
    gold = ref.load(gold_file(folder))
    docs_dir = folder / "docs" if (folder / "docs").is_dir() else folder
    scores: dict[str, Any] = ref.score(gold, preds, docs_dir)
    return dict(scores["events"])


def candidate_recall(docs: Sequence[Annotated], ref: Any) -> float:
    """Share of required gold events that some candidate matches: the deciders' ceiling."""
    hit = total = 0
    for a in docs:
        text = ref.norm_text(a.source)
        resolver = ref.Resolver(a.gold.get("entities", []))
        for g in a.gold.get("events", []):
            if g.get("optional"):
                continue
            total += 1
            gs = ref.span(text, g.get("evidence"))
            gp = {*g.get("actors", []), *g.get("objects", [])}
            for c in a.candidates:
                e = c.event
                if (
                    e.type == g.get("type")
                    and ref.overlaps(ref.span(text, project_evidence(a.source, e.evidence)), gs)
                    and ({resolver.gold_name(p.name) for p in e.participants} & gp)
                ):
                    hit += 1
                    break
    return round(hit / max(total, 1), 4)


MISS_KINDS = ("kept", "below_threshold", "not_stated", "participants", "type", "no_candidate")


def miss_breakdown(
    docs: Sequence[Annotated], preds: dict[str, dict[str, Any]], ref: Any
) -> dict[str, int]:
    """Why each required gold event was or was not predicted, by the referee's matching rule.

    ``kept``: a predicted event matches it. Otherwise the closest candidate whose evidence
    overlaps it says why: one matching it was scored below the threshold (or folded into
    another), or was not stated (negated, speculative); one of its type names other
    participants; only other types overlap it; or no candidate overlaps it at all.
    """
    out = dict.fromkeys(MISS_KINDS, 0)
    for a in docs:
        text = ref.norm_text(a.source)
        resolver = ref.Resolver(a.gold.get("entities", []))

        def parts(names: Any, resolver: Any = resolver) -> set[str]:
            return {resolver.gold_name(n) for n in names} - {None}

        predicted = [
            (e["type"], ref.span(text, e.get("evidence")), parts(e["actors"] + e["objects"]))
            for e in preds.get(a.name, {}).get("events", [])
        ]
        cands = [
            (
                c,
                ref.span(text, project_evidence(a.source, c.event.evidence)),
                parts(p.name for p in c.event.participants),
            )
            for c in a.candidates
        ]
        for g in a.gold.get("events", []):
            if g.get("optional"):
                continue
            gs = ref.span(text, g.get("evidence"))
            gp = {*g.get("actors", []), *g.get("objects", [])}
            if any(t == g["type"] and ref.overlaps(s, gs) and p & gp for t, s, p in predicted):
                out["kept"] += 1
                continue
            near = [(c, p) for c, s, p in cands if ref.overlaps(s, gs)]
            same = [(c, p) for c, p in near if c.event.type == g["type"]]
            match = [c for c, p in same if p & gp]
            if any(c.stated or c.rule_keep for c in match):
                out["below_threshold"] += 1
            elif match:
                out["not_stated"] += 1
            elif same:
                out["participants"] += 1
            elif near:
                out["type"] += 1
            else:
                out["no_candidate"] += 1
    return out


def cross_validate(
    folder: Path, folds: int = FOLDS, seeds: tuple[Path, Path] | None = None
) -> dict[str, Any]:
    """Referee event scores: rules, trained (cross-validated) and trained on all.

    With ``seeds`` (documents folder, gold file) the seeds are scored too, by the rules and by
    the model trained on all of ``folder``.
    """
    ref = referee(folder)
    docs = load_annotated(folder)
    rules = {a.name: prediction(a, rule_decide(a.candidates)) for a in docs}
    cv: dict[str, dict[str, Any]] = {}
    for f in range(folds):
        train = [a for k, a in enumerate(docs) if k % folds != f]
        test = [a for k, a in enumerate(docs) if k % folds == f]
        dec = TrainedDecider(fit(train, ref))
        for a in test:
            cv[a.name] = prediction(a, dec(a.candidates))
    dec_all = TrainedDecider(fit(docs, ref))
    on_all = {a.name: prediction(a, dec_all(a.candidates)) for a in docs}
    seed_scores: dict[str, Any] = {}
    if seeds is not None:
        sdocs = load_annotated(seeds[0], gold_path=seeds[1])
        sgold = ref.load(seeds[1])
        deciders: tuple[tuple[str, Any], ...] = (("rules", rule_decide), ("trained", dec_all))
        for name, dec in deciders:
            preds = {a.name: prediction(a, dec(a.candidates)) for a in sdocs}
            seed_scores[name] = dict(ref.score(sgold, preds, seeds[0])["events"])
    return {
        "seeds": seed_scores,
        "documents": len(docs),
        "candidates": sum(len(a.candidates) for a in docs),
        "candidate_recall": candidate_recall(docs, ref),
        "rules": _score(docs, rules, folder, ref),
        "trained_cv": _score(docs, cv, folder, ref),
        "trained_cv_misses": miss_breakdown(docs, cv, ref),
        "trained_on_all": _score(docs, on_all, folder, ref),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cross-validated event scores as JSON."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else Path("../shared/eval/dev")
    if not folder.is_dir():
        sys.stderr.write(f"{folder}: no annotated folder; pass the dev folder\n")
        return 2
    seeds = (folder.parents[1] / "corpus" / "seeds", folder.parent / "seeds.gold.jsonl")
    result = cross_validate(
        folder, seeds=seeds if seeds[0].is_dir() and seeds[1].exists() else None
    )
    sys.stdout.write(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
