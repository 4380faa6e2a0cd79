"""Incremental linking gives what a full relink gives: a generated store ingested in batches,
each linked incrementally, against the same documents linked in full."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import load_module

from tieline.config import Settings
from tieline.extract.gazetteer import load_gazetteer
from tieline.extract.names import name_key
from tieline.records import Document, Entity, Extraction
from tieline.scale.linking import needs_full, scope_of
from tieline.scale.runner import finish_links, link_judgement, relink
from tieline.store import clusters, links
from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.migrations import store_meta

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bigstore() -> ModuleType:
    return load_module("bench_bigstore", BENCH / "bigstore.py")


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]


def _vary(ext: Extraction, rng: random.Random) -> Extraction:
    """Write some names the way articles do: a surname alone, a slip in a long word, an
    acronym beside its long form or alone, small words added: the forms each rule joins."""
    ents: dict[str, Entity] = {}
    rekey: dict[str, str] = {}
    for e in ext.entities:
        words, r = e.name.split(), rng.random()
        name, aliases = e.name, e.aliases
        if e.type == "PERSON" and r < 0.25:
            name = words[-1]
        elif e.type == "PERSON" and r < 0.35 and len(words[-1]) >= 5:
            name = " ".join([*words[:-1], _typo(words[-1], rng)])
        elif e.type == "PERSON" and r < 0.4:
            name = f"{words[0]} {rng.choice(['Ivanovich', 'Li'])} {' '.join(words[1:])}"
        elif e.type == "ORG" and len(words) >= 2 and words[-1].isdigit():
            acronym = "".join(w[0] for w in words[:2]).upper()
            if r < 0.15:
                aliases = (acronym,)
            elif r < 0.22:
                name = acronym
            elif r < 0.3:
                name = f"{words[0]} of the {' '.join(words[1:])}"
            elif r < 0.36 and len(words[0]) >= 5:
                name = " ".join([_typo(words[0], rng), *words[1:]])
        key = name_key(name)
        if not key or key in ents:
            continue
        ents[key] = replace(e, key=key, name=name, aliases=aliases)
        rekey[e.key] = key
    events = tuple(
        replace(
            ev,
            cluster_id=None,
            participants=tuple(
                replace(p, entity_key=rekey[p.entity_key])
                for p in ev.participants
                if p.entity_key in rekey
            ),
        )
        for ev in ext.events
    )
    mentions = tuple(
        replace(m, entity_key=rekey[m.entity_key]) for m in ext.mentions if m.entity_key in rekey
    )
    return replace(ext, entities=tuple(ents.values()), events=events, mentions=mentions)


def _retold(doc: Document, ext: Extraction, n: int) -> tuple[Document, Extraction, None]:
    """Another outlet's report of the same happenings, arriving later: events that cluster
    across batches."""
    did = f"{doc.id}-r{n}"
    events = tuple(replace(ev, id=f"{ev.id}-r{n}") for ev in ext.events)
    figures = tuple(replace(f, id=f"{f.id}-r{n}") for f in ext.figures)
    return (
        replace(doc, id=did, source_key=f"{doc.source_key}-r{n}", text=doc.text + f" ({n})"),
        replace(ext, doc_id=did, events=events, figures=figures),
        None,
    )


def _corpus(n: int, seed: int = 3) -> list[tuple[Document, Extraction, bytes | None]]:
    rng = random.Random(seed)
    items: list[tuple[Document, Extraction, bytes | None]] = [
        (d, _vary(e, rng), None) for d, e in _bigstore()._docs(n, seed)
    ]
    # Every eighth document is told again by another outlet, half a corpus later.
    for i in range(0, n // 2, 8):
        d, e, _ = items[i]
        items.insert(min(len(items), i + n // 2), _retold(d, e, i))
    return items


def _pending(store: Store) -> set[str]:
    with store.connect() as conn:
        return links.pending_keys(conn)


def _entities(store: Store) -> set[tuple[Any, ...]]:
    """Entities named by their members (ids may differ): members, name, type, country,
    aliases, counts and dates."""
    with store.connect() as conn:
        members: dict[str, list[str]] = defaultdict(list)
        for k, eid in conn.execute(select(s.entity_keys.c.key, s.entity_keys.c.entity_id)):
            members[eid].append(k)
        aliases: dict[str, list[str]] = defaultdict(list)
        for eid, a in conn.execute(select(s.entity_aliases.c.entity_id, s.entity_aliases.c.alias)):
            aliases[eid].append(a)
        e = s.entities.c
        rows = conn.execute(
            select(
                e.id,
                e.name,
                e.type,
                e.country,
                e.mention_count,
                e.doc_count,
                e.first_seen,
                e.last_seen,
            )
        ).all()
    return {(tuple(sorted(members[r[0]])), *r[1:], tuple(sorted(aliases[r[0]]))) for r in rows}


def _clusters(store: Store) -> set[frozenset[str]]:
    with store.connect() as conn:
        by: dict[str, set[str]] = defaultdict(set)
        for eid, cid in conn.execute(select(s.events.c.id, s.events.c.cluster_id)):
            assert cid is not None, "every event is placed"
            by[cid].add(eid)
    return {frozenset(v) for v in by.values()}


def _judge(
    store: Store,
    items: list[tuple[Document, Extraction, bytes | None]],
    then: Callable[[], object] = lambda: None,
) -> None:
    """A curator's merge of two organisations and split of an alias that a merge would join,
    each followed by ``then``."""
    orgs = sorted(
        {e.name for _, x, _ in items for e in x.entities if e.type == "ORG" and " " in e.name}
    )
    store.add_judgement("merge", orgs[0], orgs[-1])
    then()
    aliased = sorted({a for _, x, _ in items for e in x.entities for a in e.aliases})
    assert aliased
    store.add_judgement("split", name_key(aliased[0]), alias=aliased[0])
    then()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def inc_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the incrementally linked store lives: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "inc.db")
    return str(request.getfixturevalue("pg_db"))


def test_batches_linked_incrementally_equal_a_full_relink(inc_db: str, tmp_path: Path) -> None:
    items = _corpus(240)
    batches = [items[i : i + 40] for i in range(0, len(items), 40)]
    inc = Store(inc_db)
    full = Store(str(tmp_path / "full.db"))
    settings = Settings(progress=False)
    gaz = load_gazetteer()
    scopes = []
    passes: list[tuple[int, int]] = []  # incremental clustering: reports read, events stored
    for n, batch in enumerate(batches):
        inc.write(batch)
        if n > 0:
            pending = _pending(inc)
            assert pending
            assert inc.links_state() == "new"
            assert not needs_full(inc, gaz)  # linked incrementally
            scopes.append(len(pending))
        clusters.LAST_PASS.clear()
        finish_links(inc, settings, changed=True)
        if n > 0 and clusters.LAST_PASS:
            passes.append((clusters.LAST_PASS["read"], inc.count("events")))
        if n == 2:
            # As `tieline merge` and `split` do: the judgements' keys linked again, not all.
            _judge(inc, items[:80], lambda: link_judgement(inc, settings))
            assert not needs_full(inc, gaz)
        assert inc.links_state() == "fresh"
        assert not _pending(inc)
        assert links.linker_version(inc)
    full.write(items)
    _judge(full, items[:80])
    relink(full, settings)
    assert _entities(inc) == _entities(full)
    orgs = sorted(
        {e.name for _, x, _ in items[:80] for e in x.entities if e.type == "ORG" and " " in e.name}
    )
    a, b = name_key(orgs[0]), name_key(orgs[-1])
    assert any(a in m and b in m for m, *_ in _entities(inc))  # the merge held
    # A full relink of the incrementally linked store changes nothing either.
    before = _entities(inc)
    relink(inc, settings)
    assert _entities(inc) == before
    # Entities that the rules joined are there: the run exercised them.
    multi = [m for m, *_ in _entities(full) if len(m) > 1]
    assert len(multi) >= 20
    assert _clusters(inc) == _clusters(full)
    assert sum(len(c) > 1 for c in _clusters(full)) >= 10
    # Most batches were clustered from the block index, reading a part of the store.
    assert len(passes) >= 3
    assert all(read < events for read, events in passes)
    inc.close()
    full.close()


def _cluster_ids(store: Store) -> dict[str, str | None]:
    with store.connect() as conn:
        return {k: v for k, v in conn.execute(select(s.events.c.id, s.events.c.cluster_id))}


def test_incremental_clustering_reads_its_blocks_and_gives_the_whole_pass(tmp_path: Path) -> None:
    """Placing new events from the block index gives, event by event and id by id, what the
    pass over every stored report gives, while reading a fraction of the store."""
    items = _corpus(400, seed=11)
    settings = Settings(progress=False)
    store = Store(str(tmp_path / "c.db"))
    store.write(items[:360])
    finish_links(store, settings, changed=True)
    assert clusters.blocks_ready(store)
    for part in (items[360:362], items[362:]):
        store.write(part)
        from tieline.scale.linking import link_store

        link_store(store, settings)  # clusters are placed below, both ways
        with store.connect() as conn:
            waiting = conn.execute(
                select(s.events.c.id).where(s.events.c.cluster_id.is_(None))
            ).all()
        assert waiting
        reports = clusters.stored_reports(store)
        whole = clusters.cluster_reports(reports, only_new=True)
        clusters.LAST_PASS.clear()
        clusters.cluster_store(store, only_new=True)
        assert clusters.LAST_PASS["new"] > 0
        # Each new report reads at most NEIGHBOURS on either side in each of its blocks (and
        # the stored clusters of those): two documents reach a part of the store.
        assert clusters.LAST_PASS["read"] < len(reports) / (2 if len(part) == 2 else 1)
        assert _cluster_ids(store) == whole
        # The blocks written as it went are those a pass over every event writes.
        with store.connect() as conn:
            stored = {tuple(r) for r in conn.execute(select(s.cluster_blocks)).all()}
        assert stored == {tuple(r.values()) for r in clusters._block_rows(reports)}
    store.close()


def test_a_batch_links_only_what_it_reaches(tmp_path: Path) -> None:
    items = _corpus(200)
    store = Store(str(tmp_path / "s.db"))
    settings = Settings(progress=False)
    store.write(items[:190])
    finish_links(store, settings, changed=True)
    with store.connect() as conn:
        all_keys = set(conn.execute(select(s.entity_keys.c.key)).scalars())
    store.write(items[190:])
    seeds = _pending(store)
    with store.connect() as conn:
        scope, _groups, _, _firsts = scope_of(conn, load_gazetteer(), seeds, store.judgements())
    assert seeds <= scope
    # The scope is what the batch reaches, not the store.
    assert len(scope) < len(all_keys) / 2
    finish_links(store, settings, changed=True)
    store.close()


def test_a_new_linker_version_asks_for_a_full_relink(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "v.db"))
    items = _corpus(20)
    store.write(items[:10])
    finish_links(store, Settings(progress=False), changed=True)
    gaz = load_gazetteer()
    store.write(items[10:])
    assert not needs_full(store, gaz)
    with store.engine.begin() as conn:
        store._set_meta(conn, "linker_version", "link.corpus.v0|tokens.v0|x")
    assert needs_full(store, gaz)
    finish_links(store, Settings(progress=False), changed=True)
    assert not needs_full(store, gaz)
    store.close()


@pytest.mark.parametrize("n", [3])
def test_a_replaced_document_relinks_the_keys_it_lost(tmp_path: Path, n: int) -> None:
    items = _corpus(30)
    store = Store(str(tmp_path / "r.db"))
    settings = Settings(progress=False)
    store.write(items)
    finish_links(store, settings, changed=True)
    doc, ext, _ = items[n]
    lost = {e.key for e in ext.entities}
    new_doc = replace(doc, id=doc.id + "x", text=doc.text + " More.")
    new_ext = replace(ext, doc_id=new_doc.id, entities=ext.entities[:2], events=(), mentions=())
    store.write([(new_doc, new_ext, None)])
    assert lost <= _pending(store)
    finish_links(store, settings, changed=True)
    full = Store(str(tmp_path / "f.db"))
    full.write([*items[:n], (new_doc, new_ext, None), *items[n + 1 :]])
    relink(full, settings)
    assert _entities(store) == _entities(full)
    store.close()
    full.close()


def test_a_store_from_before_links_in_full_once(tmp_path: Path) -> None:
    from sqlalchemy import text

    db = str(tmp_path / "old.db")
    items = _corpus(20)
    with Store(db) as store:
        store.write(items[:10])
        finish_links(store, Settings(progress=False), changed=True)
        entities = _entities(store)
        with store.engine.begin() as conn:  # as a store written before migration 13
            conn.execute(text("DROP TABLE link_tokens"))
            conn.execute(text("DROP TABLE link_pending"))
            conn.execute(text("DELETE FROM store_meta WHERE key = 'linker_version'"))
            conn.execute(text("DELETE FROM schema_migrations WHERE version = 13"))
    with Store(db) as store:
        assert store.links_state() == "all"
        assert needs_full(store, load_gazetteer())
        finish_links(store, Settings(progress=False), changed=False)
        assert store.links_state() == "fresh"
        assert _entities(store) == entities
        assert not needs_full(store, load_gazetteer())
        with store.connect() as conn:
            assert conn.execute(select(s.link_tokens.c.key)).first() is not None


def test_a_stored_group_with_new_rows_is_the_group_of_all_rows() -> None:
    from tieline.extract.link import group_rows
    from tieline.extract.linkscope import dump_group, first_documents, fold, load_group

    rows = []
    for doc, ext, _ in _corpus(120, seed=5):
        for e in ext.entities:
            rows.append(
                {
                    "doc_id": doc.id,
                    "key": e.key,
                    "name": e.name,
                    "type": e.type,
                    "country": e.country,
                    "aliases": list(e.aliases),
                    "role": e.role,
                    "affiliation": e.affiliation,
                    "kb_id": e.kb_id,
                    "mention_count": e.mention_count,
                    "published": doc.published,
                }
            )
    rows.sort(key=lambda r: (r["key"], r["doc_id"]))
    rng = random.Random(1)
    new_docs = {r["doc_id"] for r in rows if rng.random() < 0.3}
    old_rows = [r for r in rows if r["doc_id"] not in new_docs]
    new_rows = [r for r in rows if r["doc_id"] in new_docs]
    whole, olds, news = group_rows(rows), group_rows(old_rows), group_rows(new_rows)
    of, nf = first_documents(old_rows), first_documents(new_rows)

    def view(g: Any) -> tuple[Any, ...]:
        # Everything linking reads, in the order it reads it; dates by first and last.
        return (
            list(g.names.items()),
            list(g.types.items()),
            list(g.countries.items()),
            list(g.roles.items()),
            list(g.affiliations.items()),
            list(g.aliases),
            g.alias_seen,
            g.kb_ids,
            g.mentions,
            g.docs,
            (min(g.dates), max(g.dates)) if g.dates else (),
        )

    folded = 0
    for k, g in whole.items():
        if k in olds:
            stored = load_group(dump_group(olds[k], of[k]))
            got = fold(stored, (news[k], nf[k]))[0] if k in news else stored[0]
            folded += k in news
        else:
            got = news[k]
        assert view(got) == view(g), k
    assert folded >= 20


def test_a_store_without_blocks_fills_them_on_its_next_clustering(tmp_path: Path) -> None:
    """A store clustered before migration 16 (or bulk-loaded) has no blocks: its next
    clustering reads every event once and writes them; the one after reads its blocks."""
    items = _corpus(80, seed=5)
    settings = Settings(progress=False)
    store = Store(str(tmp_path / "m.db"))
    store.write(items[:60])
    finish_links(store, settings, changed=True)
    with store.engine.begin() as conn:
        conn.execute(s.cluster_blocks.delete())
        conn.execute(store_meta.delete().where(store_meta.c.key == "cluster_blocks"))
    assert not clusters.blocks_ready(store)
    store.write(items[60:70])
    clusters.LAST_PASS.clear()
    finish_links(store, settings, changed=True)
    assert not clusters.LAST_PASS  # the pass over every event
    assert clusters.blocks_ready(store)
    with store.connect() as conn:
        stored = {tuple(r) for r in conn.execute(select(s.cluster_blocks)).all()}
    every = clusters._block_rows(clusters.stored_reports(store))
    assert stored == {tuple(r.values()) for r in every}
    store.write(items[70:])
    finish_links(store, settings, changed=True)
    assert clusters.LAST_PASS["new"] > 0
    store.close()


def test_the_relink_command_rebuilds_every_cluster_and_changes_nothing(tmp_path: Path) -> None:
    """`tieline relink` (api.relink) goes through the runner's relink: on a store already linked
    it writes every cluster again, and entities and clusters come out as they were."""
    from tieline import api

    db = tmp_path / "s.db"
    store = Store(str(db))
    store.write(_corpus(60))
    settings = Settings(db=str(db), progress=False)
    relink(store, settings)
    before = (_entities(store), _clusters(store))
    store.close()
    done = api.relink(settings=settings)
    store = Store(str(db))
    assert (_entities(store), _clusters(store)) == before
    assert done["clusters"] == len(before[1])
    assert done["entities"] == store.count("entities")
    store.close()
