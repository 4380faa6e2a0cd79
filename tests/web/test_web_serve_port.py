"""`tieline serve` on a port another process holds: one line, a non-zero exit, no banner."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from webdata import build_store


@pytest.mark.parametrize("existing", [True, False], ids=["store", "no-store"])
def test_serve_on_a_busy_port_says_so_and_exits(tmp_path: Path, existing: bool) -> None:
    # Without a store, serve would note that it starts an empty one: not when it cannot start.
    db = build_store(tmp_path / "busy.db") if existing else tmp_path / "none.db"
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        res = subprocess.run(
            [sys.executable, "-m", "tieline", "serve", "--db", str(db), "--port", str(port)],
            capture_output=True,
            text=True,
            # A server that started anyway would run until killed: the timeout fails the test.
            timeout=120,
            check=False,
        )
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert f"port {port}" in lines[0]
    assert "in use" in lines[0]
    assert "Tieline on" not in res.stderr + res.stdout
    assert "Traceback" not in res.stderr
    assert db.exists() is existing
