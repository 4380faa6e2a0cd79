"""Hostile URLs in the bad-input suite: addresses that resolve to private or loopback hosts are
refused, with one line, before any request is sent, also after a redirect."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.config import Settings

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tieline.ingest.fetch") is None,
    reason="URL fetching (tieline.ingest.fetch) is not in this checkout yet",
)

ARTICLE = (
    b"<html><head><title>Arctic LNG 2 ships its first cargo</title></head><body><article>"
    b"<h1>Arctic LNG 2 ships its first cargo</h1><p>Novatek loaded the first cargo of "
    b"liquefied natural gas at the Arctic LNG 2 plant on the Gydan peninsula, and Chinese "
    b"buyers took part of it, the company said in a statement on Thursday.</p>"
    b"</article></body></html>"
)


class _Server(ThreadingHTTPServer):
    requests: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        return None

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.path.removeprefix("/to/"))
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(ARTICLE)))
        self.end_headers()
        self.wfile.write(ARTICLE)


@pytest.fixture
def local_server() -> Iterator[_Server]:
    """A real HTTP server on 127.0.0.1 that records the paths asked of it."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _cli(args: list[str]):  # type: ignore[no-untyped-def]
    from tieline.cli import _register, app

    _register()
    return CliRunner().invoke(app, args)


@pytest.mark.slow
def test_ssrf_loopback_by_name_refused_in_a_run_that_goes_on(
    local_server: _Server, tmp_path: Path
) -> None:
    port = local_server.server_address[1]
    url = f"http://localhost:{port}/arctic-lng.html"  # a name whose DNS answer is loopback
    good = tmp_path / "good.txt"
    good.write_text(
        "Moscow, 4 June 2023\n\nRussia and China agreed to build a new bridge over "
        "the Amur river near Dzhalinda, the regional governor said.",
        encoding="utf-8",
    )
    db = tmp_path / "kb.db"

    refused = _cli(["ingest", url, str(good), "--db", str(db), "--json"])
    assert refused.exit_code == 1, refused.output
    report = json.loads(refused.stdout)
    assert report["added"] == 1
    [failure] = report["failures"]
    assert failure["source"] == url
    assert "non-public" in failure["reason"]
    assert "--allow-private" in failure["reason"]
    [line] = [ln for ln in refused.stderr.splitlines() if ln.strip()]
    assert url in line
    assert local_server.requests == [], "a request reached the private host"

    allowed = _cli(["ingest", url, str(good), "--db", str(db), "--json", "--allow-private"])
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["added"] == 1
    assert local_server.requests == ["/arctic-lng.html"]


@pytest.mark.parametrize(
    "target",
    [
        "169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "127.0.0.2:{port}/admin",  # another loopback address
        "10.0.0.1/internal",  # private network
        "[::1]:{port}/admin",  # IPv6 loopback
    ],
)
def test_ssrf_redirect_to_a_private_address_is_refused(local_server: _Server, target: str) -> None:
    from tieline.ingest.fetch import FetchError, fetch_url

    port = local_server.server_address[1]
    start = f"http://127.0.0.1:{port}/to/{target.format(port=port)}"
    # The first hop is let through by name, as a known mirror would be; the redirect is not.
    with pytest.raises(FetchError, match="non-public address"):
        fetch_url(start, Settings(fetch_timeout_s=5), allowed=["127.0.0.1"])
    assert local_server.requests == [start.split(str(port), 1)[1]]
