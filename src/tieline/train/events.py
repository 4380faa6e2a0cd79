"""Train the event decider from annotated articles (``make train``).

Every candidate of every annotated document is labelled by the referee's rule: it is an event
when a required gold event has its type, an evidence overlapping its own and a shared
participant. A logistic regression over the decider's hashed features and the candidates'
standardised token vectors learns to keep them; its
threshold is chosen on out-of-fold scores of the training documents. Everything is sorted and
seeded, so the same annotations give the same file.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.eval.gold import project_evidence, read_gold
from tieline.extract import resolve
from tieline.extract.events import EventCandidate, find_candidates
from tieline.extract.events.decide import DIM, TrainedDecider, vectorize
from tieline.extract.pipeline import Pipeline
from tieline.records import Document, Event

SEED = 0
C = 0.5
# Class weights of the regression (None: every candidate counts once).
CLASS_WEIGHT: str | None = None
# Whether the parser's token vectors join the hashed features, and how loud they are: the
# regularisation is shared, so the gain sets their prior weight against the sparse features.
DENSE = True
DENSE_GAIN = 0.03
FOLDS = 5
# Threshold search favours precision a little: a wrong line in a briefing costs more than a
# missing one.
BETA = 0.8


@dataclass(frozen=True)
class Annotated:
    """One annotated document with its candidates."""

    name: str
    doc: Document
    source: str
    candidates: tuple[EventCandidate, ...]
    entities: tuple[dict[str, Any], ...]
    gold: dict[str, Any]


def referee(gold_dir: Path) -> ModuleType:
    """The referee's module (``score.py`` beside the gold folders)."""
    path = gold_dir.parent / "score.py"
    if not path.exists():
        raise ConfigError(f"{path}: no referee next to the gold set")
    spec = importlib.util.spec_from_file_location("tieline_referee", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: cannot load the referee")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold_file(folder: Path) -> Path:
    """The gold JSONL of an annotated folder (``dev/dev.gold.jsonl``)."""
    found = sorted(folder.glob("*.gold.jsonl"))
    if not found:
        raise ConfigError(f"{folder}: no *.gold.jsonl in it")
    return found[0]


def load_annotated(
    folder: Path, settings: Settings | None = None, *, gold_path: Path | None = None
) -> list[Annotated]:
    """Parse and read every annotated document of a folder, sorted by file name.

    ``folder`` holds ``docs/`` and its ``*.gold.jsonl``, or (with ``gold_path``) the documents.
    """
    from tieline.scale.runner import load_inputs

    settings = settings or Settings(progress=False)
    gold = read_gold(gold_path or gold_file(folder))
    docs_dir = folder / "docs" if (folder / "docs").is_dir() else folder
    docs = sorted(load_inputs([docs_dir], settings).documents, key=lambda d: d.name)
    docs = [d for d in docs if Path(d.name).name in gold]
    pipe = Pipeline(settings)
    out = []
    for d, sdoc in zip(docs, pipe.nlp.pipe([d.text for d in docs], batch_size=16), strict=True):
        mentions, entities = resolve.resolve_document(sdoc, pipe.gazetteer)
        cands = find_candidates(d, sdoc, mentions, entities, pipe.gazetteer)
        name = Path(d.name).name
        source = (docs_dir / name).read_text(encoding="utf-8", errors="replace")
        ents = tuple(
            {"name": e.name, "type": e.type, "country": e.country, "aliases": list(e.aliases)}
            for e in entities
        )
        out.append(Annotated(name, d, source, tuple(cands), ents, gold[name]))
    return out


def _flat(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).split())


def labels(a: Annotated, ref: ModuleType) -> list[int | None]:
    """1 when a candidate matches a required gold event, 0 when none, None for optional only."""
    text = ref.norm_text(a.source)
    resolver = ref.Resolver(a.gold.get("entities", []))
    gold = [
        (g, ref.span(text, g.get("evidence")), {*g.get("actors", []), *g.get("objects", [])})
        for g in a.gold.get("events", [])
    ]
    out: list[int | None] = []
    for c in a.candidates:
        e = c.event
        span = ref.span(text, project_evidence(a.source, e.evidence))
        parts = {resolver.gold_name(p.name) for p in e.participants} - {None}
        hits = [
            g
            for g, gs, gp in gold
            if g.get("type") == e.type and ref.overlaps(span, gs) and parts & gp
        ]
        if any(not g.get("optional") for g in hits):
            out.append(1)
        else:
            out.append(None if hits else 0)
    return out


