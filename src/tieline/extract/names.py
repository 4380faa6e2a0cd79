"""Name keys: the normal form under which names are compared and linked."""

from __future__ import annotations

import re

# The key itself lives beside the records, since the store indexes names by it
# (entity_name_keys); extraction imports it from here as before.
from tieline.namekey import _POSSESSIVE
from tieline.namekey import name_key as name_key
from tieline.namekey import strip_accents as strip_accents


def clean_surface(s: str) -> str:
    """A surface form as a display name: no possessive, no leading 'the', single spaces."""
    s = " ".join(s.split()).strip(" ,.;:\"“”'‘’()[]")
    s = _POSSESSIVE.sub("", s)
    if s.lower().startswith("the "):
        s = s[4:]
    return s.strip()


def is_acronym(s: str) -> bool:
    """A short all-capital name such as 'CASIC', 'U.S.' or 'R&D'."""
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and s.replace(".", "").replace("&", "").isupper() and len(s) <= 8


def typo_compatible(a: str, b: str) -> bool:
    """Two keys name the same thing with at most one slip per word, and no word differs.

    Words under five letters must match exactly, so 'CASIC' never meets 'CASC' and 'Xi'
    never meets 'Li'; one slip is allowed in half the words at most.
    """
    from rapidfuzz.distance import Levenshtein

    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or a == b:
        return a == b
    slips = 0
    for x, y in zip(wa, wb, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) < 5 or x[0] != y[0] or Levenshtein.distance(x, y) > 1:
            return False
        slips += 1
    return slips <= max(1, len(wa) // 2)


_SMALL_WORDS = {"of", "and", "for", "the", "on", "in", "at", "de", "&", "to"}
# Words an acronym may leave out (CETC: China Electronics Technology [Group] Corporation). A
# content word such as 'Industry' may not be skipped: CASC must never abbreviate CASIC's name.
_SKIPPABLE = {
    "group",
    "corporation",
    "corp",
    "company",
    "co",
    "holding",
    "holdings",
    "limited",
    "ltd",
    "international",
    "state",
    "joint",
    "stock",
    "public",
    "national",
    "federal",
}


def acronym_matches(acronym: str, long_form: str, *, strict: bool = True) -> bool:
    """Whether an acronym abbreviates a long form, e.g. CETC ~ China Electronics Technology
    Group Corp, AVIC ~ Aviation Industry Corporation of China, CAST ~ Centre for Analysis of
    Strategies and Technologies.

    Each word gives a prefix of itself (often one letter) to the acronym, in order; small words
    may give nothing, and one corporate word (Group, Corporation ...) may be skipped. With
    ``strict=False`` (an author's own definition, "Long Form (LF)") the acronym's letters need
    only be word initials in order, starting with the first word.
    """
    acr = [c.lower() for c in acronym if c.isalnum()]
    words = [w for w in re.split(r"[\s\-–/]+", long_form) if w and w[0].isalnum()]
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(acr) < 2 or not words or acr[0] != words[0][0].lower():
        return False
    if not strict:
        initials = [w[0].lower() for w in words]
        pos = 0
        for c in acr:
            while pos < len(initials) and initials[pos] != c:
                pos += 1
            if pos == len(initials):
                break
            pos += 1
        else:
            return True
    max_skips = 1
    seen: dict[tuple[int, int, int], bool] = {}

    def go(i: int, j: int, skips: int) -> bool:
        # i: next acronym letter, j: next word
        if i == len(acr):
            rest = [w for w in words[j:] if w.lower() not in _SMALL_WORDS]
            return all(w.lower().rstrip(".") in _SKIPPABLE for w in rest) and (
                len(rest) + skips <= max_skips
            )
        if j == len(words):
            return False
        k = (i, j, skips)
        if k in seen:
            return seen[k]
        w = words[j].lower()
        ok = False
        if w.lower() in _SMALL_WORDS:
            ok = go(i, j + 1, skips)
        elif skips < max_skips and j > 0 and w.rstrip(".") in _SKIPPABLE:
            ok = go(i, j + 1, skips + 1)
        # take a prefix of this word: its first letter, then further letters in order
        n = 0
        while not ok and i + n < len(acr) and n < len(w) and acr[i + n] == w[n]:
            n += 1
            ok = go(i + n, j + 1, skips)
        seen[k] = ok
        return ok

    return go(0, 0, 0)


# What a news agency's name adds after the outlet's own: 'Brahmand News Service' (BNS),
# 'Indo-Asian News Service' (IANS), 'Kyodo News Agency'.
_AGENCY_TAILS = ("News Service", "News Agency", "News Network", "Press Agency")


def agency_acronym(acronym: str, outlet: str) -> bool:
    """Whether an acronym stands for an outlet's news service: 'BNS' for 'Brahmand' (Brahmand
    News Service), as a dateline writes it ('MOSCOW (BNS):')."""
    letters = sum(ch.isalpha() for ch in acronym)
    return (
        is_acronym(acronym)
        and letters >= 3
        and any(acronym_matches(acronym, f"{outlet} {tail}") for tail in _AGENCY_TAILS)
    )
