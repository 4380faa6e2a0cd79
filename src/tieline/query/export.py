"""Exports of the whole knowledge base: JSONL with provenance, and CSV tables."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tieline.store import reads
from tieline.store.db import Store

# PLOVER and CAMEO codes for each event type, so event-data users can join their data.
EVENT_CODES: dict[str, tuple[str, str]] = {
    "agreement": ("AGREE", "057"),  # sign formal agreement
    "talks": ("CONSULT", "040"),  # consult, not specified
    "cooperation": ("COOPERATE", "060"),  # engage in material cooperation
    "supply": ("COOPERATE", "061"),  # cooperate economically: trade, not aid
    "construction": ("COOPERATE", "061"),
    "investment": ("COOPERATE", "061"),  # investment and loans, not aid (071)
    "technology_transfer": ("COOPERATE", "061"),
    "sanction": ("SANCTION", "163"),  # impose embargo, boycott or sanctions
    "award": ("SUPPORT", "051"),  # praise or endorse
}


def _canon(keys: dict[str, dict[str, Any]], key: str, fallback: str) -> str:
    row = keys.get(key)
    return str(row["name"]) if row else fallback


# Documents read, and exported, at a time: memory holds one batch, not the store.
EXPORT_BATCH = 500


def knowledge_base(store: Store) -> Iterator[dict[str, Any]]:
    """One record per document: metadata, entities, events and figures, with provenance.

    Streams: documents are read ``EXPORT_BATCH`` at a time in source-name order, each batch
    with its own facts and the canonical names of its keys only.
    """
    for docs in reads.document_batches(store, EXPORT_BATCH):
        yield from _records(store, docs)


def _records(store: Store, docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    ids = [d["id"] for d in docs]
    ents_by_doc: dict[str, list[dict[str, Any]]] = {}
    for e in reads.doc_entities(store, ids):
        ents_by_doc.setdefault(e["doc_id"], []).append(e)
    evs_by_doc: dict[str, list[dict[str, Any]]] = {}
    for ev in reads.events(store, ids):
        evs_by_doc.setdefault(ev["doc_id"], []).append(ev)
    figs_by_doc: dict[str, list[dict[str, Any]]] = {}
    for f in reads.figures(store, ids):
        figs_by_doc.setdefault(f["doc_id"], []).append(f)
    keys = reads.canonical_names(
        store,
        {e["key"] for es in ents_by_doc.values() for e in es}
        | {
            p["entity_key"] for evs in evs_by_doc.values() for ev in evs for p in ev["participants"]
        },
    )
    for d in docs:
        did = d["id"]
        entities = []
        for e in ents_by_doc.get(did, []):
            canon = keys.get(e["key"], {})
            entities.append(
                {
                    "id": canon.get("id", e["key"]),
                    "name": canon.get("name", e["name"]),
                    "type": canon.get("type", e["type"]),
                    "country": canon.get("country", e["country"]),
                    "surface": e["name"],
                    "aliases": e["aliases"],
                    "role": e["role"],
                    "affiliation": e["affiliation"],
                    "mentions": e["mention_count"],
                }
            )
        events = []
        for ev in evs_by_doc.get(did, []):
            plover, cameo = EVENT_CODES.get(ev["type"], (None, None))
            events.append(
                {
                    **{
                        k: ev[k]
                        for k in (
                            "id",
                            "type",
                            "trigger",
                            "sector",
                            "date",
                            "date_precision",
                            "date_source",
                            "status",
                            "confidence",
                            "count",
                            "evidence",
                            "trigger_start",
                            "trigger_end",
                            "sentence_start",
                            "sentence_end",
                            "extractor",
                        )
                    },
                    "plover": plover,
                    "cameo": cameo,
                    "cluster": ev["cluster_id"],
                    "participants": [
                        {"name": _canon(keys, p["entity_key"], p["name"]), "role": p["role"]}
                        for p in ev["participants"]
                    ],
                }
            )
        figures = [
            {
                **{
                    k: f[k]
                    for k in (
                        "id",
                        "measure",
                        "value",
                        "unit",
                        "currency",
                        "period",
                        "period_start",
                        "period_end",
                        "status",
                        "text",
                        "evidence",
                        "span_start",
                        "span_end",
                        "extractor",
                    )
                },
                "actors": f["actors"],
            }
            for f in figs_by_doc.get(did, [])
        ]
        yield {"document": d, "entities": entities, "events": events, "figures": figures}


def write_jsonl(store: Store, out: TextIO) -> int:
    """Everything, one JSON object per document; returns the number of documents."""
    n = 0
    for rec in knowledge_base(store):
        out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


EVENT_COLUMNS = [
    "doc_id",
    "doc_name",
    "event_id",
    "type",
    "plover",
    "cameo",
    "date",
    "status",
    "sector",
    "actors",
    "objects",
    "evidence",
    "confidence",
    "cluster",
]


def event_rows(store: Store) -> Iterator[dict[str, Any]]:
    """The event table, one row per event, with PLOVER/CAMEO codes."""
    for rec in knowledge_base(store):
        for ev in rec["events"]:
            yield {
                "doc_id": rec["document"]["id"],
                "doc_name": rec["document"]["name"],
                "event_id": ev["id"],
                "type": ev["type"],
                "plover": ev["plover"],
                "cameo": ev["cameo"],
                "date": ev["date"],
                "status": ev["status"],
                "sector": ev["sector"],
                "actors": "; ".join(p["name"] for p in ev["participants"] if p["role"] != "object"),
                "objects": "; ".join(
                    p["name"] for p in ev["participants"] if p["role"] == "object"
                ),
                "evidence": ev["evidence"],
                "confidence": ev["confidence"],
                "cluster": ev["cluster"],
            }


def write_csv(
    store: Store, out_dir: Path | None = None, out: TextIO | None = None
) -> dict[str, int]:
    """CSV tables: documents, entities, events, figures (into a folder, or events to a stream)."""
    tables: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
    tables["events"] = (EVENT_COLUMNS, list(event_rows(store)))
    if out is not None:
        _write_table(out, *tables["events"])
        return {"events": len(tables["events"][1])}
    docs = reads.documents(store, with_text=False)
    tables["documents"] = (
        [
            "id",
            "name",
            "title",
            "published",
            "author",
            "source",
            "url",
            "path",
            "near_duplicate_of",
        ],
        docs,
    )
    ents = reads.entities(store)
    for e in ents:
        e["aliases"] = "; ".join(e["aliases"])
    tables["entities"] = (
        [
            "id",
            "name",
            "type",
            "country",
            "aliases",
            "role",
            "affiliation",
            "mention_count",
            "doc_count",
            "first_seen",
            "last_seen",
        ],
        ents,
    )
    figs = reads.figures(store)
    for f in figs:
        f["actors"] = "; ".join(f["actors"])
    tables["figures"] = (
        [
            "id",
            "doc_id",
            "measure",
            "value",
            "unit",
            "currency",
            "period",
            "status",
            "actors",
            "evidence",
        ],
        figs,
    )
    assert out_dir is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, (cols, rows) in tables.items():
        with (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            _write_table(fh, cols, rows)
        counts[name] = len(rows)
    return counts


def _write_table(out: TextIO, cols: list[str], rows: list[dict[str, Any]]) -> None:
    w = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)


def to_string(fn: Any, store: Store) -> str:
    buf = io.StringIO()
    fn(store, buf)
    return buf.getvalue()
