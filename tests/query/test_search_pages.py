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
                (h.kind, h.id) for h in whole.items[offset : offset + limit]
            ]


def test_count_matches_counts_an_alias_as_its_entity(kb: Store) -> None:
    terms = [ss.Term(("CNPC",))]
    rows, hits = ss.count_matches(kb, terms, ("entity", "alias"))
    matched = ss.match(kb, terms, ("entity", "alias"))
    assert rows == len(matched)
    assert hits == len({("entity" if m.kind == "alias" else m.kind, m.ref_id) for m in matched})


@pytest.mark.parametrize("kinds", [(), ("document", "event", "figure")])
def test_a_common_word_is_ranked_among_its_newest_matches(
    kb: Store, kinds: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    terms = [ss.Term(("china",))]
    everything = ss.match(kb, terms, kinds)
    assert len(everything) > 4  # the word is common enough here for a pool of 3 to cut it
    with kb.connect() as conn:
        rowid = {
            (r.kind, r.ref_id, r.sub): r.rowid
            for r in conn.exec_driver_sql("SELECT rowid, kind, ref_id, sub FROM search_rows")
        }
    newest = sorted(
        everything,
        key=lambda m: (
            -max(v for (k, ref, _), v in rowid.items() if k == m.kind and ref == m.ref_id)
        ),
    )[:3]
    monkeypatch.setattr(ss, "RANK_POOL", 3)
    pooled = ss.match(kb, terms, kinds)
    # exactly the three most recently indexed matches, best score first
    assert {(m.kind, m.ref_id) for m in pooled} == {(m.kind, m.ref_id) for m in newest}
    assert [m.score for m in pooled] == sorted((m.score for m in pooled), reverse=True)
    page = search(kb, SearchQuery("china", kinds=tuple(k for k in kinds if k != "alias")))
    assert page.notes
    assert "most recently added" in page.notes[0]


def test_a_word_matching_too_much_lists_headlines_then_newest(
    kb: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terms = [ss.Term(("china",))]
    assert len(ss.match(kb, terms)) > 3
    monkeypatch.setattr(ss, "RANK_ALL_MAX", 3)
    found = ss.ranked(kb, terms)
    assert not found.by_relevance
    with kb.connect() as conn:
        rowid = {
            (r.kind, r.ref_id, r.sub): r.rowid
            for r in conn.exec_driver_sql("SELECT rowid, kind, ref_id, sub FROM search_rows")
        }
        heads = {
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH 'title : (\"china\")'"
            )
        }
    assert heads  # some rows carry the word in a headline or name
    ids = [
        max(v for (k, ref, _), v in rowid.items() if k == m.kind and ref == m.ref_id)
        for m in found.matches
    ]
    keys = [(i in heads, i) for i in ids]
    assert keys == sorted(keys, reverse=True)  # headline matches first, then newest first
    page = search(kb, SearchQuery("china"))
    assert page.notes
    assert "headline" in page.notes[0]
