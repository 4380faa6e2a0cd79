"""Reads that touch few pages (migration 15): the same answers as before, and the plans that
make them cheap on a cold store: a page chosen from covering indexes, then its rows alone;
each entity's event count kept equal to a count through ingest, merge, split, replace and
relink."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select, text
from tests.conftest import load_module

from tieline.config import Settings
from tieline.query import entities as qentities
from tieline.query import events as qevents
from tieline.records import Document, Extraction
from tieline.scale.runner import finish_links, link_judgement, relink
from tieline.store import curation
from tieline.store import events as estore
from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.migrations import _m015_narrow_reads

BENCH = Path(__file__).resolve().parents[2] / "bench"
Items = list[tuple[Document, Extraction, bytes | None]]


def _bigstore() -> ModuleType:
    return load_module("bench_bigstore", BENCH / "bigstore.py")


def _corpus(n: int, seed: int = 5) -> Items:
    return [(d, e, None) for d, e in _bigstore()._docs(n, seed)]


def _counted(store: Store) -> dict[str, tuple[int | None, int]]:
    """Entity id -> (stored event count, events counted through its keys now)."""
    with store.connect() as conn:
        rows = conn.execute(select(s.entities.c.id, s.entities.c.event_count)).all()
    out = {}
    for eid, stored in rows:
        keys = curation.keys_of(store, eid) or [eid]
        out[eid] = (stored, curation.count_events_of_keys(store, keys))
    return out


def _assert_counts(store: Store) -> None:
    counted = _counted(store)
    assert counted
    wrong = {k: v for k, v in counted.items() if v[0] != v[1]}
    assert not wrong, list(wrong.items())[:5]
    assert any(v[1] > 3 for v in counted.values())


@pytest.fixture(scope="module")
def gen_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A generated store of 120 documents (about 480 events), linked."""
    db = str(tmp_path_factory.mktemp("cold") / "g.db")
    store = Store(db)
    store.write(_corpus(120))
    finish_links(store, Settings(progress=False), changed=True)
    store.close()
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or a database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "c.db")
    return str(request.getfixturevalue("pg_db"))


def test_event_counts_stay_equal_to_a_count(any_db: str) -> None:
    items = _corpus(90)
    store = Store(any_db)
    settings = Settings(progress=False)
    for i in range(0, 60, 20):  # ingest in batches, each linked incrementally
        store.write(items[i : i + 20])
        finish_links(store, settings, changed=True)
        _assert_counts(store)
    # A curator's merge and split, linked as `tieline merge` and `split` do.
    orgs = sorted(
        {e.name for _, x, _ in items[:60] for e in x.entities if e.type == "ORG" and " " in e.name}
    )
    store.add_judgement("merge", orgs[0], orgs[-1])
    link_judgement(store, settings)
    _assert_counts(store)
    aliased = sorted({a for _, x, _ in items[:60] for e in x.entities for a in e.aliases})
    store.add_judgement("split", aliased[0].lower(), alias=aliased[0])
    link_judgement(store, settings)
    _assert_counts(store)
    # A replaced document loses its events; the next linking counts again.
    doc, ext, _ = items[3]
    new_doc = replace(doc, id=doc.id + "x", text=doc.text + " More.")
    store.write([(new_doc, replace(ext, doc_id=new_doc.id, events=ext.events[:1]), None)])
    finish_links(store, settings, changed=True)
    _assert_counts(store)
    store.write(items[60:])
    finish_links(store, settings, changed=True)
    _assert_counts(store)
    relink(store, settings)
    _assert_counts(store)
    store.close()


def test_migration_15_counts_an_old_store_and_runs_again(gen_db: str, tmp_path: Path) -> None:
    import shutil

    db = str(tmp_path / "old.db")
    shutil.copy(gen_db, db)
    store = Store(db)
    with store.engine.begin() as conn:
        # As a store from before: no counts, the indexes it replaced.
        conn.execute(text("UPDATE entities SET event_count = NULL"))
        conn.execute(text("DROP INDEX ix_events_id_narrow"))
        conn.execute(text("CREATE INDEX ix_mentions_key ON mentions (entity_key)"))
    with store.engine.begin() as conn:
        _m015_narrow_reads(conn)
    _assert_counts(store)
    with store.engine.begin() as conn:
        _m015_narrow_reads(conn)  # again: nothing changes, nothing fails
        names = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='index'")).scalars()
        )
    assert {"ix_events_id_narrow", "ix_documents_id_meta", "ix_participants_event"} <= names
    assert "ix_mentions_key" not in names
    _assert_counts(store)
    store.close()


