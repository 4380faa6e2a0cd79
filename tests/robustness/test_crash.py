"""Crash safety of the default local engine: kill -9 a real ingest mid-run, then resume."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tieline.records import Document

ROOT = Path(__file__).resolve().parents[2]

_PAIRS = [
    ("Russia", "China"),
    ("India", "Russia"),
    ("Turkey", "Russia"),
    ("China", "Kazakhstan"),
    ("Russia", "Belarus"),
    ("China", "Pakistan"),
]
_SECTORS = [
    "gas pipeline",
    "nuclear power plant",
    "railway bridge",
    "satellite navigation",
    "aircraft engine",
    "port terminal",
    "wind farm",
    "fertiliser plant",
]
_CITIES = [
    "Moscow",
    "Beijing",
    "Vladivostok",
    "Astana",
    "Minsk",
    "Islamabad",
    "New Delhi",
    "Ankara",
]


def _articles(folder: Path, n: int) -> list[Path]:
    """n distinct short dispatches, written for this test."""
    folder.mkdir()
    combos = itertools.product(_PAIRS, _SECTORS, _CITIES)
    paths = []
    for i, ((a, b), sector, city) in enumerate(itertools.islice(combos, n)):
        year = 2000 + i % 24
        text = (
            f"{city}, {1 + i % 28} May {year}\n\n"
            f"{a} and {b} signed an agreement in {city} on a new {sector}, officials said. "
            f"The project is worth {i + 3} billion dollars and should be finished by "
            f"{year + 4 + i % 5}. Delegation number {i} met the ministers of both countries."
        )
        p = folder / f"dispatch_{i:04d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _q(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _count_docs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(_q(db, "SELECT count(*) FROM documents")[0][0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


_ORPHANS = {
    "mentions": "SELECT count(*) FROM mentions WHERE doc_id NOT IN (SELECT id FROM documents)",
    "doc_entities": "SELECT count(*) FROM doc_entities "
    "WHERE doc_id NOT IN (SELECT id FROM documents)",
    "events": "SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT id FROM documents)",
    "event_participants": "SELECT count(*) FROM event_participants "
    "WHERE event_id NOT IN (SELECT id FROM events)",
    "figures": "SELECT count(*) FROM figures WHERE doc_id NOT IN (SELECT id FROM documents)",
}
_FACTS = (
    "SELECT d.id, d.source_key, d.name, d.text, d.published, d.published_precision,"
    " (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id),"
    " (SELECT count(*) FROM events e WHERE e.doc_id = d.id),"
    " (SELECT count(*) FROM figures f WHERE f.doc_id = d.id) FROM documents d ORDER BY d.id"
)


def _assert_consistent(db: Path) -> list[tuple]:  # type: ignore[type-arg]
    ids = [r[0] for r in _q(db, "SELECT id FROM documents")]
    keys = [r[0] for r in _q(db, "SELECT source_key FROM documents")]
    assert len(ids) == len(set(ids)), "a document id is stored twice"
    assert len(keys) == len(set(keys)), "a source is stored twice"
    for table, sql in _ORPHANS.items():
        assert _q(db, sql)[0][0] == 0, f"orphan rows in {table}"
    return _q(db, _FACTS)


def _ingest_cmd(folder: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tieline",
        "ingest",
        str(folder),
        "--db",
        str(db),
        "--batch-size",
        "2",
        "--json",
    ]


@pytest.mark.slow
def test_crash_kill_9_mid_ingest_leaves_whole_documents_and_resumes(
    tmp_path: Path, pipeline
) -> None:  # type: ignore[no-untyped-def]
    total = 60
    folder = tmp_path / "corpus"
    _articles(folder, total)
    db = tmp_path / "kb.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "TIELINE_PROGRESS": "0",
        "TIELINE_ENGINE": "local",
    }

    proc = subprocess.Popen(
        _ingest_cmd(folder, db), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 240
        while _count_docs(db) < 4:  # two batches committed: the run is well under way
            assert proc.poll() is None, f"ingest ended before the kill: {proc.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "ingest stored nothing in time"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    at_kill = _assert_consistent(db)
    assert 4 <= len(at_kill) < total, "the kill must land mid-run"
    # Every stored document has all its facts: what extraction gives for its text.
    for doc_id, key, name, text, published, precision, n_m, n_e, n_f in at_kill:
        doc = Document(
            id=doc_id,
            source_key=key,
            text=text,
            name=name,
            published=published,
            published_precision=precision,
        )
        ext = pipeline.extract(doc)
        assert (n_m, n_e, n_f) == (len(ext.mentions), len(ext.events), len(ext.figures)), name
        assert n_m > 0, name

    resumed = subprocess.run(
        _ingest_cmd(folder, db), env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["failures"] == []
    assert report["added"] == total - len(at_kill)
    assert report["duplicates"] == 0
    final = _assert_consistent(db)
    assert len(final) == total
    assert set(at_kill) <= set(final), "a document stored before the kill changed"
