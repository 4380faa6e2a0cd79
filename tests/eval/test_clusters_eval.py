"""Clustering scored on the gold cluster set, the threshold chosen by held-out story."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieline.eval.clusters import cross_validate, doc_groups, gold_reports

GOLD = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "eval"
    / "clusters"
    / "clusters.gold.jsonl"
)


def test_cross_validated_clusters_on_gold_events() -> None:
    if not GOLD.is_file():
        pytest.skip(f"cluster gold not found at {GOLD} (../shared is absent on a user's clone)")
    reports, gold = gold_reports(GOLD)
    assert len(doc_groups(reports, gold)) >= 5  # stories, each held out once
    res = cross_validate(reports, gold)
    assert res["precision"] >= 0.85
    assert res["f1"] >= 0.80


@pytest.mark.slow
def test_extracted_reports_of_one_happening_cluster_as_the_referee_wants(
    referee: Path, tmp_path: Path
) -> None:
    """The pipeline's own events of the held-out cluster set, scored by the referee: pairwise
    precision >= 0.85 (issue 16's bar) and a regression floor under F1 and the pairs linked.

    Issue 16 asks F1 >= 0.80; measured 0.850 with 17 of 23 reached pairs linked, then 0.720
    with 18 of 31 once the decider found more reports, then 0.897 (P 0.963) with 26 of 31 once
    one article's reports of one pair of states named differently became one, a plan dated to
    its publication day joined what was done that day, and a facility's kind named in an
    undated clause joined that facility (clusters v4)."""
    import json
    import subprocess
    import sys

    from tieline.config import Settings
    from tieline.eval.gold import gold_records
    from tieline.scale.runner import ingest_paths
    from tieline.store.db import Store

    docs = GOLD.parent / "docs"
    if not GOLD.is_file() or not docs.is_dir():
        pytest.skip(f"cluster set not found at {GOLD.parent} (../shared is absent)")
    db = tmp_path / "s.db"
    ingest_paths([docs], Settings(db=str(db), progress=False))
    pred = tmp_path / "pred.jsonl"
    with Store(str(db)) as store:
        pred.write_text("".join(json.dumps(r) + "\n" for r in gold_records(store)), "utf-8")
    args = ["--gold", str(GOLD), "--pred", str(pred), "--docs", str(docs), "--json"]
    out = subprocess.run(
        [sys.executable, str(referee), *args], capture_output=True, text=True, check=True
    ).stdout
    clusters = json.loads(out)["clusters"]
    assert clusters["precision"] >= 0.85, clusters
    assert clusters["f1"] >= 0.85, clusters
    # Pairs of reports linked as the gold links them: recall over the pairs both found.
    assert round(clusters["recall"] * clusters["gold_pairs_reached"]) >= 25, clusters
