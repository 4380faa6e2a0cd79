"""Resolution across documents: document-level entities to corpus-level canonical entities.

In order: an exact key, a gazetteer name or alias, an acronym or alias seen paired with a long
form in some document (of a compatible country), names that differ only in small words
('commission on X' and 'commission for X'), a surname or given name to the one full name that
carries it, then a guarded fuzzy match (same type, compatible country, every word equal or one
typo apart, never for acronyms, never between two gazetteer actors). Curator judgements apply
last, so they survive re-ingest: ``merge A B`` joins two entities, ``split A --alias X`` gives
X its own entity.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.names import is_acronym, name_key, typo_compatible
from tieline.records import Entity

NAME = "link.corpus.v3"

_SMALL = frozenset({"of", "for", "on", "the", "and", "in", "to"})


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
    actor: Actor | None = None
    # alias key -> (document, published date) of the rows that carried the alias
    alias_seen: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)

    def absorb(self, g: _Group) -> None:
        self.names.update(g.names)
        self.types.update(g.types)
        self.countries.update(g.countries)
        self.roles.update(g.roles)
        self.affiliations.update(g.affiliations)
        for a in g.aliases:
            self.aliases.setdefault(a, None)
        self.kb_ids |= g.kb_ids
        self.mentions += g.mentions
        self.docs |= g.docs
        self.dates += g.dates

    @property
    def main_type(self) -> str:
        return self.actor.type if self.actor else self.types.most_common(1)[0][0]


def _countries_compatible(a: Counter[str], b: Counter[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _aliases(value: Any) -> list[str]:
    if isinstance(value, str):
        return list(json.loads(value or "[]"))
    return list(value or [])


def _groups(rows: Iterable[Mapping[str, Any]]) -> dict[str, _Group]:
    groups: dict[str, _Group] = defaultdict(_Group)
    for r in rows:
        g = groups[r["key"]]
        weight = max(int(r.get("mention_count") or 1), 1)
        g.names[r["name"]] += weight
        g.types[r["type"]] += weight
        if r.get("country"):
            g.countries[r["country"]] += weight
        if r.get("role"):
            g.roles[r["role"]] += 1
        if r.get("affiliation"):
            g.affiliations[r["affiliation"]] += 1
        for a in _aliases(r.get("aliases")):
            g.aliases.setdefault(a, None)
            g.alias_seen.setdefault(name_key(a), set()).add(
                (r["doc_id"], str(r["published"]) if r.get("published") else None)
            )
        if r.get("kb_id"):
            g.kb_ids.add(r["kb_id"])
        g.mentions += int(r.get("mention_count") or 0)
        g.docs.add(r["doc_id"])
        if r.get("published"):
            g.dates.append(str(r["published"]))
    return groups


def _link_automatic(groups: dict[str, _Group], gaz: Gazetteer, uf: _UnionFind) -> None:
    # Gazetteer: any name or alias of the group that the gazetteer knows, of a type it has.
    actor_groups: dict[str, list[str]] = defaultdict(list)
    for k, g in groups.items():
        for surface in (*g.names, *g.aliases):
            actor = gaz.lookup(surface)
            if actor is not None and actor.type in g.types:
                g.actor = actor
                actor_groups[actor.name].append(k)
                break
    for ks in actor_groups.values():
        for k in ks[1:]:
            uf.union(ks[0], k)
    # Acronyms and aliases paired in some document: a bare key equal to another group's alias.
    alias_owner: dict[str, set[str]] = defaultdict(set)
    for k, g in groups.items():
        for a in g.aliases:
            alias_owner[name_key(a)].add(k)
    for k, g in groups.items():
        owners = alias_owner.get(k, set()) - {k}
        compatible = [
            o
            for o in owners
            if set(groups[o].types) & set(g.types)
            and not (g.actor and groups[o].actor and g.actor is not groups[o].actor)
            # 'Exim Bank' of India is no alias of China's: an alias joins within one state
            and _countries_compatible(groups[o].countries, g.countries)
        ]
        if len({uf.find(o) for o in compatible}) == 1:
            uf.union(k, compatible[0])
    # Names that differ only in small words.
    loose: dict[str, str] = {}
    for k in sorted(groups):
        lk = " ".join(w for w in k.split() if w not in _SMALL)
        if lk in loose and set(groups[loose[lk]].types) & set(groups[k].types):
            uf.union(loose[lk], k)
        else:
            loose.setdefault(lk, k)
    # A surname or given name on its own goes to the one full name carrying it; two people
    # who share a surname stay apart (the short name stays on its own).
    parts: dict[str, set[str]] = defaultdict(set)
    for k, g in groups.items():
        if g.main_type == "PERSON" and len(k.split()) > 1:
            words = k.split()
            parts[words[0]].add(k)
            parts[words[-1]].add(k)
    for k, g in groups.items():
        if g.main_type == "PERSON" and len(k.split()) == 1:
            owners = {uf.find(o) for o in parts.get(k, set())}
            if len(owners) == 1:
                uf.union(k, next(iter(parts[k])))
    # A name written without its middle names ('Recep Erdogan' for 'Recep Tayyip Erdogan')
    # or without its given names ('Le Drian') goes to the one longer name that fits.
    ends: dict[tuple[str, str], set[str]] = defaultdict(set)
    tails: dict[str, set[str]] = defaultdict(set)
    for k, g in groups.items():
        words = k.split()
        if g.main_type == "PERSON" and len(words) > 2:
            ends[(words[0], words[-1])].add(k)
            for n in range(2, len(words)):
                tails[" ".join(words[-n:])].add(k)
    for k, g in groups.items():
        words = k.split()
        if g.main_type != "PERSON" or len(words) < 2:
            continue
        owners = (ends.get((words[0], words[-1]), set()) | tails.get(k, set())) - {k}
        owners = {o for o in owners if len(o.split()) > len(words)}
        if len({uf.find(o) for o in owners}) == 1:
            uf.union(k, next(iter(owners)))
    # Guarded fuzzy, tried only within buckets that every typo-compatible pair shares.
    fuzzy = [
        (k, g.main_type)
        for k, g in groups.items()
        if not is_acronym(g.names.most_common(1)[0][0]) and len(k) >= 5
    ]
    for keys in fuzzy_buckets(fuzzy):
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if abs(len(a) - len(b)) > 2 or not typo_compatible(a, b):
                    continue
                ga, gb = groups[a], groups[b]
                if ga.actor and gb.actor and ga.actor is not gb.actor:
                    continue
                if _countries_compatible(ga.countries, gb.countries):
                    uf.union(a, b)


def fuzzy_buckets(keys: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Buckets of name keys (with their type) such that any two keys of one type that are
    ``typo_compatible`` share a bucket; each bucket sorted.

    A compatible pair has the same word count and the same initials (a word with a slip keeps
    its first letter), and from two words on at least one word equal in place (a slip in half
    the words at most). Comparing within such buckets instead of within a type and word count
    keeps linking from growing with the square of the names (41,000 people at 250k
    documents: 840M pairs).
    """
    buckets: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for k, etype in keys:
        words = k.split()
        sig = (etype, len(words), tuple(w[0] for w in words))
        if len(words) == 1:
            buckets[sig].append(k)
        else:
            for i, w in enumerate(words):
                buckets[(*sig, i, w)].append(k)
    return [sorted(ks) for ks in buckets.values() if len(ks) > 1]


