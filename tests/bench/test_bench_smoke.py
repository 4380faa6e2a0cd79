"""The benchmark's parts work (timings are measured by `make bench`, never asserted here)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import load_module

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    return load_module(f"bench_{name}", BENCH / f"{name}.py")


def _latency(fn: Any, runs: int, warmup: bool = True) -> dict[str, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": statistics.median(times), "p95_ms": max(times)}


def test_generator_is_deterministic() -> None:
    gen = _load("generate")
    a = list(gen.generate(3, seed=5))
    b = list(gen.generate(3, seed=5))
    c = list(gen.generate(3, seed=6))
    assert a == b
    assert [t for _, t in a] != [t for _, t in c]
    for name, text in a:
        assert name.endswith(".txt")
        assert 450 <= len(text.split()) <= 900  # about 600 words
        assert "Published Date :" in text


def test_bigstore_builds_and_queries(tmp_path: Path) -> None:
    big = _load("bigstore")
    out = big.query_bench(tmp_path / "big.db", 200, _latency, runs=2)
    assert out["n_events"] == 200
    counts = out["bigstore"]["counts"]
    assert counts["documents"] == 50
    assert counts["event_participants"] >= 2 * counts["events"]
    assert counts["figures"] > 0
    assert counts["mentions"] > counts["doc_entities"] > 0
    assert counts["entities"] > 0
    for kind in ("entity", "event", "search", "timeline"):
        assert out[f"query_{kind}_p95_ms"] >= out[f"query_{kind}_p50_ms"] >= 0
        assert out["query_functions"][kind].startswith("tieline.query.")
    # keys carry the size they were measured at, never "_1m" for a small store
    assert out["size"] == "200"
    assert not any(k.endswith("_1m") for k in out)
    assert out["query_p95_ms_200_warm"] == max(
        out[f"query_{k}_p95_ms"] for k in ("entity", "event", "search", "timeline")
    )
    assert out["query_p95_ms_200_cold"] == max(
        v["p95_ms"] for v in out["query_first_pass_ms"].values()
    )
    assert isinstance(out["cache_dropped"], bool)
    assert out["export_documents"] == 50
    assert out["export_s_200"] >= 0


@pytest.mark.slow
def test_incremental_bench_measures_adding_to_a_store(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(BENCH))
    big = _load("bigstore")
    inc = _load("incremental")
    big.build(tmp_path / "s.db", 120)  # 30 documents, linked without tokens
    out = inc.incremental_bench(tmp_path / "s.db", 3, seed=11)
    key = out["incremental"]["key"]
    assert key == "add_3_docs_vs_empty_ratio_30_docs"
    assert out[key] > 0
    assert "relink_full_s_30_docs" in out  # the first run links the generated store in full
    assert not out["incremental"]["into_store"]["link_was_full"]
    # Its clusters are written once in full too; the timed add places only its own events.
    assert "recluster_full_s_30_docs" in out
    assert "signatures_s_30_docs" in out  # the generated documents signed as ingest signs
    assert out["incremental"]["into_store"]["cluster_pass"]["new"] > 0
    assert out["incremental"]["into_empty"]["total_s"] > 0
    assert inc.docs_label(250_000) == "250k"
