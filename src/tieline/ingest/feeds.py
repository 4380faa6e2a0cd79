"""RSS and Atom feeds: fetch (under the address guard and caps of pages) and parse entries.

``tieline.scale.watch`` runs the passes that ingest new entries and remember them.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from dataclasses import dataclass, replace
from typing import Any

from tieline.config import Settings
from tieline.errors import ConfigError, InputError, MissingExtraError
from tieline.ingest.fetch import FEED_TYPES, fetch_document, fetch_url, to_document
from tieline.records import Document


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: a stable id, its link, title and published date."""

    feed: str
    id: str
    link: str | None
    title: str | None
    published: str | None
    content: str | None = None


def _feedparser() -> Any:
    try:
        import feedparser
    except ImportError as e:
        raise MissingExtraError("query", "following feeds") from e
    return feedparser


def parse_feed(feed_url: str, body: bytes, final_url: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS or Atom document (relative links resolved against the feed URL)."""
    fp = _feedparser()
    parsed = fp.parse(body, response_headers={"content-location": final_url or feed_url})
    if parsed.get("bozo") and not parsed.entries:
        exc = parsed.get("bozo_exception")
        raise InputError(f"{feed_url}: not a readable RSS or Atom feed ({exc.__class__.__name__})")
    out = []
    for e in parsed.entries:
        link = e.get("link")
        ident = (
            e.get("id")
            or link
            or hashlib.sha256(
                (e.get("title", "") + e.get("summary", "")).encode("utf-8")
            ).hexdigest()[:16]
        )
        published = None
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        if stamp:
            published = time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(stamp)))
        content = None
        if e.get("content"):
            content = e["content"][0].get("value")
        out.append(FeedEntry(feed_url, str(ident), link, e.get("title"), published, content))
    return out


def fetch_feed(feed_url: str, settings: Settings) -> list[FeedEntry]:
    """Fetch a feed under the address guard and parse its entries."""
    got = fetch_url(feed_url, settings, accept=", ".join(FEED_TYPES) + ", */*;q=0.5")
    return parse_feed(feed_url, got.body, got.final_url)


def entry_document(entry: FeedEntry, settings: Settings) -> Document:
    """The article of an entry: its page fetched; the feed's date fills a missing one."""
    if entry.link:
        doc = fetch_document(entry.link, settings)
    elif entry.content:
        from tieline.ingest.fetch import Fetched

        doc = to_document(
            Fetched(
                f"{entry.feed}#{entry.id}",
                entry.feed,
                200,
                "text/html",
                "utf-8",
                entry.content.encode("utf-8"),
            )
        )
    else:
        raise InputError(f"{entry.feed}: entry {entry.id!r} has neither a link nor content")
    if doc.published is None and entry.published:
        doc = replace(doc, published=entry.published, published_precision="day")
    if doc.title is None and entry.title:
        doc = replace(doc, title=entry.title)
    return doc


def parse_every(value: str) -> float:
    """``1h``, ``30m``, ``45s``, ``2d`` or a number of seconds -> seconds."""
    v = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if v and v[-1] in units:
            secs = float(v[:-1]) * units[v[-1]]
        else:
            secs = float(v)
    except ValueError as e:
        raise ConfigError(f"--every wants a span like 1h, 30m or 90s, got {value!r}") from e
    if secs <= 0:
        raise ConfigError(f"--every wants a positive span, got {value!r}")
    return secs
