"""Page reads that touch few pages (issue 19, migration 18): the web entity page is paged in
the store and walks every event and mention exactly once; the whole store's first page is
bounded from the date index; an actor matched by name is read from an index alone. The plans
are asserted with EXPLAIN QUERY PLAN on a generated store."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text
from tests.conftest import load_module

from tieline.config import Settings
from tieline.query import scope
from tieline.scale.runner import finish_links
from tieline.store import curation
from tieline.store import events as estore
from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.migrations import _m018_page_order_indexes
from tieline.web.app import create_app

BENCH = Path(__file__).resolve().parents[2] / "bench"
# The big tables: a query that scans one of them reads the whole store at a million events.
BIG = ("events", "event_participants", "mentions", "documents")


@pytest.fixture(scope="module")
def gen_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A generated store of 150 documents (about 600 events), linked."""
    big = load_module("bench_bigstore", BENCH / "bigstore.py")
    db = str(tmp_path_factory.mktemp("pages") / "g.db")
    store = Store(db)
    store.write([(d, e, None) for d, e in big._docs(150, 9)])
    finish_links(store, Settings(progress=False), changed=True)
    store.close()
    return db


def _busy(store: Store, n: int) -> list[dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(s.entities.c.id, s.entities.c.name, s.entities.c.event_count)
            .order_by(s.entities.c.event_count.desc(), s.entities.c.id)
            .limit(n)
        ).all()
    return [dict(r._mapping) for r in rows]


def _walk(c: TestClient, eid: str, key: str, limit: int) -> tuple[list[Any], int]:
    """Every page of one list of an entity page, by its offset; the items and the total."""
    items: list[Any] = []
    offset, total = 0, None
    lname = "limit" if key == "events" else "mentions_limit"
    oname = "offset" if key == "events" else "mentions_offset"
    tname = "event_total" if key == "events" else "mention_total"
    while total is None or offset < total:
        r = c.get(f"/api/entities/{eid}", params={lname: limit, oname: offset})
        assert r.status_code == 200, r.text
        body = r.json()
        total = body[tname]
        assert len(body[key]) <= limit
        items += body[key]
        offset += limit
    return items, int(total)


def test_the_entity_page_walks_every_event_and_mention_once(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    busy = _busy(store, 3)
    with TestClient(create_app(gen_db), base_url="http://127.0.0.1") as c:
        for ent in busy:
            whole = c.get(f"/api/entities/{ent['id']}", params={"limit": 500}).json()
            assert whole["event_total"] == ent["event_count"] == len(whole["events"]) > 7
            events, total = _walk(c, ent["id"], "events", 7)
            ids = [e["id"] for e in events]
            assert total == len(ids) == len(set(ids)) == ent["event_count"]
            # Pages in order are the whole list cut in pieces: each event exactly once.
            assert events == whole["events"]
            mentions, mtotal = _walk(c, ent["id"], "mentions", 5)
            spans = [(m["doc_id"], m["start"]) for m in mentions]
            assert mtotal == len(spans) == len(set(spans)) > 5
            keys = sorted({*curation.keys_of(store, ent["id"]), ent["id"]})
            assert sorted(spans) == sorted(
                (m["doc_id"], m["span_start"]) for m in curation.mentions_of(store, keys)
            )
            # Past the end: an empty page that still says how many there are.
            far = c.get(f"/api/entities/{ent['id']}", params={"offset": total + 3}).json()
            assert far["events"] == []
            assert far["event_total"] == total
    store.close()


def _plans(store: Store, run: Any) -> list[tuple[str, list[str]]]:
    """The SELECTs ``run()`` makes, each with its EXPLAIN QUERY PLAN lines."""
    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", hook)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", hook)
    out = []
    with store.engine.connect() as conn:
        for sql, params in seen:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            out.append((" ".join(sql.split()), [str(r[-1]) for r in plan]))
    return out


def _scans(plans: list[tuple[str, list[str]]]) -> list[str]:
    """Plan lines that read a big table whole. An index read in its own order that stops
    at a LIMIT (no sort in between) is not one: it reads the page's entries only."""
    bad = []
    for sql, lines in plans:
        in_order = "LIMIT" in sql and not any("TEMP B-TREE" in x for x in lines)
        for line in lines:
            if not any(line.startswith(f"SCAN {t}") for t in BIG):
                continue
            if in_order and "COVERING INDEX" in line:
                continue
            bad.append(f"{line}  <-  {sql[:160]}")
    return bad


