"""A run killed with SIGKILL partway resumes on the next call: nothing lost, nothing twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tieline.config import Settings
from tieline.ingest.sources import load_file
from tieline.scale.runner import ingest_documents, ingest_paths, load_inputs, relink
from tieline.store import reads
from tieline.store.db import Store

BATCH = 4

_BUYERS = [
    "China National Petroleum Corporation",
    "Sinopec",
    "Indian Oil Corporation",
    "Botas",
    "State Grid Corporation of China",
    "Bharat Heavy Electricals",
]
_SELLERS = ["Gazprom", "Rosneft", "Rosatom", "Novatek", "Transneft", "Rostec"]
_GOODS = [
    "liquefied natural gas",
    "crude oil",
    "nuclear fuel assemblies",
    "steam turbines",
    "pipeline steel",
    "helicopter engines",
]
_CITIES = ["Vladivostok", "Shanghai", "Mumbai", "Ankara", "Harbin", "Novosibirsk"]


def _article(i: int, rng: random.Random) -> str:
    """A short, news-like dispatch of our own making; each one differs in names and numbers."""
    buyer, seller = rng.choice(_BUYERS), rng.choice(_SELLERS)
    goods, city = rng.choice(_GOODS), rng.choice(_CITIES)
    year = 2010 + i % 14
    value = rng.randint(2, 900)
    return (
        f"{city}, dispatch {i}. {seller} signed a contract with {buyer} on {goods} "
        f"worth ${value} million in {year}, officials said on Tuesday.\n\n"
        f"Under the deal {seller} will deliver {rng.randint(10, 990)} thousand tonnes of "
        f"{goods} by {year + rng.randint(1, 5)}. Trade between the two sides reached "
        f"${rng.randint(5, 190)} billion last year, up {rng.randint(2, 40)} percent.\n\n"
        f"Reference number {i}-{rng.randint(1000, 9999)}."
    )


def _corpus(folder: Path, n: int) -> list[Path]:
    rng = random.Random(20)
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"dispatch_{i:03d}.txt"
        p.write_text(_article(i, rng), encoding="utf-8")
        paths.append(p)
    return paths


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:  # not created yet, or the schema is still being made
        return 0


def _fact_counts(store: Store, doc_id: str) -> tuple[int, int, int, int]:
    return (
        len(reads.mentions(store, doc_id)),
        len(reads.doc_entities(store, doc_id)),
        len(reads.events(store, doc_id)),
        len(reads.figures(store, doc_id)),
    )


@pytest.mark.slow
def test_ingest_killed_midway_resumes_without_loss_or_duplicates(
    tmp_path: Path, pipeline: Any
) -> None:
    n = 60
    paths = _corpus(tmp_path / "corpus", n)
    db = tmp_path / "kb.db"
    env = {**os.environ, "TIELINE_PROGRESS": "0"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tieline",
            "ingest",
            str(tmp_path / "corpus"),
            "--db",
            str(db),
            "--batch-size",
            str(BATCH),
            "--json",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while _stored(db) < BATCH and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        # SIGKILL to the whole group: no handler, no cleanup, as when a machine loses power.
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    before = _stored(db)
    assert BATCH <= before < n, "the run was not killed partway: make the corpus bigger"

    # Every document that survived the kill holds all of its facts, none twice.
    settings = Settings(db=str(db), batch_size=BATCH, progress=False)
    with Store(str(db)) as st:
        survivors = {d["source_key"]: d["id"] for d in reads.documents(st, with_text=False)}
        for key, did in survivors.items():
            doc = load_file(Path(key)).documents[0]
            ext = pipeline.extract(doc)
            assert _fact_counts(st, did) == (
                len(ext.mentions),
                len(ext.entities),
                len(ext.events),
                len(ext.figures),
            ), key

    report = ingest_paths([tmp_path / "corpus"], settings)
    assert (report.added, report.unchanged, report.duplicates) == (n - before, before, 0)
    with Store(str(db)) as st:
        docs = reads.documents(st, with_text=False)
        assert sorted(d["source_key"] for d in docs) == sorted(str(p.resolve()) for p in paths)
        assert len({d["id"] for d in docs}) == n
        mentions = [
            (m["doc_id"], m["span_start"], m["span_end"], m["label"]) for m in reads.mentions(st)
        ]
        assert len(mentions) == len(set(mentions))
        assert not st.links_stale()
        assert st.count("entities") > 0


@pytest.mark.slow
def test_ingest_relinks_when_a_killed_run_stored_batches_but_never_linked(
    tmp_path: Path, examples: Path, pipeline: Any
) -> None:
    settings = Settings(db=str(tmp_path / "kb.db"), progress=False)
    docs = load_inputs([examples], settings).documents[:3]
    with Store(settings.db) as st:
        st.write([(docs[0], pipeline.extract(docs[0]), None)])
        relink(st, settings)
        linked_before = st.count("entities")
        # What a run killed after its last batch and before linking leaves behind.
        st.write([(d, pipeline.extract(d), None) for d in docs[1:]])
        assert st.links_stale()
        report = ingest_documents(docs, st, settings)
        assert (report.added, report.unchanged) == (0, 3)
        assert st.count("entities") > linked_before
        assert not st.links_stale()