def _judged_keys(groups: dict[str, _Group], name: str) -> list[str]:
    """The document-level keys a curator's name stands for: its key, or groups aliasing it."""
    k = name_key(name)
    if k in groups:
        return [k]
    found = sorted(
        key
        for key, g in groups.items()
        if any(name_key(a) == k for a in (*g.names, *g.aliases))
        or (g.actor is not None and name_key(g.actor.name) == k)
    )
    return found


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
        The canonical entities (key = entity id), a map from every document-level key (and
        every alias a curator split off) to its entity id, and per-entity stats (doc_count,
        first_seen, last_seen).
    """
    return link_groups(_groups(rows), gaz, judgements)


def group_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, _Group]:
    """Document-level entity rows grouped by key: what linking and its scope
    (``extract/linkscope.py``) read."""
    return _groups(rows)


def link_groups(
    groups: dict[str, _Group], gaz: Gazetteer, judgements: Sequence[Mapping[str, Any]] = ()
) -> tuple[list[Entity], dict[str, str], dict[str, dict[str, Any]]]:
    """``link_entities`` on rows already grouped by ``group_rows`` (changed in place)."""
    # Curator splits: the alias leaves every group that carried it and gets a group of its own,
    # unless a later merge names it again (the curator changed their mind).
    split_keys: set[str] = set()
    for n, j in enumerate(judgements):
        if j["kind"] == "split" and j.get("alias"):
            alias = str(j["alias"])
            ak = name_key(alias)
            if any(
                later["kind"] == "merge"
                and ak in (name_key(str(later["a"])), name_key(str(later.get("b") or "")))
                for later in judgements[n + 1 :]
            ):
                continue
            carriers = [
                k
                for k, g in groups.items()
                if k != ak and any(name_key(a) == ak for a in g.aliases)
            ]
            if not carriers and ak not in groups:
                continue
            split_keys.add(ak)
            new = groups[ak]
            for k in carriers:
                g = groups[k]
                g.aliases = {a: None for a in g.aliases if name_key(a) != ak}
                seen = g.alias_seen.get(ak, set())
                new.names[alias] += 1
                new.mentions += len(seen)  # at least one use per document that carried it
                new.types[g.main_type] += 1
                new.docs |= {d for d, _ in seen}
                new.dates += [p for _, p in seen if p]
    uf = _UnionFind()
    for k in groups:
        uf.find(k)
    _link_automatic(groups, gaz, uf)
    # Curator merges, in order; splits win over any automatic link.
    kept: list[str] = []  # each merge's ``a``, latest last: the entity that stays
    for j in judgements:
        if j["kind"] == "merge" and j.get("b"):
            ka, kb = _judged_keys(groups, str(j["a"])), _judged_keys(groups, str(j["b"]))
            if ka and kb:
                uf.union(ka[0], kb[0])
                kept.append(ka[0])
    members: dict[str, list[str]] = defaultdict(list)
    for k in groups:
        members[k if k in split_keys else uf.find(k)].append(k)
    if split_keys:
        regrouped: dict[str, list[str]] = defaultdict(list)
        for ks in members.values():
            for k in ks:
                if k in split_keys:
                    regrouped[k].append(k)
            rest = [k for k in ks if k not in split_keys]
            if rest:
                regrouped[min(rest)].extend(rest)
        members = regrouped
    entities: list[Entity] = []
    key_map: dict[str, str] = {}
    stats: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for ks in sorted(members.values()):
        merged = _Group()
        for k in ks:
            merged.absorb(groups[k])
        actors = {a.name: a for k in ks if (a := groups[k].actor) is not None}
        actor = (
            next(iter(actors.values())) if len(actors) == 1 and not (set(ks) & split_keys) else None
        )
        # A curator's merge keeps ``a``: when ``a`` is a known actor, its name (and so its id)
        # stays even if ``b`` has more mentions ("merge gazprom rosatom" is Gazprom).
        stays = next((k for k in reversed(kept) if k in ks), None) if len(ks) > 1 else None
        if stays is not None and groups[stays].actor is not None:
            actor = groups[stays].actor
        if actor is not None:
            name, etype, country = actor.name, actor.type, actor.country
        else:
            # No known actor decides: a merge's ``a`` gives the name, else the commonest.
            names = (
                groups[stays].names if stays is not None and groups[stays].names else merged.names
            )
            name = max(
                names.items(), key=lambda kv: (not is_acronym(kv[0]), kv[1], len(kv[0]), kv[0])
            )[0]
            etype = merged.types.most_common(1)[0][0]
            country = merged.countries.most_common(1)[0][0] if merged.countries else None
        eid = name_key(name) or min(ks)
        if eid in used:
            eid = f"{eid}~{min(ks)}"
        used.add(eid)
        aliases = tuple(sorted({*merged.names, *merged.aliases} - {name}))
        entities.append(
            Entity(
                key=eid,
                name=name,
                type=etype,
                country=country,
                aliases=aliases,
                role=merged.roles.most_common(1)[0][0] if merged.roles else None,
                affiliation=merged.affiliations.most_common(1)[0][0]
                if merged.affiliations
                else None,
                kb_id=sorted(merged.kb_ids)[0] if merged.kb_ids else None,
                mention_count=merged.mentions,
            )
        )
        for k in ks:
            key_map[k] = eid
        dates = sorted(merged.dates)
        stats[eid] = {
            "doc_count": len(merged.docs),
            "first_seen": dates[0] if dates else None,
            "last_seen": dates[-1] if dates else None,
        }
    entities.sort(key=lambda e: e.key)
    return entities, key_map, stats