def test_entity_event_and_mention_pages_use_indexes(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    ent = _busy(store, 1)[0]
    keys = curation.keys_of(store, ent["id"]) or [ent["id"]]

    def run() -> None:
        estore.page_ids(
            store,
            estore.EventFilter(actors=((frozenset(keys), frozenset()),)),
            limit=10,
            offset=10,
        )
        curation.mentions_page(store, keys, limit=10, offset=10)
        curation.count_mentions_of_keys(store, keys)

    plans = _plans(store, run)
    assert not _scans(plans)
    joined = "\n".join(line for _, lines in plans for line in lines)
    assert "COVERING INDEX ix_participants_key_when" in joined
    # Each key's first mentions in index order: no sort of every mention of the key.
    per_key = [lines for sql, lines in plans if "ORDER BY mentions.doc_id" in sql]
    assert per_key
    for lines in per_key:
        assert any("COVERING INDEX ix_mentions_key_doc" in x for x in lines), lines
        assert not any("TEMP B-TREE" in x for x in lines), lines
    store.close()


def test_the_whole_store_page_is_bounded_from_the_date_index(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    plans = _plans(store, lambda: estore.page_ids(store, estore.EventFilter(), limit=20))
    # The two streams that find the page's last date read index ranges in order.
    streams = [p for p in plans if "LIMIT" in p[0] and "published" in p[0].split("FROM")[0]]
    streams += [p for p in plans if p[0].startswith("SELECT events.date FROM events")]
    assert len(streams) == 2, [p[0][:120] for p in plans]
    for _, lines in streams:
        assert not any("TEMP B-TREE" in x for x in lines), lines
        assert not any(x.startswith("SCAN events") for x in lines), lines
    assert not _scans(plans)
    page = [p for p in plans if p[0].startswith("SELECT events.id FROM events JOIN documents")]
    assert page
    for _, lines in page:
        # Only the events up to the page's last date are candidates, by index.
        assert not any(x.startswith("SCAN events") for x in lines), lines
        assert any("ix_events_date_id" in x for x in lines), lines
    # Every event exactly once over the pages, in the order of the unbounded sort.
    whole = estore.page_ids(store, estore.EventFilter(), limit=10_000)
    walked: list[str] = []
    for off in range(0, len(whole) + 20, 20):
        walked += estore.page_ids(store, estore.EventFilter(), limit=20, offset=off)
    assert walked == whole
    assert len(set(walked)) == len(whole) == store.count("events")
    store.close()


def test_an_actor_named_is_matched_from_indexes_alone(gen_db: str) -> None:
    store = Store(gen_db, create=False)
    ent = _busy(store, 1)[0]
    # A name no entity carries is matched on the participants' names (not linked yet).
    plans = _plans(
        store,
        lambda: estore.page_ids(
            store,
            estore.EventFilter(
                actors=((frozenset(), frozenset({"Somebody Unlinked"})),),
                since="2012",
                until="2020",
            ),
            limit=10,
        ),
    )
    joined = [x for _, lines in plans for x in lines]
    assert any("COVERING INDEX ix_participants_lname_cover" in x for x in joined), joined
    assert not _scans(plans)
    ref_plans = _plans(store, lambda: scope.resolve_actor(store, ent["name"]))
    assert ref_plans
    assert not _scans(ref_plans)
    assert not any(
        x.startswith("SCAN entities") or "MULTI-INDEX OR" in x
        for _, lines in ref_plans
        for x in lines
    )
    assert ent["id"] in scope.resolve_actor(store, ent["id"]).ids
    assert ent["id"] in scope.resolve_actor(store, ent["name"].upper()).ids
    store.close()


def test_migration_18_replaces_the_indexes_and_runs_again(gen_db: str, tmp_path: Path) -> None:
    db = str(tmp_path / "old.db")
    shutil.copy(gen_db, db)
    store = Store(db)
    with store.engine.begin() as conn:
        # As a store from before: the two indexes it replaces.
        conn.execute(text("DROP INDEX ix_events_date_id"))
        conn.execute(text("DROP INDEX ix_participants_lname_cover"))
        conn.execute(text("CREATE INDEX ix_events_date ON events (date)"))
        conn.execute(
            text(
                "CREATE INDEX ix_participants_lname_when ON event_participants "
                "(lower(name), when_date, event_id)"
            )
        )
    for _ in range(2):  # again: nothing changes, nothing fails
        with store.engine.begin() as conn:
            _m018_page_order_indexes(conn)
            names = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='index'")).scalars()
            )
        assert {"ix_events_date_id", "ix_participants_lname_cover"} <= names
        assert not {"ix_events_date", "ix_participants_lname_when"} & names
    store.close()


@pytest.mark.slow
def test_pages_walk_every_event_once_on_postgresql(pg_db: str) -> None:
    big = load_module("bench_bigstore", BENCH / "bigstore.py")
    store = Store(pg_db)  # every migration, 18 too, on a real server
    store.write([(d, e, None) for d, e in big._docs(60, 4)])
    finish_links(store, Settings(progress=False), changed=True)
    whole = estore.page_ids(store, estore.EventFilter(), limit=10_000)
    walked: list[str] = []
    for off in range(0, len(whole) + 15, 15):
        walked += estore.page_ids(store, estore.EventFilter(), limit=15, offset=off)
    assert walked == whole
    assert len(set(walked)) == store.count("events")
    ent = _busy(store, 1)[0]
    keys = curation.keys_of(store, ent["id"]) or [ent["id"]]
    mentions = curation.mentions_of(store, keys)
    paged: list[dict[str, Any]] = []
    for off in range(0, len(mentions) + 4, 4):
        paged += curation.mentions_page(store, keys, limit=4, offset=off)
    assert sorted(m["id"] for m in paged) == sorted(m["id"] for m in mentions)
    assert curation.count_mentions_of_keys(store, keys) == len(mentions) == len(paged)
    store.close()
