"""Near duplicates found through the store's LSH bands are those an in-memory index of every
stored signature finds, and a store from before migration 16 gets its bands."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from tieline.config import Settings
from tieline.ingest.dedupe import NearDuplicates, doc_id, from_signature, minhash, signature_bytes
from tieline.records import Document, Extraction
from tieline.scale.runner import StoredNearDuplicates, stored_signatures
from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.migrations import MIGRATIONS

WORDS = (
    "pipeline gas supply agreement signed state company billion cubic metres year railway "
    "bridge port loan bank investment nuclear plant reactor satellite launch station grid "
    "power wind solar factory plant vehicles trade turnover exports imports talks visit"
).split()


def _text(rng: random.Random, n: int = 120) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _vary(text: str, rng: random.Random, changes: int) -> str:
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _doc(text: str) -> tuple[Document, Extraction, bytes]:
    did = doc_id(text)
    doc = Document(id=did, source_key=f"/t/{did}", text=text, name=f"{did}.txt")
    return doc, Extraction(doc_id=did, pipeline_version="t"), signature_bytes(minhash(text))


def test_stored_bands_find_what_the_whole_index_finds(tmp_path: Path) -> None:
    rng = random.Random(4)
    base = [_text(rng) for _ in range(60)]
    # Stored: originals and copies with a few words changed (near duplicates of each other).
    stored = base + [_vary(t, rng, rng.choice((1, 3, 8, 30))) for t in base[:40]]
    store = Store(str(tmp_path / "n.db"))
    store.write([_doc(t) for t in stored])
    settings = Settings(progress=False)
    near = stored_signatures(store, settings)
    assert isinstance(near, StoredNearDuplicates)
    whole = NearDuplicates(settings.near_dup_threshold)
    for did, sig in store.signatures():
        whole.add(did, from_signature(sig))
    new = [_vary(t, rng, rng.choice((0, 1, 2, 5, 20, 60))) for t in base] + [_text(rng)]
    found = 0
    for text in new:
        m = minhash(text)
        got = near.match(m)
        assert got == whole.match(m)
        others = {got} if got else set()
        assert near.match(m, exclude=others) == whole.match(m, exclude=others)
        found += got is not None
    assert 20 <= found < len(new)  # the run met near duplicates and documents without one
    # Documents of the run are matched too, from memory.
    m = minhash(_text(random.Random(9)))
    near.add("run-doc", m)
    assert near.match(m) == "run-doc"
    store.close()


def test_a_stored_document_is_never_its_own_twin(tmp_path: Path) -> None:
    """Two ingests of one folder at once: the other run may store a document between this
    run's look at the store and its near-duplicate check; the document is no twin of itself."""
    rng = random.Random(6)
    store = Store(str(tmp_path / "o.db"))
    doc, ext, sig = _doc(_text(rng))
    store.write([(doc, ext, sig)])
    near = stored_signatures(store, Settings(progress=False))
    m = minhash(doc.text)
    assert near.match(m) == doc.id
    assert near.match(m, exclude={doc.id}) is None
    store.close()


def test_a_store_from_before_gets_its_bands(tmp_path: Path) -> None:
    rng = random.Random(5)
    store = Store(str(tmp_path / "m.db"))
    store.write([_doc(_text(rng)) for _ in range(12)])
    with store.connect() as conn:
        written = {tuple(r) for r in conn.execute(select(s.near_bands))}
    assert len(written) >= 12
    fill = next(fn for v, _, fn in MIGRATIONS if v == 16)
    with store.engine.begin() as conn:
        conn.execute(s.near_bands.delete())
        fill(conn)
        fill(conn)  # re-runnable
    with store.connect() as conn:
        assert {tuple(r) for r in conn.execute(select(s.near_bands))} == written
    store.close()