def _matrix(cands: Sequence[EventCandidate]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for r, c in enumerate(cands):
        for i, x in sorted(vectorize(c).items()):
            rows.append(r)
            cols.append(i)
            vals.append(x)
    return csr_matrix((vals, (rows, cols)), shape=(len(cands), DIM))


def _dense_width(cands: Sequence[EventCandidate]) -> int:
    """The length of the candidates' token vectors, 0 when any lacks one (or DENSE is off)."""
    widths = {len(c.vector) for c in cands}
    return widths.pop() if DENSE and len(widths) == 1 else 0


def _fit_weights(cands: Sequence[EventCandidate], ys: Sequence[int]) -> dict[str, Any]:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    x = _matrix(cands)
    width = _dense_width(cands)
    mean: list[float] = []
    scale: list[float] = []
    if width:
        dense = np.array([c.vector for c in cands], dtype=float)
        mu, sd = dense.mean(axis=0), dense.std(axis=0)
        mean = [round(float(v), 5) for v in mu]
        scale = [round(float(v), 5) or 1.0 for v in sd]
        z = (dense - np.array(mean)) / np.array(scale) * DENSE_GAIN
        x = hstack([x, csr_matrix(z)]).tocsr()
    model = LogisticRegression(
        C=C, solver="liblinear", random_state=SEED, max_iter=1000, class_weight=CLASS_WEIGHT
    )
    model.fit(x, list(ys))
    coef = [float(w) for w in model.coef_[0]]
    return {
        "weights": [round(w, 5) for w in coef[:DIM]],
        "bias": round(float(model.intercept_[0]), 5),
        # The gain is folded into the weights: the decider reads (x - mean) / scale.
        "dense_weights": [round(w * DENSE_GAIN, 5) for w in coef[DIM:]],
        "dense_mean": mean,
        "dense_scale": scale,
    }


def _training_rows(
    docs: Sequence[Annotated], ref: ModuleType
) -> list[tuple[int, EventCandidate, int]]:
    rows = []
    for k, a in enumerate(docs):
        for c, y in zip(a.candidates, labels(a, ref), strict=True):
            # What the text does not state is never added, so it is not learned from either.
            if y is not None and (c.stated or c.rule_keep):
                rows.append((k, c, y))
    return rows


def _best_threshold(probs: Sequence[float], ys: Sequence[int], fixed: Sequence[bool]) -> float:
    """The threshold with the best F-beta, the rules' events (``fixed``) always counted."""
    best, best_t = -1.0, 0.5
    total = sum(ys)
    for step in range(10, 96):
        t = step / 100
        tp = sum(1 for p, y, k in zip(probs, ys, fixed, strict=True) if (k or p >= t) and y)
        n = sum(1 for p, k in zip(probs, fixed, strict=True) if k or p >= t)
        if not n or not tp:
            continue
        prec, rec = tp / n, tp / max(total, 1)
        f = (1 + BETA**2) * prec * rec / (BETA**2 * prec + rec)
        if f > best:
            best, best_t = f, t
    return best_t


def fit(docs: Sequence[Annotated], ref: ModuleType) -> dict[str, Any]:
    """A decider model trained on these documents (threshold from inner folds)."""
    rows = _training_rows(docs, ref)
    cands = [c for _, c, _ in rows]
    ys = [y for _, _, y in rows]
    # Out-of-fold scores inside the training documents choose the threshold.
    probs = [0.0] * len(rows)
    inner = 4
    for f in range(inner):
        tr = [i for i, (k, _, _) in enumerate(rows) if k % inner != f]
        te = [i for i, (k, _, _) in enumerate(rows) if k % inner == f]
        if not te or len({ys[i] for i in tr}) < 2:
            continue
        dec = TrainedDecider(
            {**_fit_weights([cands[i] for i in tr], [ys[i] for i in tr]), "threshold": 0.5}
        )
        for i in te:
            probs[i] = dec.score(cands[i])
    threshold = _best_threshold(probs, ys, [c.rule_keep for c in cands])
    return {
        **_fit_weights(cands, ys),
        "kind": "logistic",
        "dim": DIM,
        "threshold": threshold,
        "documents": len(docs),
        "candidates": len(rows),
        "positives": sum(ys),
        "C": C,
        "seed": SEED,
    }


def prediction(a: Annotated, events: Sequence[Event]) -> dict[str, Any]:
    """A document's events in the gold format, for the referee."""
    return {
        "doc": a.name,
        "published": a.doc.published,
        "entities": list(a.entities),
        "events": [
            {
                "type": e.type,
                "actors": list(dict.fromkeys(p.name for p in e.participants if p.role != "object")),
                "objects": list(
                    dict.fromkeys(p.name for p in e.participants if p.role == "object")
                ),
                "sector": e.sector,
                "date": e.date,
                "status": e.status,
                "evidence": project_evidence(a.source, e.evidence),
            }
            for e in events
        ],
        "figures": [],
    }


def save(model: dict[str, Any], path: Path) -> None:
    """Write a model file: small, stable JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """python -m tieline.train.events [DEV_FOLDER] [OUT]: train and write the model."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else Path("../shared/eval/dev")
    out = (
        Path(args[1])
        if len(args) > 1
        else (Path(__file__).resolve().parents[1] / "data" / "models" / "events.json")
    )
    if not folder.is_dir():
        sys.stderr.write(f"{folder}: no annotated folder; pass the dev folder\n")
        return 2
    ref = referee(folder)
    docs = load_annotated(folder)
    model = fit(docs, ref)
    save(model, out)
    sys.stdout.write(
        f"wrote {out}: {model['candidates']} candidates, {model['positives']} "
        f"positive, threshold {model['threshold']}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
