"""Our scorer follows the annotation guide; on real predictions it agrees with the referee."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tieline.eval.gold import gold_records, project_evidence, read_gold
from tieline.eval.metrics import norm, score
from tieline.store.db import Store


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("raw", "want"),
    [("The Shanghai Cooperation Organisation", "shanghai cooperation organisation"),
     ("China Aerospace Science & Industry Corp.", "china aerospace science and industry corp"),
     ("U.S.", "u s")],
)
def test_norm_names_as_the_guide_says(raw: str, want: str) -> None:
    assert norm(raw) == want


def test_score_counts_matches_optionals_and_resolution(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Gazprom signed a deal with CNPC. Trade reached $10 billion.", encoding="utf-8")
    gold = {"a.txt": {"doc": "a.txt", "published": "2020-01-02", "entities": [
        {"name": "Gazprom", "type": "ORG", "country": "RU", "aliases": []},
        {"name": "China National Petroleum Corporation", "type": "ORG", "country": "CN", "aliases": ["CNPC"]},
        {"name": "Blue Stream", "type": "FACILITY", "country": None, "aliases": [], "optional": True},
    ], "events": [{"type": "agreement", "actors": ["Gazprom", "China National Petroleum Corporation"],
                   "evidence": "Gazprom signed a deal with CNPC"}],
        "figures": [{"unit": "USD", "value": 1e10, "status": "actual", "measure": "trade_turnover",
                     "period": "2019", "evidence": "Trade reached $10 billion"}]}}
    pred = {"a.txt": {"doc": "a.txt", "published": "2020-01-02", "entities": [
        {"name": "Gazprom", "type": "ORG", "country": "RU"},
        {"name": "CNPC", "type": "ORG", "country": None},
        {"name": "Moscow", "type": "COUNTRY", "country": "RU"},
    ], "events": [{"type": "agreement", "actors": ["Gazprom"], "evidence": "signed a deal"},
                  {"type": "supply", "actors": ["Gazprom"], "evidence": "signed a deal"}],
        "figures": [{"unit": "USD", "value": 1.005e10, "status": "target", "measure": "trade_turnover",
                     "period": "2019"}]}}
    r = score(gold, pred, docs)
    assert r["entities"]["predicted"] == 3 and r["entities"]["gold"] == 2
    assert r["entities"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["entities"]["recall"] == 1.0
    assert r["entities"]["country_accuracy"] == 0.5
    assert r["events"]["precision"] == 0.5 and r["events"]["recall"] == 1.0
    assert r["figures"]["f1"] == 1.0 and r["figures"]["status_accuracy"] == 0.0
    assert r["figures"]["period_accuracy"] == 1.0
    assert r["published_date_accuracy"] == 1.0
    assert r["resolution"]["errors"] == 0


def test_project_evidence_finds_the_escaped_source_text() -> None:
    source = "Russia exports upward of \\$2 billion in military\nequipment to China."
    assert project_evidence(source, "upward of $2 billion in military equipment") == (
        "upward of \\$2 billion in military equipment")
    assert project_evidence(source, "not there at all") == "not there at all"


@pytest.mark.slow
def test_our_scores_equal_the_referees_on_the_seeds(seeds: Path, referee: Path, seeds_db: Path,
                                                    tmp_path: Path) -> None:
    gold = seeds.parent.parent / "eval" / "seeds.gold.jsonl"
    with Store(str(seeds_db)) as store:
        rows = list(gold_records(store))
    pred = _write(tmp_path / "pred.jsonl", rows)
    ours = score(read_gold(gold), read_gold(pred), seeds)
    theirs = json.loads(subprocess.run(
        [sys.executable, str(referee), "--gold", str(gold), "--pred", str(pred), "--docs", str(seeds),
         "--json"], capture_output=True, text=True, check=True).stdout)
    assert ours == theirs


@pytest.mark.slow
def test_gold_export_names_every_seed_by_file_name(seeds: Path, seeds_db: Path) -> None:
    with Store(str(seeds_db)) as store:
        rows = list(gold_records(store))
    assert sorted(r["doc"] for r in rows) == sorted(p.name for p in seeds.iterdir())
    for r in rows:
        assert set(r) >= {"doc", "title", "published", "entities", "events", "figures"}
        for e in r["entities"]:
            assert e["name"] and e["type"]
