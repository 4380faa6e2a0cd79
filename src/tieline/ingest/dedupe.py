"""Document identity (a hash of the normalised text) and near-duplicate detection (MinHash)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
_SCHEME = "affine32"
_WORD = re.compile(r"\w+")


def doc_id(text: str) -> str:
    """Stable id of a document: the first 16 hex digits of SHA-256 over its normalised text."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()[:16]


def minhash(text: str, shingle: int = 5) -> MinHash:
    """MinHash of the text's word shingles."""
    words = _WORD.findall(text.casefold())
    m = MinHash(num_perm=NUM_PERM, seed=7, scheme=_SCHEME)
    grams = {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}
    m.update_batch([g.encode("utf-8") for g in grams])
    return m


def signature_bytes(m: MinHash) -> bytes:
    """Serialise a MinHash's hash values for the store."""
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def from_signature(data: bytes) -> MinHash:
    """Rebuild a MinHash from stored hash values."""
    return MinHash(
        num_perm=NUM_PERM, seed=7, scheme=_SCHEME, hashvalues=np.frombuffer(data, dtype=np.uint64)
    )


class NearDuplicates:
    """An LSH index over documents already seen, stored and new."""

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}

    def add(self, key: str, m: MinHash) -> None:
        if key not in self._sigs:
            self._lsh.insert(key, m)
            self._sigs[key] = m

    def match(self, m: MinHash, exclude: Collection[str] = ()) -> str | None:
        """The most similar earlier document above the threshold, if any, none of ``exclude``."""
        best: tuple[float, str] | None = None
        for key in self._lsh.query(m):
            if key in exclude:
                continue
            j = m.jaccard(self._sigs[key])
            better = best is None or j > best[0] or (j == best[0] and key < best[1])
            if j >= self.threshold and better:
                best = (j, key)
        return best[1] if best else None
