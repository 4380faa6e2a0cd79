"""`tieline serve` reads while `tieline ingest` writes (SQLite WAL, one writer): no errors, no
torn reads; and the page and the HTML briefing never hand article text to the browser as HTML."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("tieline.web.app") is None
        or importlib.util.find_spec("uvicorn") is None,
        reason="the web app (tieline serve) is not in this checkout or its extra is not installed",
    ),
]

HOSTILE = (
    "Moscow, 2 May 2024\n\nRussia and China signed an agreement on lunar research "
    "<script>alert('xss-script')</script> in Moscow, and Roscosmos and the China National "
    "Space Administration <img src=x onerror=\"alert('xss-img')\"> will share data."
)

_PLACES = [
    "Harbin",
    "Kazan",
    "Urumqi",
    "Novosibirsk",
    "Dalian",
    "Irkutsk",
    "Xi'an",
    "Omsk",
    "Qingdao",
    "Tomsk",
]
_THINGS = [
    "a grain terminal",
    "a chemical plant",
    "a data centre",
    "a cargo airport",
    "a solar farm",
    "a railway depot",
    "a steel mill",
    "a research reactor",
]


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    for i in range(n):
        place, thing = _PLACES[i % len(_PLACES)], _THINGS[(i // len(_PLACES)) % len(_THINGS)]
        (folder / f"report_{i:03d}.txt").write_text(
            f"{place}, {1 + i % 27} June {2010 + i % 14}\n\nRussia and China agreed in {place} to "
            f"build {thing} worth {i + 2} billion yuan, officials said; talks round {i} ended "
            f"with a memorandum signed by both ministries.",
            encoding="utf-8",
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """A real `tieline serve` on 127.0.0.1 over a fresh store."""
    import httpx

    db = tmp_path / "kb.db"
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TIELINE_PROGRESS": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tieline", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/api/summary", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "tieline serve did not come up"
            time.sleep(0.2)
        yield base, db, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _facts(doc: dict) -> tuple:  # type: ignore[type-arg]
    return (doc["text"], len(doc["mentions"]), len(doc["events"]), len(doc["figures"]))


def test_concurrency_serve_reads_while_ingest_writes(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    base, db, server = served
    total = 24
    corpus = tmp_path / "corpus"
    _corpus(corpus, total)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TIELINE_PROGRESS": "0"}
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tieline",
            "ingest",
            str(corpus),
            "--db",
            str(db),
            "--batch-size",
            "2",
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    seen: dict[str, tuple] = {}  # type: ignore[type-arg]
    counts: list[int] = []
    reads = reads_during_writes = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        try:
            while True:
                running = writer.poll() is None
                summary = client.get("/api/summary")
                assert summary.status_code == 200, summary.text
                counts.append(summary.json()["documents"])
                page = client.get("/api/documents", params={"limit": 100})
                assert page.status_code == 200, page.text
                for item in page.json()["items"]:
                    if item["id"] in seen:
                        continue
                    r = client.get(f"/api/documents/{item['id']}")
                    assert r.status_code == 200, r.text
                    doc = r.json()
                    assert doc["mentions"], f"{doc['name']} is visible without its mentions"
                    for m in doc["mentions"]:
                        assert doc["text"][m["start"] : m["end"]] == m["text"]
                    seen[item["id"]] = _facts(doc)
                reads += 1
                reads_during_writes += running and counts[-1] > 0
                if not running:
                    break
                time.sleep(0.05)
        finally:
            if writer.poll() is None:
                writer.kill()
            out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()
        assert json.loads(out)["added"] == total + 1

        assert reads_during_writes >= 2, "the reads never overlapped the writes"
        assert counts == sorted(counts), "a committed document disappeared from a read"
        # What a reader saw mid-run is what is there at the end: no half-written document.
        final = client.get("/api/documents", params={"limit": 100}).json()
        assert final["total"] == total + 1
        for item in final["items"]:
            doc = client.get(f"/api/documents/{item['id']}").json()
            if item["id"] in seen:
                assert _facts(doc) == seen[item["id"]], doc["name"]

        # Article text reaches the browser only as data: the HTML briefing escapes it.
        report = client.get("/api/report", params={"pair": "CN-RU", "format": "html"})
        assert report.status_code == 200, report.text
        lowered = report.text.lower()
        assert "xss-script" in lowered, "the briefing should quote the hostile sentence"
        assert "<script" not in lowered
        assert "<img" not in lowered
        assert "&lt;script&gt;" in lowered
    assert server.poll() is None, "the server died during the run"


def test_concurrency_page_never_parses_data_as_html(served) -> None:  # type: ignore[no-untyped-def]
    import httpx

    base, _db, _server = served
    page = httpx.get(f"{base}/", timeout=10)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    js = httpx.get(f"{base}/static/app.js", timeout=10).text
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert sink not in js, f"app.js uses {sink}, which would parse article text as HTML"