def _ids(evs: list[Any]) -> list[str]:
    return [e.id for e in evs]


def test_pages_are_slices_of_the_whole_list(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    with store.connect() as conn:
        busy = (
            conn.execute(
                select(s.entities.c.name).order_by(s.entities.c.event_count.desc()).limit(3)
            )
            .scalars()
            .all()
        )
        month = conn.execute(
            text(
                "SELECT substr(date, 1, 7) m FROM events WHERE length(date) >= 7 "
                "GROUP BY m ORDER BY count(*) DESC, m LIMIT 1"
            )
        ).scalar_one()
    scopes: list[dict[str, Any]] = [
        {"actor": busy[0]},  # one actor: the page bound by its participants' dates
        {"actor": busy[1], "since": "2012", "until": "2020"},
        {"actor": busy[2], "since": "2014-05-03", "until": "2022-02"},
        {"actor": busy[0], "type": "agreement"},
        {"type": "agreement", "since": "2011", "until": "2020"},
        {"since": month, "until": month},
        {},
    ]
    for sc in scopes:
        whole = _ids(qevents.list_events(store, **sc))
        assert whole, sc
        for limit, offset in ((5, 0), (7, 3), (50, 0), (3, len(whole) - 2), (4, len(whole) + 1)):
            page = _ids(qevents.list_events(store, limit=limit, offset=offset, **sc))
            assert page == whole[offset : offset + limit], (sc, limit, offset)
    # The busiest actor's timeline page: the reports of the same events as the slice's.
    name = busy[0]
    whole_rows = qevents.list_events(store, actor=name, since="2011", until="2020")
    for offset in (0, 10):
        tl = qevents.timeline(
            store, actor=name, since="2011", until="2020", limit=10, offset=offset
        )
        got = {r.id for entry in tl for r in entry.reports}
        assert got == set(_ids(whole_rows[offset : offset + 10]))
    store.close()


def test_entity_pages_are_slices_of_the_whole_entity(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    for ent in curation.list_entities(store, limit=6):
        whole = qentities.entity_detail(store, ent["id"])
        assert whole["event_count"] == len(whole["events"])
        for limit, offset in ((5, 0), (6, 4)):
            page = qentities.entity_detail(
                store, ent["id"], max_mentions=3, max_events=limit, events_offset=offset
            )
            assert page["events"] == whole["events"][offset : offset + limit]
            assert page["event_count"] == whole["event_count"]
            assert page["mentions"] == whole["mentions"][:3]
    store.close()


def _plan(store: Store, q: Any) -> str:
    with store.connect() as conn:
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_a_page_is_chosen_from_covering_indexes(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    e, d, p = s.events, s.documents, s.event_participants
    f = estore.EventFilter(types=["agreement"], since="2012-03", until="2012-09")
    conds = estore._event_conditions(f)
    assert conds is not None
    page = (
        select(e.c.id)
        .select_from(e.join(d, d.c.id == e.c.doc_id))
        .where(*conds)
        .order_by(e.c.date, d.c.name, e.c.trigger_start, e.c.id)
        .limit(50)
    )
    plan = _plan(store, page)
    assert "COVERING INDEX ix_events_id_narrow" in plan or "COVERING INDEX ix_events_type" in plan
    assert "COVERING INDEX ix_documents_id_meta" in plan
    # Neither table's wide rows: no plain look-up of an events or documents row.
    assert "USING INDEX sqlite_autoindex_events_1" not in plan
    assert "USING INDEX sqlite_autoindex_documents_1" not in plan
    parts = select(p.c.event_id, p.c.entity_key, p.c.role, p.c.name).where(
        p.c.event_id.in_(["a", "b"])
    )
    assert "COVERING INDEX ix_participants_event" in _plan(store, parts)
    store.close()
