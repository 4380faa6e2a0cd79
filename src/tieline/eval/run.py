"""End-to-end evaluation: ingest a folder into a temporary store, export, score."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from tieline.config import Settings
from tieline.eval.gold import gold_records, read_gold
from tieline.eval.metrics import score
from tieline.scale.runner import ingest_paths
from tieline.store.db import Store


def predict(docs: Path, settings: Settings | None = None) -> dict[str, dict[str, Any]]:
    """The pipeline's predictions for a folder of documents, in the gold format, by file name."""
    settings = settings or Settings()
    with tempfile.TemporaryDirectory(prefix="tieline-eval-") as tmp:
        run = replace(settings, db=str(Path(tmp) / "eval.db"), progress=False)
        ingest_paths([docs], run)
        with Store(run.db) as store:
            return {r["doc"]: r for r in gold_records(store)}


def evaluate(gold: Path, docs: Path, settings: Settings | None = None) -> dict[str, Any]:
    """Score the pipeline on a folder of documents against a gold file."""
    return score(read_gold(gold), predict(docs, settings), docs)
