"""Adding documents to a large store against ingesting them into an empty one.

    python bench/incremental.py STORE.db [--docs 100]

Both ingests take the same generated articles with the model already loaded; each is timed in
its parts (extraction and store writes, linking, clustering). On the large store linking is
incremental (``tieline.scale.linking``): only the entities the new documents reach are rebuilt.
A store whose links were written without linking tokens (``bigstore.py`` writes its entities
directly) is relinked in full once first; that time is reported apart (``relink_full_s_...``).
Each run adds articles of a new seed, so a reused store grows by ``--docs`` per run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from generate import write_corpus

from tieline.config import Settings


def docs_label(n: int) -> str:
    """The suffix of a key measured on a store of ``n`` documents: 3750, 250k."""
    return f"{round(n / 1000)}k" if n >= 10_000 else str(n)


def _ingest_timed(folder: Path, db: str) -> dict[str, float]:
    from tieline.scale.linking import link_store
    from tieline.scale.runner import ingest_documents, load_inputs, recluster
    from tieline.store import clusters
    from tieline.store.db import Store

    settings = Settings(db=db, progress=False)
    docs = load_inputs([folder], settings).documents
    with Store(db) as store:
        t0 = time.perf_counter()
        ingest_documents(docs, store, settings, link=False)
        t1 = time.perf_counter()
        _, full = link_store(store, settings)
        t2 = time.perf_counter()
        clusters.LAST_PASS.clear()
        recluster(store)
        t3 = time.perf_counter()
    return {
        "extract_store_s": round(t1 - t0, 3),
        "link_s": round(t2 - t1, 3),
        "cluster_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
        "link_was_full": full,
        # Incremental clustering: documents with new events, new reports, reports read and
        # pairs scored (empty when the pass read every event).
        "cluster_pass": dict(clusters.LAST_PASS),
    }


def _sign_documents(store: Any) -> int:
    """Give a generated store's documents the MinHash signatures and LSH bands an ingest
    writes (``bigstore.py`` leaves them out), so that the timed add meets its near-duplicate
    index as on a real store; returns the documents signed."""
    from sqlalchemy import select, update

    from tieline.ingest.dedupe import minhash, signature_bytes
    from tieline.nearbands import band_keys
    from tieline.store import schema as s

    d = s.documents
    signed = 0
    while True:
        with store.connect() as conn:
            rows = conn.execute(
                select(d.c.id, d.c.text).where(d.c.minhash.is_(None)).limit(2000)
            ).all()
        if not rows:
            return signed
        sigs = {r.id: signature_bytes(minhash(r.text)) for r in rows}
        with store.engine.begin() as conn:
            for did, sig in sigs.items():
                conn.execute(update(d).where(d.c.id == did).values(minhash=sig))
            bands = [
                {"band": b, "doc_id": did} for did, sig in sigs.items() for b in band_keys(sig)
            ]
            conn.execute(s.near_bands.insert(), bands)
        signed += len(rows)


def incremental_bench(store_db: Path, n_new: int = 100, seed: int | None = None) -> dict[str, Any]:
    """Time adding ``n_new`` generated articles to the store at ``store_db`` and to an empty
    store; the ratio of the two totals is the key ``add_{n_new}_docs_vs_empty_ratio_{N}_docs``."""
    from tieline.extract.gazetteer import load_gazetteer
    from tieline.extract.pipeline import get_pipeline
    from tieline.scale.linking import needs_full, relink_full
    from tieline.scale.runner import recluster
    from tieline.store.clusters import blocks_ready
    from tieline.store.db import Store

    settings = Settings(db=str(store_db), progress=False)
    get_pipeline(settings)  # loaded once, outside both timings
    out: dict[str, Any] = {}
    with Store(str(store_db)) as store:
        n_docs = store.count("documents")
        label = docs_label(n_docs)
        gaz = load_gazetteer(settings.gazetteers)
        t0 = time.perf_counter()
        if _sign_documents(store):
            out[f"signatures_s_{label}_docs"] = round(time.perf_counter() - t0, 1)
        if needs_full(store, gaz):
            t0 = time.perf_counter()
            relink_full(store, gaz)
            out[f"relink_full_s_{label}_docs"] = round(time.perf_counter() - t0, 1)
        if store.clusters_state() != "fresh" or not blocks_ready(store):
            # A generated store's events come with arbitrary cluster ids and no blocks: one
            # full pass first, as after a bulk load, so the timed add places only its events.
            t0 = time.perf_counter()
            recluster(store, full=True)
            out[f"recluster_full_s_{label}_docs"] = round(time.perf_counter() - t0, 1)
    seed = int(time.time()) if seed is None else seed
    with tempfile.TemporaryDirectory(prefix="tieline-inc-") as tmp:
        folder = Path(tmp) / "new"
        write_corpus(n_new, folder, seed=seed)
        empty = _ingest_timed(folder, str(Path(tmp) / "empty.db"))
        added = _ingest_timed(folder, str(store_db))
    key = f"add_{n_new}_docs_vs_empty_ratio_{label}_docs"
    out[key] = round(added["total_s"] / max(empty["total_s"], 1e-9), 3)
    out["incremental"] = {
        "store_documents": n_docs,
        "new_documents": n_new,
        "seed": seed,
        "into_store": added,
        "into_empty": empty,
        "key": key,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--docs", type=int, default=100)
    a = ap.parse_args()
    print(json.dumps(incremental_bench(a.store, a.docs), indent=2))


if __name__ == "__main__":
    main()
