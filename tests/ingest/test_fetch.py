"""Fetching URLs from a real HTTP server on 127.0.0.1: text, guard, redirects, caps."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from tieline.config import Settings
from tieline.ingest.fetch import (
    FetchError,
    check_address,
    fetch_document,
    fetch_documents,
    fetch_url,
    is_public,
)


@pytest.fixture
def loose(settings: Settings) -> Settings:
    """Settings that let the fetcher reach the loopback test server."""
    return replace(settings, allow_private=True, fetch_timeout_s=5.0)


def test_fetch_html_takes_main_text(web_server: str, loose: Settings) -> None:
    doc = fetch_document(f"{web_server}/lunar-station.html", loose)
    assert doc.title == "Russia and China agree to build a research station on the Moon"
    assert "China National Space Administration signed a memorandum" in doc.text
    assert doc.published == "2021-03-09"
    assert doc.url == f"{web_server}/lunar-station.html"
    for junk in ("tracker", "Science", "Back to top"):
        assert junk not in doc.text


def test_fetch_plain_text(web_server: str, loose: Settings) -> None:
    doc = fetch_document(f"{web_server}/notice.txt", loose)
    assert "military-technical cooperation" in doc.text
    assert doc.url == f"{web_server}/notice.txt"


def test_fetch_refuses_loopback_without_allow_private(web_server: str, settings: Settings) -> None:
    with pytest.raises(FetchError, match=r"non-public address 127.0.0.1.*--allow-private"):
        fetch_url(f"{web_server}/lunar-station.html", settings)


def test_fetch_checks_dns_answers(settings: Settings) -> None:
    # A name, not an address: the refusal comes from what DNS answers for it.
    with pytest.raises(FetchError, match="localhost resolves to the non-public address"):
        fetch_url("http://localhost:9/x", settings)
    with pytest.raises(FetchError, match=r"10.1.2.3"):
        check_address("http://intranet.example/", False, resolver=lambda h, p: ["10.1.2.3"])
    with pytest.raises(FetchError, match=r"::ffff:127.0.0.1"):
        check_address(
            "http://x.example/", False, resolver=lambda h, p: ["93.184.216.34", "::ffff:127.0.0.1"]
        )


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://192.168.1.1/",
    ],
)
def test_fetch_checks_every_redirect_hop(web_server: str, settings: Settings, target: str) -> None:
    # Only the test server's own address is let through; the hop it redirects to is refused.
    with pytest.raises(FetchError, match="refused"):
        fetch_url(f"{web_server}/redirect?to={target}", settings, allowed=["127.0.0.1"])


def test_fetch_follows_redirects(web_server: str, loose: Settings) -> None:
    got = fetch_url(f"{web_server}/redirect?to=/notice.txt", loose)
    assert got.final_url == f"{web_server}/notice.txt"
    assert got.url == f"{web_server}/redirect?to=/notice.txt"


def test_fetch_redirect_loop(web_server: str, loose: Settings) -> None:
    with pytest.raises(FetchError, match="redirects"):
        fetch_url(f"{web_server}/loop", loose)


def test_fetch_caps_size(web_server: str, loose: Settings) -> None:
    with pytest.raises(FetchError, match="over the limit of 1 MB"):
        fetch_url(f"{web_server}/big", replace(loose, fetch_max_mb=1))


def test_fetch_caps_time(web_server: str, loose: Settings) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than"):
        fetch_url(f"{web_server}/slow?s=3", replace(loose, fetch_timeout_s=0.5))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("path", "reason"), [("/missing.html", "HTTP 404"), ("/image.png", "not an article")]
)
def test_fetch_bad_pages(web_server: str, loose: Settings, path: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        fetch_document(f"{web_server}{path}", loose)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "http:///nohost"])
def test_fetch_refuses_other_schemes(settings: Settings, url: str) -> None:
    with pytest.raises(FetchError):
        fetch_url(url, settings)


def test_fetch_documents_collects_failures(web_server: str, loose: Settings) -> None:
    seen = []
    docs, failures = fetch_documents(
        [f"{web_server}/notice.txt", f"{web_server}/missing.html", f"{web_server}/notice.txt#top"],
        loose,
        on_failure=seen.append,
    )
    assert len(docs) == 1
    assert (
        [f.source for f in failures] == [f"{web_server}/missing.html"] == [f.source for f in seen]
    )
    assert failures[0].reason == "HTTP 404"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.slow
def test_cli_ingest_urls(web_server: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tieline.cli import _register, app

    _register()
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    url = f"{web_server}/el-dabaa.html"
    refused = runner.invoke(app, ["ingest", url, "--db", db, "--json"])
    assert refused.exit_code == 1
    assert "non-public address" in refused.output
    res = runner.invoke(app, ["ingest", url, "--db", db, "--allow-private", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] == 1
    again = runner.invoke(app, ["ingest", url, "--db", db, "--allow-private", "--json"])
    assert json.loads(again.stdout)["unchanged"] == 1
