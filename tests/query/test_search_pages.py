"""Unfiltered search pages come ranked and cut by the index: each page is a slice of the whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kbdata import build_kb

from tieline.query.search import SearchQuery, search
from tieline.store import search as ss
from tieline.store.db import Store


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = build_kb(tmp_path_factory.mktemp("kb") / "kb.db")
    with Store(str(db)) as s:
        yield s


@pytest.mark.parametrize("text", ["trade", "gas", "china", "pipe*", "CNPC"])
def test_every_page_is_a_slice_of_the_ranked_whole(kb: Store, text: str) -> None:
    whole = search(kb, SearchQuery(text, limit=ss.MATCH_CAP))
    assert whole.total == len(whole.items)
    for limit in (1, 3):
        for offset in range(whole.total + 1):
            page = search(kb, SearchQuery(text, limit=limit, offset=offset))
            assert page.total == whole.total
            assert [(h.kind, h.id) for h in page.items] == [
                (h.kind, h.id) for h in whole.items[offset : offset + limit]]


def test_count_matches_counts_an_alias_as_its_entity(kb: Store) -> None:
    terms = [ss.Term(("CNPC",))]
    rows, hits = ss.count_matches(kb, terms, ("entity", "alias"))
    matched = ss.match(kb, terms, ("entity", "alias"))
    assert rows == len(matched)
    assert hits == len({("entity" if m.kind == "alias" else m.kind, m.ref_id) for m in matched})
