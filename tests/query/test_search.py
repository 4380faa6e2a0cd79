"""Full-text search: ranking, snippets, filters, index kept in step with writes, both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbdata import build_kb

from tieline.query.search import Page, SearchQuery, parse_terms, search, snippet
from tieline.store.db import Store


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = build_kb(tmp_path_factory.mktemp("kb") / "kb.db")
    with Store(str(db)) as s:
        yield s


def _kinds(page: Page) -> list[str]:
    return [h.kind for h in page.items]


def test_search_ranks_and_highlights(kb: Store) -> None:
    page = search(kb, SearchQuery("pipeline"))
    assert page.total >= 2
    assert {"document", "event"} <= set(_kinds(page))
    scores = [h.score for h in page.items]
    assert scores == sorted(scores, reverse=True)
    for h in page.items:
        marked = [h.snippet[a:b].lower() for a, b in h.highlights]
        assert marked
        assert all(m.startswith("pipeline") for m in marked)
        assert h.doc_id
        assert h.quote


def test_search_stems_words(kb: Store) -> None:
    # "pipelines" finds "pipeline" through the porter stemmer and marks it in the snippet.
    page = search(kb, SearchQuery("pipelines", kinds=("event",)))
    assert page.total == 1
    h = page.items[0]
    assert "pipeline" in [h.snippet[a:b] for a, b in h.highlights]


def test_search_phrase_and_prefix(kb: Store) -> None:
    assert search(kb, SearchQuery('"strategic partnership"', kinds=("event",))).total == 1
    assert search(kb, SearchQuery('"partnership strategic"', kinds=("event",))).total == 0
    assert search(kb, SearchQuery("deliver*", kinds=("event",))).total == 1


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        (SearchQuery("trade", kinds=("figure",)), 4),
        (SearchQuery("trade", kinds=("figure",), since="2019", until="2019"), 1),
        (SearchQuery("Rosatom", kinds=("event",)), 2),
        (SearchQuery("Rosatom", kinds=("event",), actor="CNPC"), 1),
        (SearchQuery("Rosatom", kinds=("event",), sector="nuclear", type="construction"), 1),
        (SearchQuery("supply", kinds=("event",), type="supply"), 1),
        (SearchQuery("India", kinds=("document",), sector="defence"), 1),
        (SearchQuery("Gazprom", kinds=("entity",)), 1),
        (SearchQuery("nonexistentword"), 0),
    ],
)
def test_search_filters(kb: Store, query: SearchQuery, expect: int) -> None:
    page = search(kb, query)
    assert page.total == expect
    if query.kinds:
        assert set(_kinds(page)) <= set(query.kinds)


def test_search_pages(kb: Store) -> None:
    full = search(kb, SearchQuery("trade", limit=50))
    first = search(kb, SearchQuery("trade", limit=2))
    second = search(kb, SearchQuery("trade", limit=2, offset=2))
    assert first.total == second.total == full.total
    assert [h.id for h in first.items + second.items] == [h.id for h in full.items[:4]]


def test_search_hostile_query_is_plain_words(kb: Store) -> None:
    # FTS5 operators and SQL in a query are taken as words, never as syntax.
    for q in ["NEAR(trade", "trade' OR 1=1 --", "title:trade", '"unbalanced', "*", "AND OR NOT"]:
        assert isinstance(search(kb, SearchQuery(q)).total, int)


def test_search_alias_finds_entity(kb: Store) -> None:
    page = search(kb, SearchQuery("CNPC", kinds=("entity",)))
    assert [h.id for h in page.items] == ["china national petroleum"]


def test_parse_terms() -> None:
    terms = parse_terms('gas "Power of Siberia" nucl* S-400')
    assert [t.words for t in terms] == [
        ("gas",),
        ("Power", "of", "Siberia"),
        ("nucl",),
        ("S", "400"),
    ]
    assert [t.prefix for t in terms] == [False, False, True, False]


def test_snippet_windows_on_matches() -> None:
    text = ("filler " * 100) + "the pipeline carries gas " + ("more " * 100)
    snip, marks = snippet(text, parse_terms("pipeline gas"))
    assert snip.startswith("…")
    assert snip.endswith("…")
    assert [snip[a:b] for a, b in marks] == ["pipeline", "gas"]


_WORDS = [
    "pipeline",
    "pipelines",
    "Pipe",
    "gas",
    "GASES",
    "companies",
    "company",
    "us",
    "USA",
    "cooperation",
    "cooperate",
    "energy",
    "x",
    "ab",
    "abc",
    "abcd",
    "Rosatom",
    "nuclear",
    "fuel",
    "fuelled",
    "trade",
    "traded",
    "2019",
    "u_s",
]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(_WORDS) | st.text(alphabet="abcXYZ é-.,", max_size=6), max_size=60
    ).map(" ".join),
    query=st.lists(
        st.sampled_from([*_WORDS, "pip*", "co*", "é*", "gaz"]), min_size=1, max_size=3
    ).map(" ".join),
)
def test_snippet_fast_path_marks_the_same_words_as_the_full_scan(text: str, query: str) -> None:
    from tieline.query import search as qs

    terms = parse_terms(query)
    fast = snippet(text, terms, width=10_000)
    stems = {qs.stem(w) for t in terms if not t.prefix for w in t.words}
    prefixes = {qs._fold(t.words[0]) for t in terms if t.prefix}
    every = [
        (m.start(), m.end())
        for m in qs._WORD.finditer(text)
        if qs._word_matches(m.group(), stems, prefixes)
    ]
    assert [text[a:b] for a, b in every] == [fast[0][a:b] for a, b in fast[1]]


def test_index_follows_replace_and_delete(tmp_path: Path) -> None:
    db = build_kb(tmp_path / "kb.db")
    with Store(str(db)) as store:
        assert search(store, SearchQuery("Siberia")).total == 2
        with store.engine.begin() as conn:
            doc = conn.exec_driver_sql(
                "SELECT id FROM documents WHERE name = 'pipeline.txt'"
            ).scalar()
            store._delete_doc(conn, doc)
        assert search(store, SearchQuery("Siberia")).total == 0
        with store.connect() as conn:
            orphans = conn.exec_driver_sql(
                "SELECT count(*) FROM search_rows WHERE doc_id NOT IN (SELECT id FROM documents)"
            ).scalar()
            n_rows = conn.exec_driver_sql("SELECT count(*) FROM search_rows").scalar()
            n_fts = conn.exec_driver_sql("SELECT count(*) FROM search_fts").scalar()
        assert orphans == 0
        assert n_rows == n_fts
    # Writing the same knowledge base again changes nothing in the index.
    build_kb(db)
    build_kb(db)
    with Store(str(db)) as store:
        assert search(store, SearchQuery("Siberia")).total == 2
        assert search(store, SearchQuery("Gazprom", kinds=("entity",))).total == 1


def test_migration_indexes_existing_rows(tmp_path: Path) -> None:
    db = build_kb(tmp_path / "kb.db")
    with Store(str(db)) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM schema_migrations WHERE version = 2")
        conn.exec_driver_sql("DELETE FROM search_fts")
        conn.exec_driver_sql("DELETE FROM search_rows")
    with Store(str(db)) as store:
        assert search(store, SearchQuery("Siberia")).total == 2


@pytest.mark.slow
def test_search_on_seeds(seeds_db: Path) -> None:
    with Store(str(seeds_db), create=False) as store:
        page = search(store, SearchQuery("Russia", kinds=("document",)))
    assert page.total >= 1
    assert all(h.highlights for h in page.items)


# ----------------------------------------------------------------- PostgreSQL
@pytest.mark.slow
def test_search_same_contract_on_postgresql(pg_db: str, kb: Store) -> None:
    build_kb(pg_db)
    with Store(pg_db) as pg:
        for q in [
            SearchQuery("pipeline"),
            SearchQuery("trade", kinds=("figure",)),
            SearchQuery('"strategic partnership"'),
            SearchQuery("deliver*"),
            SearchQuery("Rosatom", kinds=("event",), actor="CNPC"),
            SearchQuery("trade", since="2019", until="2019"),
        ]:
            a, b = search(kb, q), search(pg, q)
            assert (q.text, b.total) == (q.text, a.total)
            assert {(h.kind, h.id) for h in b.items} == {(h.kind, h.id) for h in a.items}
            assert all(h.highlights for h in b.items if h.kind != "entity")
        # The index follows deletes on PostgreSQL too.
        with pg.engine.begin() as conn:
            doc = conn.exec_driver_sql(
                "SELECT id FROM documents WHERE name = 'pipeline.txt'"
            ).scalar()
            pg._delete_doc(conn, doc)
        assert search(pg, SearchQuery("Siberia")).total == 0


@pytest.mark.slow
def test_search_postgresql_ranks_in_the_server_with_ts_rank(pg_db: str) -> None:
    from sqlalchemy import event

    build_kb(pg_db)
    with Store(pg_db) as pg:
        seen: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        event.listen(pg.engine, "before_cursor_execute", record)
        try:
            page = search(pg, SearchQuery("gas pipeline"))
        finally:
            event.remove(pg.engine, "before_cursor_execute", record)
    assert page.total >= 1
    assert any("ts_rank(" in q for q in seen)
    # no document frequency counted word by word
    assert not any("count(*) FROM search_rows WHERE tsv @@" in q for q in seen)
    scores = [h.score for h in page.items]
    assert scores == sorted(scores, reverse=True)


def test_semantic_without_extra_prints_install_hint(
    kb: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from tieline.errors import MissingExtraError
    from tieline.query import semantic

    semantic.load_model.cache_clear()
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    try:
        with pytest.raises(MissingExtraError, match=r"pip install 'tieline\[semantic\]'"):
            search(kb, SearchQuery("gas", semantic=True))
    finally:
        semantic.load_model.cache_clear()


def test_search_long_query_is_bounded(kb: Store) -> None:
    assert len(parse_terms("word " * 500)) == 32
    assert search(kb, SearchQuery("trade " * 500)).total >= 1


@pytest.mark.slow
@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_feed_memory_vectors_and_digest_reads(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tieline.store import search as ss

    db = str(tmp_path / "m.db") if where == "sqlite" else request.getfixturevalue("pg_db")
    build_kb(db)
    with Store(db) as store:
        ss.remember_entry(store, "https://wire.example/feed", "e1", "https://wire.example/1", None)
        ss.remember_entry(store, "https://wire.example/feed", "e1", "https://wire.example/1", "d")
        assert ss.seen_entries(store, "https://wire.example/feed") == {"e1"}
        vec = bytes(range(16))
        ss.save_vectors(
            store,
            "m",
            [
                {
                    "kind": "event",
                    "id": "x",
                    "doc_id": None,
                    "text_hash": "h",
                    "dim": 4,
                    "vector": vec,
                }
            ],
        )
        ss.save_vectors(
            store,
            "m",
            [
                {
                    "kind": "event",
                    "id": "x",
                    "doc_id": None,
                    "text_hash": "h2",
                    "dim": 4,
                    "vector": vec,
                }
            ],
        )
        assert ss.load_vectors(store, "m") == [("event", "x", vec)]
        assert ss.vector_hashes(store, "m") == {("event", "x"): "h2"}
        ss.save_vectors(store, "m", [], stale=[("event", "x")])
        assert ss.load_vectors(store, "m") == []
        assert len(ss.documents_since(store, "2000-01-01")) == 4
        assert ss.documents_since(store, "2999-01-01") == []
