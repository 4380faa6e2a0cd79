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
