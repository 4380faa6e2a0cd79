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


def evaluate(gold: Path, docs: Path, settings: Settings | None = None) -> dict[str, Any]:
    """Score the pipeline on a folder of documents against a gold file."""
    settings = settings or Settings()
    with tempfile.TemporaryDirectory(prefix="tieline-eval-") as tmp:
        run = replace(settings, db=str(Path(tmp) / "eval.db"), progress=False)
        ingest_paths([docs], run)
        with Store(run.db) as store:
            pred = {r["doc"]: r for r in gold_records(store)}
    return score(read_gold(gold), pred, docs)
