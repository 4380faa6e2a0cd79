"""Issue 18, fetching from lying and slow servers: bad redirect Locations and URLs, headers
sent a byte at a time, addresses that hide a private IPv4, and hosts the user allows by name.

Every server is a real one on 127.0.0.1; names are resolved by the test's own resolver, never
by the system's."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.config import Settings
from tieline.ingest.fetch import FetchError, fetch_documents, fetch_url, is_public

_register()
runner = CliRunner()

PAGE = (
    b"<html><head><title>Tianwan unit 7</title></head><body><article><p>Rosatom and the "
    b"China National Nuclear Corporation poured the first concrete of Tianwan unit 7 in "
    b"May 2021, the companies said.</p></article></body></html>"
)

BAD_LOCATIONS = [
    "data:text/html,x",
    "http:\\\\169.254.169.254\\x",
    "http://[::1/x",
    "http://a..b/",
    "http://" + "a" * 300 + ".example/",
    "http://[fe80::1%25eth0/",
    "http://127.0.0.1:99999/",
    "http://exa\x00mple.test/",
]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/to":
            self.send_response(302)
            # The Location goes out as it is, however malformed: a lying server's answer.
            self.send_header("Location", parse_qs(parts.query)["l"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/feed.xml":
            base = f"http://{self.headers.get('Host')}"
            items = "".join(
                f"<item><title>t{i}</title><link>{loc}</link><guid>g{i}</guid></item>"
                for i, loc in enumerate(
                    ["http://[::1/x", "http://a..b/", f"{base}/to?l=data%3Atext%2Fhtml%2Cx"]
                )
            )
            body = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
                f"{items}</channel></rss>"
            ).encode()
            ctype = "application/rss+xml"
        else:
            body, ctype = PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = _Quiet(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _no_system_resolver(host: str, port: int) -> list[str]:
    raise FetchError(f"cannot resolve host {host!r}: the test resolves no names")


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    return Settings(
        db=str(tmp_path / "kb.db"), progress=False, fetch_timeout_s=5.0, allow_hosts=("127.0.0.1",)
    )


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# ------------------------------------------------------------------------------------ F2
@pytest.mark.parametrize("location", BAD_LOCATIONS, ids=range(len(BAD_LOCATIONS)))
def test_f2_bad_redirect_location_is_a_fetch_error(
    server: str, local: Settings, location: str
) -> None:
    url = f"{server}/to?l={_quote(location)}"
    with pytest.raises(FetchError):
        fetch_url(url, local, resolver=_no_system_resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/x",
        "http://a..b/",
        "http://" + "b" * 300 + ".org/",
        "http://127.0.0.1:99999/x",
        "https://[::ffff:7f00:1/",
    ],
)
def test_f2_bad_urls_are_failures_not_crashes(local: Settings, url: str) -> None:
    docs, failures = fetch_documents([url], local)
    assert docs == []
    assert [f.source for f in failures] == [url]


@pytest.mark.slow  # the run loads the extraction pipeline, even with nothing to extract
def test_f2_ingest_url_with_bad_redirects_goes_on(server: str, tmp_path: Path) -> None:
    urls = [f"{server}/to?l={_quote(loc)}" for loc in BAD_LOCATIONS[:5]]
    res = runner.invoke(
        app,
        [
            "ingest",
            *urls,
            "http://[::1/x",
            "--allow-host",
            "127.0.0.1",
            "--db",
            str(tmp_path / "kb.db"),
        ],
    )
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.output.count("skipped http") == 6, res.output


@pytest.mark.slow  # the pass loads the extraction pipeline, even with nothing to extract
def test_f2_watch_survives_bad_links_and_bad_feed_redirects(server: str, local: Settings) -> None:
    from tieline.scale.watch import watch

    feeds = [
        f"{server}/feed.xml",
        f"{server}/to?l={_quote('http://[::1/x')}",
        f"{server}/to?l={_quote('data:text/html,x')}",
    ]
    failed: list[object] = []
    reports = watch(
        feeds,
        replace(local, fetch_timeout_s=5.0),
        every_s=0.01,
        passes=2,
        on_failure=failed.append,
        sleep=lambda s: None,
    )
    assert len(reports) == 2
    first = reports[0]
    # Three entries with bad links and two feeds behind bad redirects: five failures a pass.
    assert [len(r.failures) for r in reports] == [5, 5]
    assert "http://a..b/" in {f.source for f in first.failures}
    assert len(failed) == 2 * len(first.failures)


# ------------------------------------------------------------------------------------ F3
@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that answers with its status line and headers one byte every 0.3 s, and never
    finishes them (bounded: it stops after 60 s or when the client hangs up)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    line = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000
                    started = time.monotonic()
                    for byte in line:
                        if stop.is_set() or time.monotonic() - started > 60:
                            break
                        conn.sendall(bytes([byte]))
                        time.sleep(0.3)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def test_f3_timeout_bounds_headers_sent_a_byte_at_a_time(trickle: str, local: Settings) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 2 s"):
        fetch_url(f"{trickle}/slow", replace(local, fetch_timeout_s=2.0))
    assert time.monotonic() - started < 4.5


# ------------------------------------------------------------------------------------ F14
@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::7f00:1",
        "::ffff:0:7f00:1",
        "fec0::1",
        "64:ff9b:1::a00:1",
        "2002:7f00:1::1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "::",
        "::ffff:169.254.169.254",
    ],
)
def test_f14_addresses_that_hide_a_private_one_are_not_public(address: str) -> None:
    assert is_public(address) is False


@pytest.mark.parametrize(
    "address", ["64:ff9b::5db8:d822", "::ffff:0:5db8:d822", "2002:5db8:d822::1"]
)
def test_f14_embedded_public_addresses_stay_public(address: str) -> None:
    assert is_public(address) is True


def test_f14_allow_host_lets_only_the_named_host_through(server: str, local: Settings) -> None:
    port = urlsplit(server).port
    got = fetch_url(f"{server}/page", local, resolver=_no_system_resolver)
    assert got.body == PAGE
    # A redirect from the allowed host to another loopback address is still refused.
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.2"):
        fetch_url(
            f"{server}/to?l={_quote(f'http://127.0.0.2:{port}/page')}",
            local,
            resolver=_no_system_resolver,
        )
    # A host named by the user: allowed by its name, whatever loopback address it has.
    names = {"mirror.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}

    def resolver(host: str, _port: int) -> list[str]:
        return names[host]

    named = replace(local, allow_hosts=("mirror.test",))
    assert fetch_url(f"http://mirror.test:{port}/page", named, resolver=resolver).body == PAGE
    with pytest.raises(FetchError, match=r"--allow-host other\.test"):
        fetch_url(f"http://other.test:{port}/page", named, resolver=resolver)
    # Nothing allowed: the loopback server is refused.
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
        fetch_url(f"{server}/page", replace(local, allow_hosts=()))


@pytest.mark.slow  # the run loads the extraction pipeline, even with nothing to extract
def test_f14_cli_allow_host_is_narrow(server: str, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["ingest", f"{server}/page", "--allow-host", "127.0.0.2", "--db", str(tmp_path / "kb.db")],
    )
    assert res.exit_code == 1, res.output
    assert "non-public address 127.0.0.1" in res.output
