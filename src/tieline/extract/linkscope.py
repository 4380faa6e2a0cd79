"""The reach of a linking decision: which stored names a new batch can change.

Corpus linking (``extract/link.py``) joins document-level keys by rules that look at other
keys: the same gazetteer actor, an alias equal to a key, names equal but for small words, a
surname or given name with its full names, a name without its middle names, and a guarded
fuzzy match within buckets. Each key gets *tokens*: two keys that any rule could join, or whose
"exactly one owner" decisions could depend on each other, share an exact token; two keys the
fuzzy step could join share a fuzzy token (a bucket of ``link.fuzzy_buckets``).

Incremental linking starts from the keys a batch wrote or removed and adds every stored key
that shares an exact token with a key it holds, every key of an entity it touches, and the
fuzzy bucket mates of the changed keys that are ``typo_compatible`` with them. That set is
closed under every rule, so linking it alone gives what linking the whole store gives for it,
and the rest of the store keeps its entities (``tests/scale/test_incremental_link.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.link import _SMALL, NAME, _aliases, _Group
from tieline.extract.names import is_acronym, name_key, typo_compatible

# Bump when the tokens change: stored tokens of another version call for a full relink.
TOKENS = "tokens.v3"  # v3: an alias joins a key only when their countries are compatible
EXACT, FUZZY = "x", "f"


def linker_version(gaz: Gazetteer) -> str:
    """What a stored linking was made by: the linker, its tokens and the gazetteer."""
    return f"{NAME}|{TOKENS}|{gaz.fingerprint}"


def _main_type(group: _Group, gaz: Gazetteer) -> str:
    actor = _actor(group, gaz)
    return actor.type if actor is not None else group.types.most_common(1)[0][0]


def _actor(group: _Group, gaz: Gazetteer) -> Actor | None:
    # As ``link._link_automatic`` assigns it: the first known surface of a type the group has.
    for surface in (*group.names, *group.aliases):
        actor = gaz.lookup(surface)
        if actor is not None and actor.type in group.types:
            return actor
    return None


def exact_tokens(key: str, group: _Group, gaz: Gazetteer) -> set[str]:
    """Tokens that every pair of keys a non-fuzzy rule (or a curator's judgement, which
    names keys by their names and aliases) could relate shares."""
    out = {f"{EXACT}n:{key}"}
    for surface in (*group.names, *group.aliases):
        out.add(f"{EXACT}n:{name_key(surface)}")
        actor = gaz.lookup(surface)
        if actor is not None:
            # Any known surface, whatever its type: a superset of the actor rule's pairs.
            out.add(f"{EXACT}a:{actor.name}")
            out.add(f"{EXACT}n:{name_key(actor.name)}")
    out.add(f"{EXACT}l:" + " ".join(w for w in key.split() if w not in _SMALL))
    words = key.split()
    if "PERSON" in group.types:
        # Surname or given name to its full names; a name without its middle or given names
        # to the longer names that fit. Any group that was ever a person: a superset.
        if len(words) == 1:
            out.add(f"{EXACT}p:{key}")
        else:
            out.add(f"{EXACT}p:{words[0]}")
            out.add(f"{EXACT}p:{words[-1]}")
            out.add(f"{EXACT}e:{words[0]} {words[-1]}")
            out.add(f"{EXACT}t:{key}")
            for n in range(2, len(words)):
                out.add(f"{EXACT}t:" + " ".join(words[-n:]))
    return out


def fuzzy_tokens(key: str, group: _Group, gaz: Gazetteer) -> set[str]:
    """The fuzzy buckets of ``link.fuzzy_buckets`` that the key falls in (none when the fuzzy
    step skips it: an acronym or a key under five letters)."""
    if is_acronym(group.names.most_common(1)[0][0]) or len(key) < 5:
        return set()
    return fuzzy_signatures(key, _main_type(group, gaz))


def fuzzy_signatures(key: str, etype: str) -> set[str]:
    """The bucket signatures of ``link.fuzzy_buckets`` as tokens."""
    words = key.split()
    sig = f"{FUZZY}{etype}|{len(words)}|{''.join(w[0] for w in words)}"
    if len(words) == 1:
        return {sig}
    return {f"{sig}|{i}|{w}" for i, w in enumerate(words)}


def fuzzy_probes(key: str, group: _Group, gaz: Gazetteer) -> set[str]:
    """The fuzzy buckets a changed key may meet others in: under every type the group was
    given (a curator's split can change which one is its main type), acronym or not."""
    if len(key) < 5:
        return set()
    types = {*group.types, _main_type(group, gaz)}
    return {t for etype in sorted(types) for t in fuzzy_signatures(key, etype)}


def fuzzy_mates(key: str, candidates: Iterable[str]) -> set[str]:
    """The candidates the fuzzy step would compare with ``key`` and find compatible."""
    return {
        c
        for c in candidates
        if c != key and abs(len(c) - len(key)) <= 2 and typo_compatible(key, c)
    }


def tokens(key: str, group: _Group, gaz: Gazetteer) -> set[str]:
    """Every token of a key, exact and fuzzy, as the store keeps them."""
    return exact_tokens(key, group, gaz) | fuzzy_tokens(key, group, gaz)


# ----------------------------------------------------------------------------- stored groups
# A key's group is kept in the store between runs, so that a batch adds its new documents'
# rows to it instead of reading every row of a key again (China: most documents of a store).
# Linking keeps the order in which a group first met each name, type, alias..., and a full
# relink meets rows by key and document: each entry keeps the first document (and place in
# that document's alias list) it came from, and a merged group is put back in that order.
# field -> entry -> (first document, place in its alias list); per key
Entries = dict[str, dict[str, tuple[str, int]]]
Firsts = dict[str, Entries]
_COUNTERS = (
    ("n", "names"),
    ("t", "types"),
    ("c", "countries"),
    ("r", "roles"),
    ("f", "affiliations"),
)


def first_documents(rows: Iterable[Mapping[str, Any]], into: Firsts | None = None) -> Firsts:
    """Per key and field, the first (document, place) each entry came from, as
    ``link.group_rows`` meets them (rows by key and document)."""
    out: Firsts = {} if into is None else into
    for r in rows:
        f = out.setdefault(r["key"], {k: {} for k in ("n", "t", "c", "r", "f", "a")})
        doc = r["doc_id"]
        f["n"].setdefault(r["name"], (doc, 0))
        f["t"].setdefault(r["type"], (doc, 0))
        for short, col in (("c", "country"), ("r", "role"), ("f", "affiliation")):
            if r.get(col):
                f[short].setdefault(r[col], (doc, 0))
        for i, a in enumerate(_aliases(r.get("aliases"))):
            f["a"].setdefault(a, (doc, i))
    return out


def dump_group(group: _Group, firsts: Mapping[str, Mapping[str, tuple[str, int]]]) -> str:
    """A group and its entries' first documents as JSON, for ``link_groups``."""
    state: dict[str, Any] = {
        short: [[k, v, *firsts[short][k]] for k, v in getattr(group, name).items()]
        for short, name in _COUNTERS
    }
    state["a"] = [[a, *firsts["a"][a]] for a in group.aliases]
    state["s"] = {k: sorted([d, p] for d, p in v) for k, v in group.alias_seen.items()}
    state["k"] = sorted(group.kb_ids)
    state["m"] = group.mentions
    state["d"] = sorted(group.docs)
    state["dt"] = [min(group.dates), max(group.dates)] if group.dates else []
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def load_group(text: str) -> tuple[_Group, Entries]:
    """The group and first documents ``dump_group`` wrote."""
    state = json.loads(text)
    g = _Group()
    firsts: Entries = {}
    for short, name in _COUNTERS:
        counter: Counter[str] = getattr(g, name)
        firsts[short] = {}
        for k, v, doc, pos in state[short]:
            counter[k] = v
            firsts[short][k] = (doc, pos)
    firsts["a"] = {}
    for a, doc, pos in state["a"]:
        g.aliases[a] = None
        firsts["a"][a] = (doc, pos)
    g.alias_seen = {k: {(d, p) for d, p in v} for k, v in state["s"].items()}
    g.kb_ids = set(state["k"])
    g.mentions = state["m"]
    g.docs = set(state["d"])
    g.dates = list(state["dt"])
    return g, firsts


def fold(
    old: tuple[_Group, Entries],
    new: tuple[_Group, Entries],
) -> tuple[_Group, Entries]:
    """A stored group with the rows of new documents added: what ``link.group_rows`` makes of
    all of them, in the order it would meet them."""
    (a, fa), (b, fb) = old, new
    g = _Group()
    firsts: Entries = {}
    for short, name in (*_COUNTERS, ("a", "aliases")):
        first = dict(fa[short])
        for k, where in fb[short].items():
            first[k] = min(first[k], where) if k in first else where
        firsts[short] = first
        if short == "a":
            g.aliases = {k: None for k in sorted(first, key=lambda k: (first[k], k))}
            continue
        ca, cb = getattr(a, name), getattr(b, name)
        counter: Counter[str] = getattr(g, name)
        for k in sorted(first, key=lambda k: (first[k], k)):
            counter[k] = ca.get(k, 0) + cb.get(k, 0)
    g.alias_seen = {
        k: a.alias_seen.get(k, set()) | b.alias_seen.get(k, set())
        for k in (*a.alias_seen, *b.alias_seen)
    }
    g.kb_ids = a.kb_ids | b.kb_ids
    g.mentions = a.mentions + b.mentions
    g.docs = a.docs | b.docs
    dates = [*a.dates, *b.dates]
    g.dates = [min(dates), max(dates)] if dates else []
    return g, firsts
