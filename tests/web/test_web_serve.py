"""`tieline serve` as a user starts it: a real process on a free local port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from webdata import build_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_command_serves_page_and_api(tmp_path: Path) -> None:
    db = build_store(tmp_path / "served.db")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tieline", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                page = httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "tieline serve did not answer in 60 s"
                time.sleep(0.2)
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        docs = httpx.get(base + "/api/documents", timeout=10).json()
        assert docs["total"] == 3
        assert httpx.head(base + "/", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_refuses_a_port_out_of_range() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tieline", "serve", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "65535" in r.stderr
