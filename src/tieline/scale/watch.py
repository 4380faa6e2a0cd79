"""Watching feeds: each pass fetches the feeds, ingests entries not seen before and remembers
them in the store. An entry is remembered only once its article is stored, so one whose page
failed is tried again on the next pass."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tieline.config import Settings
from tieline.errors import InputError
from tieline.ingest.feeds import FeedEntry, entry_document, fetch_feed
from tieline.records import Document, InputFailure
from tieline.scale.runner import ingest_documents
from tieline.store import search as ss
from tieline.store.db import Store

FailureHook = Callable[[InputFailure], None]


@dataclass(frozen=True, slots=True)
class WatchReport:
    """What one pass over the feeds did."""

    feeds: int = 0
    entries: int = 0
    new: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failures: tuple[InputFailure, ...] = field(default=())
    doc_ids: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failures


def watch_once(
    feeds: Sequence[str],
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
    on_failure: FailureHook | None = None,
) -> WatchReport:
    """One pass: fetch each feed, ingest entries not seen before, remember them."""
    failures: list[InputFailure] = []

    def fail(source: str, reason: str) -> None:
        f = InputFailure(source, reason.removeprefix(f"{source}: "))
        failures.append(f)
        if on_failure:
            on_failure(f)

    n_entries = 0
    todo: list[tuple[FeedEntry, Document]] = []
    with Store(settings.db) as store:
        for i, feed in enumerate(dict.fromkeys(feeds), 1):
            try:
                entries = fetch_feed(feed, settings)
            except InputError as e:
                fail(feed, str(e))
                continue
            except (ValueError, UnicodeError, RecursionError) as e:
                # Whatever a remote server sends, one feed's failure never ends the watch.
                fail(feed, f"unreadable feed ({e.__class__.__name__}: {e})")
                continue
            n_entries += len(entries)
            seen = ss.seen_entries(store, feed)
            for entry in entries:
                if entry.id in seen:
                    continue
                try:
                    todo.append((entry, entry_document(entry, settings)))
                except InputError as e:
                    fail(entry.link or f"{feed}#{entry.id}", str(e))
                except (ValueError, UnicodeError, RecursionError) as e:
                    fail(
                        entry.link or f"{feed}#{entry.id}",
                        f"unreadable entry ({e.__class__.__name__}: {e})",
                    )
            if progress:
                progress("feeds", i, len(feeds))
        docs = list({d.source_key: d for _, d in todo}.values())
        report = ingest_documents(docs, store, settings, progress=progress)
        # Stored now (added, updated, unchanged or a duplicate of a stored text): remember.
        for entry, doc in todo:
            ss.remember_entry(store, entry.feed, entry.id, entry.link, doc.id)
    return WatchReport(
        feeds=len(set(feeds)),
        entries=n_entries,
        new=len(todo),
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        duplicates=report.duplicates,
        failures=tuple(failures),
        doc_ids=report.doc_ids,
    )


def watch(
    feeds: Sequence[str],
    settings: Settings,
    every_s: float,
    *,
    passes: int | None = None,
    on_pass: Callable[[WatchReport], None] | None = None,
    on_failure: FailureHook | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[WatchReport]:
    """Run ``watch_once`` every ``every_s`` seconds (``passes`` times, or until interrupted)."""
    reports = []
    n = 0
    while passes is None or n < passes:
        started = time.monotonic()
        rep = watch_once(feeds, settings, on_failure=on_failure)
        reports.append(rep)
        if on_pass:
            on_pass(rep)
        n += 1
        if passes is not None and n >= passes:
            break
        sleep(max(0.0, every_s - (time.monotonic() - started)))
    return reports
