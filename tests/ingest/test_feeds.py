"""Feeds from a real HTTP server on 127.0.0.1: parse, ingest new entries, remember them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tieline.config import Settings
from tieline.errors import ConfigError, InputError
from tieline.ingest.feeds import fetch_feed, parse_every, parse_feed
from tieline.ingest.fetch import FetchError


@pytest.fixture
def loose(settings: Settings) -> Settings:
    return replace(settings, allow_private=True, fetch_timeout_s=5.0)


def test_feed_entries(web_server: str, loose: Settings) -> None:
    entries = fetch_feed(f"{web_server}/feed.xml", loose)
    assert [e.link for e in entries] == [
        f"{web_server}/lunar-station.html",
        f"{web_server}/el-dabaa.html",
        f"{web_server}/missing.html",
    ]
    assert entries[0].published == "2021-03-09"
    assert entries[0].id == f"{web_server}/lunar-station.html"


def test_feed_refused_on_loopback_without_allow_private(
    web_server: str, settings: Settings
) -> None:
    with pytest.raises(FetchError, match="non-public"):
        fetch_feed(f"{web_server}/feed.xml", settings)


def test_feed_atom_with_relative_links() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2024-05-16T00:00:00Z</updated>
<entry><title>Putin visits Harbin</title><id>urn:e1</id><link href="/2024/harbin.html"/>
<updated>2024-05-17T09:00:00Z</updated></entry></feed>"""
    (e,) = parse_feed("https://wire.example/feed.atom", atom)
    assert (e.id, e.link, e.published) == (
        "urn:e1",
        "https://wire.example/2024/harbin.html",
        "2024-05-17",
    )


def test_feed_not_a_feed() -> None:
    with pytest.raises(InputError, match="not a readable RSS or Atom feed"):
        parse_feed("https://wire.example/x", b"\x89PNG\r\n\x1a\n\x00\x00")


@pytest.mark.parametrize(
    ("text", "secs"), [("1h", 3600), ("30m", 1800), ("90s", 90), ("2d", 172800), ("45", 45)]
)
def test_parse_every(text: str, secs: float) -> None:
    assert parse_every(text) == secs


@pytest.mark.parametrize("text", ["", "soon", "-1h", "0"])
def test_parse_every_bad(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_every(text)


@pytest.mark.slow
def test_watch_ingests_new_entries_once(web_server: str, loose: Settings) -> None:
    from tieline.scale.watch import watch, watch_once
    from tieline.store.db import Store

    feed = f"{web_server}/feed.xml"
    failed = []
    first = watch_once([feed], loose, on_failure=failed.append)
    assert (first.entries, first.new, first.added) == (3, 2, 2)
    assert (
        [f.source for f in first.failures]
        == [f"{web_server}/missing.html"]
        == [f.source for f in failed]
    )
    with Store(loose.db) as store:
        titles = {r[0] for r in store.connect().exec_driver_sql("SELECT title FROM documents")}
    assert "Work starts on the first unit of Egypt's El Dabaa nuclear plant" in titles
    # The next passes fetch only the entry that failed; nothing is stored twice.
    sleeps: list[float] = []
    again = watch([feed], loose, every_s=3600, passes=2, sleep=sleeps.append)
    assert [(r.new, r.added, len(r.failures)) for r in again] == [(0, 0, 1), (0, 0, 1)]
    assert len(sleeps) == 1 and sleeps[0] > 3500  # noqa: PT018
    with Store(loose.db) as store:
        assert store.count("documents") == 2


@pytest.mark.slow
def test_cli_watch_and_digest(web_server: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tieline.cli import _register, app

    _register()
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    res = runner.invoke(
        app, ["watch", f"{web_server}/feed.xml", "--once", "--db", db, "--allow-private", "--json"]
    )
    assert res.exit_code == 1  # one entry's page is gone
    out = json.loads(res.stdout)
    assert (out["new"], out["added"]) == (2, 2)
    dig = runner.invoke(app, ["digest", "--since", "1d", "--db", db, "--json"])
    assert dig.exit_code == 0, dig.output
    data = json.loads(dig.stdout)
    assert len(data["documents"]) == 2
    for d in data["documents"]:
        for fact in d["facts"]:
            assert fact["quote"]
