"""Corpus-level linking after an ingest: the part a batch reaches, or the whole store.

An ingest links incrementally: the keys its documents wrote or removed, grown through the
stored linking tokens and entities into a set that no linking rule crosses
(``tieline.extract.linkscope``), are linked on their own and replace their entities; the rest of
the store keeps its entities and clusters. A full relink (``tieline relink``) rebuilds every
entity; it runs by itself when the store asks for it (a bulk load, a store from before
incremental linking) or when the linker or its gazetteers changed since the store was linked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tieline.config import Settings
from tieline.extract.gazetteer import Gazetteer, load_gazetteer
from tieline.extract.link import _Group, group_rows, link_groups
from tieline.extract.linkscope import (
    EXACT,
    Firsts,
    dump_group,
    exact_tokens,
    first_documents,
    fold,
    fuzzy_mates,
    fuzzy_probes,
    linker_version,
    load_group,
    tokens,
)
from tieline.namekey import name_key
from tieline.records import Entity
from tieline.store import links
from tieline.store.db import Store
from tieline.store.stream import doc_entity_rows

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def needs_full(store: Store, gaz: Gazetteer) -> bool:
    """Whether only a full relink will do: the store asks for one, or its links were made by
    another linker version or gazetteer."""
    return store.links_state() == "all" or links.linker_version(store) != linker_version(gaz)


def relink_full(store: Store, gaz: Gazetteer) -> int:
    """Rebuild every corpus-level entity and the linking tokens; returns the entities."""
    # The keys pending now are covered by the rows read below; keys a writer leaves while
    # this runs stay pending for the next run.
    with store.connect() as conn:
        seen = links.pending_keys(conn)
    # Streamed: the whole list of rows would grow with the store (docs/performance.md); the
    # first documents of each group's entries are noted as the rows go by.
    firsts: Firsts = {}

    def noted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for r in rows:
            first_documents((r,), firsts)
            yield r

    rows = group_rows(noted(doc_entity_rows(store)))
    # In Python's key order whatever the database's collation: incremental linking sorts so.
    # (a defaultdict as ``group_rows`` gives: a curator's split adds a group for its alias)
    groups = defaultdict(_Group, ((k, rows[k]) for k in sorted(rows)))
    # Tokens before linking: curator splits change the groups in place.
    toks = {k: tokens(k, g, gaz) for k, g in groups.items()}
    states = {k: dump_group(g, firsts[k]) for k, g in groups.items()}
    entities, keys, stats = link_groups(groups, gaz, store.judgements())
    store.replace_links(entities, keys, stats, toks, linker_version(gaz), done=seen, groups=states)
    return len(entities)


def _groups_of(
    conn: Connection, keys: set[str], pending: Mapping[str, set[str | None]]
) -> tuple[dict[str, _Group], Firsts]:
    """The groups of these keys: stored, with the rows of documents written since added; read
    from every row when the key has none stored or lost a document."""
    stored = links.stored_groups(conn, keys)
    whole = {k for k in keys if k not in stored or None in pending.get(k, ())}
    groups: dict[str, _Group] = {}
    firsts: Firsts = {}
    if whole:
        rows = links.rows_for_keys(conn, whole)
        groups.update(group_rows(rows))
        firsts.update(first_documents(rows))
    added = {k: {d for d in pending[k] if d} for k in keys - whole if pending.get(k)}
    rows = links.rows_for_docs(conn, added)
    new_groups, new_firsts = group_rows(rows), first_documents(rows)
    for k in keys - whole:
        g, f = load_group(stored[k])
        if k in new_groups:
            g, f = fold((g, f), (new_groups[k], new_firsts[k]))
        groups[k], firsts[k] = g, f
    return groups, firsts


def scope_of(
    conn: Connection, gaz: Gazetteer, seeds: set[str], judgements: list[dict[str, Any]]
) -> tuple[set[str], dict[str, _Group], dict[str, str], Firsts]:
    """The keys that linking ``seeds`` (keys whose rows changed) can reach, their groups (by
    key, as ``link.group_rows`` makes them), the entity each stood for, and the first
    documents of their groups' entries.

    Every key a curator's judgement names is in the scope: a merge joins keys no rule relates.
    """
    named_keys = {
        name_key(str(x)) for j in judgements for x in (j.get("a"), j.get("b"), j.get("alias")) if x
    }
    named = {f"{EXACT}n:{k}" for k in named_keys}
    scope: set[str] = set()
    all_groups: dict[str, _Group] = {}
    all_firsts: Firsts = {}
    old: dict[str, str] = {}
    pending = links.pending_docs(conn)
    # The keys named, and those carrying the names: a split alias's key has no rows of
    # its own, only its place in the key map.
    judged = named_keys | set().union(set(), *links.keys_for_tokens(conn, named).values())
    changed = seeds | judged
    frontier = set(changed)
    while frontier:
        scope |= frontier
        groups, firsts = _groups_of(conn, frontier, pending)
        all_groups.update(groups)
        all_firsts.update(firsts)
        # The stored tokens too: a key that lost its rows still decided its mates' links.
        toks = {t for t in links.tokens_of(conn, frontier) if t.startswith(EXACT)}
        for k, g in groups.items():
            toks |= exact_tokens(k, g, gaz)
        found = set().union(set(), *links.keys_for_tokens(conn, toks).values())
        # Fuzzy links are decided pair by pair on the two groups alone: only a changed
        # group can gain one, and then only with a key it is typo-compatible with.
        probes = {k: fuzzy_probes(k, groups[k], gaz) for k in frontier & changed if k in groups}
        bucket = links.keys_for_tokens(conn, set().union(set(), *probes.values()))
        for k in sorted(probes):
            found |= fuzzy_mates(k, {c for t in probes[k] for c in bucket.get(t, ())})
        members = links.entity_members(conn, frontier)
        old.update(members)
        found |= members.keys()
        frontier = found - scope
    # Each key's group was made whole in one round. In key order, as a full relink meets them
    # (``store.stream.doc_entity_rows``).
    ordered = defaultdict(_Group, ((k, all_groups[k]) for k in sorted(all_groups)))
    return scope, ordered, old, all_firsts


def link_new(store: Store, gaz: Gazetteer, *, judged: bool = False) -> int:
    """Link the keys that writes left pending, and what they reach; returns the entities
    written (0 when nothing was pending). With ``judged``, link the keys the curator's
    judgements name even when nothing is pending (after a new merge or split).

    Reads and writes happen in one transaction that holds the store's link lock from its
    start, so two ingests ending together link one after the other, each from what the other
    wrote, instead of both from the state before them.
    """
    judgements = store.judgements()
    with store.engine.begin() as conn:
        links.lock(store, conn)
        seeds = links.pending_keys(conn)
        if not seeds and not (judged and judgements):
            links.replace_part(
                store,
                conn,
                keys=(),
                old_ids=(),
                entities=(),
                key_map={},
                stats={},
                tokens={},
                done=(),
                changed=(),
            )
            return 0
        scope, groups, old, firsts = scope_of(conn, gaz, seeds, judgements)
        toks = {k: tokens(k, g, gaz) for k, g in groups.items()}
        states = {k: dump_group(g, firsts[k]) for k, g in groups.items()}
        entities, key_map, stats = link_groups(groups, gaz, judgements)
        old_ids = set(old.values())
        taken = links.taken_ids(conn, [e.key for e in entities]) - old_ids
        before = links.entity_facts(conn, old_ids)
        if taken:
            entities, key_map, stats = _rename(entities, key_map, stats, taken)
        after = {e.key: (e.country, e.type) for e in entities}
        changed = {
            k
            for k, eid in old.items()
            if key_map.get(k) != eid or after.get(eid) != before.get(eid)
        }
        links.replace_part(
            store,
            conn,
            keys=scope,
            old_ids=old_ids,
            entities=entities,
            key_map=key_map,
            stats=stats,
            tokens=toks,
            done=seeds,
            changed=changed,
            groups=states,
        )
        return len(entities)


def _rename(
    entities: list[Entity],
    key_map: dict[str, str],
    stats: dict[str, dict[str, Any]],
    taken: set[str],
) -> tuple[list[Entity], dict[str, str], dict[str, dict[str, Any]]]:
    """Give entities whose id another stored entity holds an id of their own, as
    ``link_groups`` does for two entities of one name: the id, '~', the smallest key."""
    members: dict[str, list[str]] = defaultdict(list)
    for k, eid in key_map.items():
        members[eid].append(k)
    used = taken | {e.key for e in entities}
    new_id: dict[str, str] = {}
    for e in entities:
        if e.key in taken:
            base = f"{e.key}~{min(members[e.key])}"
            eid, n = base, 1
            while eid in used:
                n += 1
                eid = f"{base}~{n}"
            used.add(eid)
            new_id[e.key] = eid
    out = [replace(e, key=new_id.get(e.key, e.key)) for e in entities]
    out.sort(key=lambda e: e.key)
    return (
        out,
        {k: new_id.get(v, v) for k, v in key_map.items()},
        {new_id.get(k, k): v for k, v in stats.items()},
    )


def link_store(
    store: Store, settings: Settings, *, full: bool = False, judged: bool = False
) -> tuple[int, bool]:
    """Link what the store needs: incrementally, or in full when asked or when only that will
    do. Returns the entities written and whether the relink was full. ``judged``: a curator
    just added a judgement (its keys are linked again even when nothing is pending)."""
    gaz = load_gazetteer(settings.gazetteers)
    if full or needs_full(store, gaz):
        return relink_full(store, gaz), True
    return link_new(store, gaz, judged=judged), False
