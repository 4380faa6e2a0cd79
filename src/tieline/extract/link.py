"""Resolution across documents: document-level entities to corpus-level canonical entities.

In order: an exact key, a gazetteer name or alias, an acronym seen paired with a long form in
some document, then a guarded fuzzy match (same type, compatible country, every word equal or
one typo apart, and never for acronyms). Curator judgements apply last, so they survive
re-ingest: ``merge A B`` joins two entities, ``split A --alias X`` gives X its own entity.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from tieline.extract.gazetteer import Gazetteer
from tieline.extract.names import name_key
from tieline.records import Entity

NAME = "link.corpus.v1"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Group:
    names: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    affiliations: Counter[str] = field(default_factory=Counter)
    aliases: dict[str, None] = field(default_factory=dict)
    kb_ids: set[str] = field(default_factory=set)
    mentions: int = 0
    docs: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    gazetteer_name: str | None = None


def _is_acronym(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and s.replace(".", "").replace("&", "").isupper() and len(s) <= 8


def _typo_compatible(a: str, b: str) -> bool:
    """Two keys name the same thing with at most one slip per word, and no word differs."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or a == b:
        return a == b
    slips = 0
    for x, y in zip(wa, wb, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) < 5 or Levenshtein.distance(x, y) > 1:
            return False
        slips += 1
    return slips <= max(1, len(wa) // 2)


def _countries_compatible(a: Counter[str], b: Counter[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def link_entities(
    rows: Iterable[Mapping[str, Any]], gaz: Gazetteer, judgements: Sequence[Mapping[str, Any]] = ()
) -> tuple[list[Entity], dict[str, str], dict[str, dict[str, Any]]]:
    """Link document-level entity rows into canonical entities.

    Args:
        rows: doc_entities rows (doc_id, key, name, type, country, aliases, role, ...,
            published).
        gaz: the gazetteer.
        judgements: curator merges and splits, oldest first.

    Returns:
        The canonical entities (key = entity id), a map from every document-level key to its
        entity id, and per-entity stats (doc_count, first_seen, last_seen).
    """
    groups: dict[str, _Group] = defaultdict(_Group)
    for r in rows:
        g = groups[r["key"]]
        g.names[r["name"]] += int(r.get("mention_count") or 1)
        g.types[r["type"]] += 1
        if r.get("country"):
            g.countries[r["country"]] += 1
        if r.get("role"):
            g.roles[r["role"]] += 1
        if r.get("affiliation"):
            g.affiliations[r["affiliation"]] += 1
        aliases = r.get("aliases") or "[]"
        for a in json.loads(aliases) if isinstance(aliases, str) else aliases:
            g.aliases.setdefault(a, None)
        if r.get("kb_id"):
            g.kb_ids.add(r["kb_id"])
        g.mentions += int(r.get("mention_count") or 0)
        g.docs.add(r["doc_id"])
        if r.get("published"):
            g.dates.append(str(r["published"]))
    uf = _UnionFind()
    for k in groups:
        uf.find(k)
    # Gazetteer: any name or alias of the group that the gazetteer knows.
    for k, g in groups.items():
        for surface in (*g.names, *g.aliases):
            actor = gaz.lookup(surface)
            if actor is not None and actor.type in g.types:
                g.gazetteer_name = actor.name
                akey = name_key(actor.name)
                if akey in groups:
                    uf.union(k, akey)
                break
    # Acronyms and aliases paired in some document: a bare key equal to another group's alias.
    alias_owner: dict[str, set[str]] = defaultdict(set)
    for k, g in groups.items():
        for a in g.aliases:
            alias_owner[name_key(a)].add(k)
    for k, g in groups.items():
        owners = alias_owner.get(k, set()) - {k}
        compatible = [o for o in owners if set(groups[o].types) & set(g.types)]
        if len(compatible) == 1:
            uf.union(k, compatible[0])
    # Guarded fuzzy: block by type and word count.
    blocks: dict[tuple[str, int], list[str]] = defaultdict(list)
    for k, g in groups.items():
        name = g.names.most_common(1)[0][0]
        if _is_acronym(name) or len(k) < 5:
            continue
        blocks[(g.types.most_common(1)[0][0], len(k.split()))].append(k)
    for keys in blocks.values():
        keys.sort()
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if abs(len(a) - len(b)) > 2 or not _typo_compatible(a, b):
                    continue
                ga, gb = groups[a], groups[b]
                if ga.gazetteer_name and gb.gazetteer_name and ga.gazetteer_name != gb.gazetteer_name:
                    continue
                if _countries_compatible(ga.countries, gb.countries):
                    uf.union(a, b)
    # Curator judgements, in order.
    split_keys: set[str] = set()
    for j in judgements:
        if j["kind"] == "merge" and j.get("b"):
            ka, kb = name_key(j["a"]), name_key(j["b"])
            if ka in groups and kb in groups:
                uf.union(ka, kb)
        elif j["kind"] == "split" and j.get("alias"):
            split_keys.add(name_key(j["alias"]))
    members: dict[str, list[str]] = defaultdict(list)
    for k in groups:
        root = k if k in split_keys else uf.find(k)
        if root in split_keys and k != root:
            root = uf.find(root)
        members[root].append(k)
    # Keys split off by a curator stay alone; the rest of their group stays together.
    if split_keys:
        regrouped: dict[str, list[str]] = defaultdict(list)
        for root, ks in members.items():
            rest = [k for k in ks if k not in split_keys]
            for k in ks:
                if k in split_keys:
                    regrouped[k].append(k)
            if rest:
                regrouped[min(rest)].extend(rest)
        members = regrouped
    entities: list[Entity] = []
    key_map: dict[str, str] = {}
    stats: dict[str, dict[str, Any]] = {}
    for ks in members.values():
        merged = _Group()
        for k in ks:
            g = groups[k]
            merged.names.update(g.names)
            merged.types.update(g.types)
            merged.countries.update(g.countries)
            merged.roles.update(g.roles)
            merged.affiliations.update(g.affiliations)
            for a in g.aliases:
                merged.aliases.setdefault(a, None)
            merged.kb_ids |= g.kb_ids
            merged.mentions += g.mentions
            merged.docs |= g.docs
            merged.dates += g.dates
            merged.gazetteer_name = merged.gazetteer_name or g.gazetteer_name
        gaz_names = {groups[k].gazetteer_name for k in ks} - {None}
        if len(gaz_names) == 1 and not any(k in split_keys for k in ks):
            name = next(iter(gaz_names))
        else:
            name = max(merged.names.items(), key=lambda kv: (not _is_acronym(kv[0]), kv[1], len(kv[0]), kv[0]))[0]
        eid = name_key(name)
        if eid in key_map.values() or any(e.key == eid for e in entities):
            eid = f"{eid}~{min(ks)}"
        aliases = tuple(sorted({*merged.names, *merged.aliases} - {name}))
        entities.append(Entity(
            key=eid, name=name, type=merged.types.most_common(1)[0][0],
            country=merged.countries.most_common(1)[0][0] if merged.countries else None,
            aliases=aliases,
            role=merged.roles.most_common(1)[0][0] if merged.roles else None,
            affiliation=merged.affiliations.most_common(1)[0][0] if merged.affiliations else None,
            kb_id=sorted(merged.kb_ids)[0] if merged.kb_ids else None,
            mention_count=merged.mentions,
        ))
        for k in ks:
            key_map[k] = eid
        dates = sorted(merged.dates)
        stats[eid] = {"doc_count": len(merged.docs), "first_seen": dates[0] if dates else None,
                      "last_seen": dates[-1] if dates else None}
    entities.sort(key=lambda e: e.key)
    return entities, key_map, stats
