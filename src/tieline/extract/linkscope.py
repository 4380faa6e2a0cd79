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

from collections.abc import Iterable

from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.link import _SMALL, NAME, _Group
from tieline.extract.names import is_acronym, name_key, typo_compatible

# Bump when the tokens change: stored tokens of another version call for a full relink.
TOKENS = "tokens.v1"
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
