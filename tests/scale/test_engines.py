"""The process and Ray engines store the same facts, with the same ids, as the local engine."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tieline.config import Settings
from tieline.records import Document, Extraction
from tieline.scale.executor import Executor, make_executor, map_in_order, split
from tieline.scale.runner import ingest_documents, load_inputs
from tieline.store import reads
from tieline.store.db import Store


def _docs(n: int) -> list[Document]:
    return [
        Document(id=f"{i:016x}", source_key=f"/c/{i}", text=f"text {i}", name=f"{i}.txt")
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "parts", "sizes"),
    [
        (10, 2, [5, 5]),
        (7, 3, [3, 2, 2]),
        (2, 4, [1, 1]),
        (1, 1, [1]),
        (0, 2, []),
    ],
)
def test_split_keeps_order_and_sizes(n: int, parts: int, sizes: list[int]) -> None:
    batch = _docs(n)
    chunks = split(batch, parts)
    assert [len(c) for c in chunks] == sizes
    assert [d for c in chunks for d in c] == batch


def test_map_in_order_yields_batches_in_input_order_whatever_finishes_first() -> None:
    rng = random.Random(3)
    docs = _docs(40)
    batches = [docs[i : i + 6] for i in range(0, len(docs), 6)]

    def work(chunk: Sequence[Document]) -> list[Extraction]:
        time.sleep(rng.random() / 200)  # chunks finish out of order
        return [Extraction(doc_id=d.id, pipeline_version="v") for d in chunk]

    with ThreadPoolExecutor(4) as pool:
        out = list(
            map_in_order(batches, 3, 6, lambda c: pool.submit(work, c), lambda f: f.result())
        )
    assert [[e.doc_id for e in b] for b in out] == [[d.id for d in b] for b in batches]


def test_map_in_order_bounds_work_in_flight() -> None:
    submitted: list[int] = []
    batches = [_docs(4) for _ in range(10)]

    def submit(chunk: Sequence[Document]) -> Future[list[Extraction]]:
        submitted.append(len(chunk))
        f: Future[list[Extraction]] = Future()
        f.set_result([Extraction(doc_id=d.id, pipeline_version="v") for d in chunk])
        return f

    gen = map_in_order(batches, 2, 4, submit, lambda f: f.result())
    next(gen)
    # Two batches of two chunks fill the window; taking one result frees room for one more.
    assert len(submitted) == 6
    assert len(list(gen)) == 9


def facts(db: str) -> dict[str, Any]:
    """Every stored fact as the read functions return it, minus write times and row ids."""
    with Store(db, create=False) as st:
        docs = [{k: v for k, v in d.items() if k != "ingested_at"} for d in reads.documents(st)]
        mentions = [{k: v for k, v in m.items() if k != "id"} for m in reads.mentions(st)]
        return {
            "documents": docs,
            "mentions": mentions,
            "events": reads.events(st),
            "figures": reads.figures(st),
            "doc_entities": reads.doc_entities(st),
            "entities": reads.entities(st),
            "counts": reads.counts(st),
        }


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[Document]]:
    """The documents of the seeds (where ../shared is present) and of the example corpus."""
    root = Path(__file__).resolve().parents[2]
    out = {}
    for name, path in (
        ("seeds", root.parent / "shared" / "corpus" / "seeds"),
        ("examples", root / "examples"),
    ):
        if path.is_dir():
            out[name] = load_inputs([path], Settings(progress=False)).documents
    return out


def _run_engine(
    executor: Executor,
    corpora: dict[str, list[Document]],
    stores: dict[str, str],
    settings: Settings,
) -> None:
    for name, docs in corpora.items():
        with Store(stores[name]) as st:
            report = ingest_documents(
                docs, st, replace(settings, db=stores[name]), executor=executor
            )
        assert report.added == len({d.id for d in docs}) - report.duplicates


@pytest.fixture
def local_dbs(request: pytest.FixtureRequest, corpora: dict[str, list[Document]]) -> dict[str, str]:
    """The local engine's stores of each corpus (the session ones, built the same way)."""
    return {name: str(request.getfixturevalue(f"{name}_db")) for name in corpora}


@pytest.fixture
def engine_settings() -> Settings:
    # Small batches: several batches, each cut into chunks for two workers.
    return Settings(progress=False, batch_size=3, workers=2)


@pytest.mark.slow
def test_process_engine_same_facts_as_local(
    corpora: dict[str, list[Document]],
    local_dbs: dict[str, str],
    tmp_path: Path,
    pg_db: str,
    engine_settings: Settings,
) -> None:
    stores = {"seeds": str(tmp_path / "seeds.db"), "examples": pg_db}
    executor = make_executor(replace(engine_settings, engine="process"))
    try:
        _run_engine(executor, corpora, stores, engine_settings)
    finally:
        executor.close()
    for name in corpora:
        assert facts(stores[name]) == facts(local_dbs[name]), name


@pytest.mark.slow
def test_ray_engine_same_facts_as_local(
    ray_local: Any,
    corpora: dict[str, list[Document]],
    local_dbs: dict[str, str],
    tmp_path: Path,
    pg_db: str,
    engine_settings: Settings,
) -> None:
    stores = {"seeds": pg_db, "examples": str(tmp_path / "examples.db")}
    executor = make_executor(replace(engine_settings, engine="ray"))
    try:
        assert executor.name == "ray"
        _run_engine(executor, corpora, stores, engine_settings)
    finally:
        executor.close()
    assert ray_local.is_initialized()  # the session's Ray is left running for others
    for name in corpora:
        assert facts(stores[name]) == facts(local_dbs[name]), name
