"""The LSH bands of a document's MinHash signature, as the store indexes them.

A stored document's bands (``near_bands``) let an ingest find the stored documents that may be
near duplicates of a new one by index, instead of loading every stored signature into an
in-memory LSH on each run. The bands are those ``datasketch.MinHashLSH`` uses for the default
threshold and number of permutations, so the candidates are the ones it would give; each band
is kept as a 64-bit digest of its hash values (a collision only adds a candidate, which the
Jaccard check then rejects). It sits with the records: the store writes the bands and ingest
queries them.
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np

# What the store's bands are computed for (``ingest.dedupe``'s MinHash, ``Settings``' default
# near-duplicate threshold); another threshold builds its index in memory as before.
NUM_PERM = 64
THRESHOLD = 0.8


@cache
def hash_ranges(threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> list[tuple[int, int]]:
    """The (start, end) of each band: datasketch's own choice for the threshold."""
    from datasketch import MinHashLSH

    return [tuple(r) for r in MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges]


def band_keys(signature: bytes) -> list[str]:
    """The band keys of a stored signature (``dedupe.signature_bytes``)."""
    values = np.frombuffer(signature, dtype=np.uint64)
    return [
        f"{i}:{hashlib.blake2b(values[a:b].tobytes(), digest_size=8).hexdigest()}"
        for i, (a, b) in enumerate(hash_ranges())
    ]
