"""Paged event lists and timelines: a page is a slice of the full, ordered list (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_event_queries import _build

from tieline.query import events as qe
from tieline.store.db import Store


@pytest.fixture(scope="module")
def kb() -> Iterator[Store]:
    """The hand-built store of test_event_queries, read only."""
    with Store(":memory:") as store:
        _build(store)
        yield store


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"sector": "energy"},
        {"pair": "CN-RU"},
        {"since": "2014-05-21", "until": "2014-05-31"},
    ],
)
def test_pages_are_slices_of_the_whole_list(kb: Store, kwargs: dict[str, str]) -> None:
    whole = [e.id for e in qe.list_events(kb, **kwargs)]
    for limit in (1, 2, 4):
        for offset in range(len(whole) + 1):
            page = qe.list_events(kb, limit=limit, offset=offset, **kwargs)
            assert [e.id for e in page] == whole[offset : offset + limit]


def test_min_confidence_is_applied_before_the_page(kb: Store) -> None:
    sure = [e.id for e in qe.list_events(kb, min_confidence=0.5)]
    assert [e.id for e in qe.list_events(kb, min_confidence=0.5, limit=2)] == sure[:2]


def test_a_timeline_page_holds_the_events_of_its_reports(kb: Store) -> None:
    reports = qe.list_events(kb, limit=3)
    entries = qe.timeline(kb, limit=3)
    assert sorted(r.id for e in entries for r in e.reports) == sorted(r.id for r in reports)
    assert len(qe.timeline(kb)) >= len(entries)
