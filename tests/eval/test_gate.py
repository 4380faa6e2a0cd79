"""The eval gate on the seeds: no figure drops more than 0.005 below its pinned floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tieline.eval.gate import check, gold_hash
from tieline.eval.gold import gold_records, read_gold
from tieline.eval.metrics import score
from tieline.store.db import Store

BASELINE = Path(__file__).with_name("baseline.json")


def test_check_reports_drops_beyond_the_margin() -> None:
    result = {"events": {"f1": 0.80}, "resolution": {"errors": 1}}
    assert check(result, {"events.f1": 0.804}) == []
    assert check(result, {"events.f1": 0.81}) == ["events.f1 is 0.8000, below its floor 0.8100"]
    assert check(result, {}, {"resolution.errors": 0}) == [
        "resolution.errors is 1, above its ceiling 0"
    ]


@pytest.mark.slow
def test_seeds_stay_above_their_floors(seeds: Path, seeds_db: Path) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    gold = seeds.parent.parent / "eval" / "seeds.gold.jsonl"
    if gold_hash(gold) != baseline["gold_sha256"]:
        pytest.fail(
            "the seed gold set changed: re-measure and pin new floors in "
            "tests/eval/baseline.json on purpose"
        )
    with Store(str(seeds_db)) as store:
        pred = {r["doc"]: r for r in gold_records(store)}
    result = score(read_gold(gold), pred, seeds)
    assert check(result, baseline["floors"], baseline.get("ceilings")) == []


@pytest.mark.slow
def test_dev_corpus_stays_above_its_floors(seeds: Path, tmp_path: Path) -> None:
    from tieline.config import Settings
    from tieline.scale.runner import ingest_paths

    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["dev"]
    dev = seeds.parent.parent / "eval" / "dev"
    gold = dev / "dev.gold.jsonl"
    if not gold.is_file():
        pytest.skip(f"dev corpus not found at {dev} (../shared is absent on a user's clone)")
    if gold_hash(gold) != baseline["gold_sha256"]:
        pytest.fail(
            "the dev gold set changed: re-measure and pin new floors in "
            "tests/eval/baseline.json on purpose"
        )
    db = tmp_path / "dev.db"
    ingest_paths([dev / "docs"], Settings(db=str(db), progress=False))
    with Store(str(db)) as store:
        pred = {r["doc"]: r for r in gold_records(store)}
    result = score(read_gold(gold), pred, dev / "docs")
    assert check(result, baseline["floors"], baseline.get("ceilings")) == []
