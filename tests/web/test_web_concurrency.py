"""`tieline serve` reads while `tieline ingest` writes the same SQLite store (WAL, one writer):
every request answers, and no document is ever seen without its facts."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from webdata import build_store

from tieline.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    import uvicorn

    db = build_store(tmp_path / "busy.db")
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    srv.should_exit = True
    thread.join(timeout=10)


def _check_document(client: httpx.Client, doc_id: str) -> None:
    r = client.get(f"/api/documents/{doc_id}")
    assert r.status_code == 200, r.text
    d = r.json()
    for m in d["mentions"]:
        assert d["text"][m["start"] : m["end"]] == m["text"]
    for ev in d["events"]:
        assert d["text"][ev["trigger_start"] : ev["trigger_end"]] == ev["trigger"]


@pytest.mark.slow
def test_serve_reads_while_ingest_writes(served: tuple[str, Path]) -> None:
    base, db = served
    writer = subprocess.Popen(
        [sys.executable, "-m", "tieline", "ingest", str(EXAMPLES), "--db", str(db), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    totals: list[int] = []
    checked: set[str] = set()
    rounds = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        while True:
            done = writer.poll() is not None
            r = client.get("/api/documents", params={"limit": 500})
            assert r.status_code == 200, r.text
            page = r.json()
            totals.append(page["total"])
            for d in page["items"]:
                if d["id"] not in checked:
                    _check_document(client, d["id"])
                    checked.add(d["id"])
            for path, params in (
                ("/api/summary", {}),
                ("/api/search", {"q": "gas"}),
                ("/api/entities", {"limit": 20}),
                ("/api/timeline", {}),
                ("/api/graph", {}),
            ):
                res = client.get(path, params=params)
                assert res.status_code == 200, (path, res.text)
            rounds += 1
            if done:
                break
            time.sleep(0.3)  # leave the writer some of the (two) cores
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    added = json.loads(out)["added"]
    assert added >= 10
    assert totals == sorted(totals), "a document vanished while ingest ran"
    assert totals[0] == 3
    assert totals[-1] == 3 + added
    assert len(checked) == 3 + added
    assert rounds >= 3  # the reads really overlapped the write
