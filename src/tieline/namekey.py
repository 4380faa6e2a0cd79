"""The name key: the normal form under which names are compared, linked and looked up.

Shared by extraction (``tieline.extract.names`` builds on it) and the store, which indexes
every entity's names by their key (``entity_name_keys``). Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Corporate and legal suffixes dropped from keys (not from display names).
_SUFFIXES = re.compile(
    r"(?:\s+(?:corp(?:oration)?|co|company|group|ltd|limited|llc|inc|incorporated|plc|jsc|pjsc|"
    r"oao|ojsc|zao|ao|sa|ag|gmbh|holding|holdings|state corporation))+$"
)
_PUNCT = re.compile(r"[^\w\s]")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


# Extraction keys the same names many times over (every mention, gazetteer and place lookup).
@lru_cache(maxsize=1 << 16)
def name_key(s: str, *, drop_suffixes: bool = True) -> str:
    """Case-folded, accent-free, punctuation-free key; '&' reads 'and'; suffixes dropped."""
    s = strip_accents(unicodedata.normalize("NFKC", s)).casefold().replace("&", " and ")
    s = _POSSESSIVE.sub("", s.strip())
    s = _PUNCT.sub(" ", s)
    s = " ".join(s.split())
    if s.startswith("the "):
        s = s[4:]
    if drop_suffixes:
        shorter = _SUFFIXES.sub("", s).strip()
        s = shorter or s
    return s
