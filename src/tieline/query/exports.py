"""More exports: Parquet tables, the actor network as GraphML/GEXF, FollowTheMoney entities.

jsonl, csv and the event table with PLOVER/CAMEO codes live in ``query/export.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tieline.errors import MissingExtraError
from tieline.query import scope
from tieline.query.export import EVENT_CODES, event_rows
from tieline.query.graph import build_network, write_network
from tieline.store import reads
from tieline.store.db import Store

# FollowTheMoney schema per entity type; states are public bodies (governments).
FTM_SCHEMA = {
    "PERSON": "Person",
    "ORG": "Organization",
    "COUNTRY": "PublicBody",
    "BLOC": "Organization",
    "INITIATIVE": "Project",
    "FACILITY": "Asset",
    "PRODUCT": "Asset",
    "EVENT": "Event",
    "AWARD": "Thing",
}


def _pa() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as e:
        raise MissingExtraError("query", "Parquet export") from e
    return pyarrow


def parquet_tables(store: Store) -> dict[str, list[dict[str, Any]]]:
    """The rows of each exported table: documents, entities, events, participants, figures."""
    docs = reads.documents(store, with_text=True)
    for d in docs:
        d.pop("minhash", None)
    ents = reads.entities(store)
    events, parts = [], []
    for ev in reads.events(store):
        plover, cameo = EVENT_CODES.get(ev["type"], (None, None))
        for p in ev.pop("participants"):
            parts.append(
                {
                    "event_id": ev["id"],
                    "doc_id": p["doc_id"],
                    "entity_key": p["entity_key"],
                    "name": p["name"],
                    "role": p["role"],
                }
            )
        events.append({**ev, "plover": plover, "cameo": cameo})
    keys = reads.canonical_names(store)
    for p in parts:
        canon = keys.get(p["entity_key"])
        p["entity_id"] = canon["id"] if canon else None
    figs = reads.figures(store)
    return {
        "documents": docs,
        "entities": ents,
        "events": events,
        "event_participants": parts,
        "figures": figs,
    }


def write_parquet(store: Store, out_dir: Path) -> dict[str, int]:
    """One Parquet file per table in ``out_dir``; returns rows written per table."""
    pa = _pa()
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in parquet_tables(store).items():
        table = pa.Table.from_pylist(rows) if rows else pa.table({})
        pa.parquet.write_table(table, out_dir / f"{name}.parquet")
        counts[name] = len(rows)
    return counts


def write_graph(
    store: Store,
    out: Path | TextIO,
    fmt: str = "graphml",
    pair: str | None = None,
    since: str | None = None,
) -> int:
    """The actor network as GraphML or GEXF; returns the number of edges."""
    net = build_network(store, pair=pair, since=since)
    write_network(net, fmt, out)
    return len(net.edges)


def _ftm_id(kind: str, key: str) -> str:
    return f"tieline-{kind}-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def ftm_entities(store: Store) -> Iterator[dict[str, Any]]:
    """Documents as Articles, actors by type, events as Events (with proof and involved)."""
    try:
        from followthemoney import model
    except ImportError as err:
        raise MissingExtraError("query", "FollowTheMoney export") from err
    keys = scope.canonical(store)
    docs = reads.documents(store, with_text=True)
    for d in docs:
        p = model.make_entity("Article")
        p.id = _ftm_id("doc", d["id"])
        p.add("title", d["title"] or d["name"])
        p.add("name", d["title"] or d["name"])
        p.add("fileName", d["name"])
        p.add("bodyText", d["text"])
        p.add("publishedAt", d["published"])
        p.add("author", d["author"])
        p.add("publisher", d["source"])
        p.add("sourceUrl", d["url"])
        p.add("language", "eng" if d["lang"] == "en" else None)
        yield p.to_dict()
    for e in reads.entities(store):
        p = model.make_entity(FTM_SCHEMA.get(e["type"], "Organization"))
        p.id = _ftm_id("ent", e["id"])
        p.add("name", e["name"])
        p.add("alias", e["aliases"])
        if e["country"]:
            p.add("country", e["country"].lower())
        if p.schema.get("jurisdiction") is not None and e["type"] == "COUNTRY" and e["country"]:
            p.add("jurisdiction", e["country"].lower())
        p.add("description", e["role"] or e["affiliation"])
        yield p.to_dict()
    linked = {a.id for a in keys.values()}
    for ev in reads.events(store):
        p = model.make_entity("Event")
        p.id = _ftm_id("evt", ev["id"])
        plover, cameo = EVENT_CODES.get(ev["type"], (None, None))
        actors = scope.event_actors(ev, keys)
        p.add(
            "name", f"{ev['type']}: " + ", ".join(a.name for a in actors) if actors else ev["type"]
        )
        p.add("summary", ev["evidence"])
        p.add("date", ev["date"])
        p.add("involved", [_ftm_id("ent", a.id) for a in actors if a.id in linked])
        p.add("proof", _ftm_id("doc", ev["doc_id"]))
        p.add(
            "keywords",
            [
                x
                for x in (
                    ev["type"],
                    ev["sector"],
                    ev["status"],
                    plover and f"PLOVER:{plover}",
                    cameo and f"CAMEO:{cameo}",
                )
                if x
            ],
        )
        p.add("country", sorted(c.lower() for c in scope.countries_of(actors)))
        yield p.to_dict()


def write_ftm(store: Store, out: TextIO) -> int:
    """FollowTheMoney entities as JSON lines (what ``ftm`` tools and OpenAleph read)."""
    n = 0
    for ent in ftm_entities(store):
        out.write(json.dumps(ent, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def write_event_table(store: Store, out_dir: Path) -> int:
    """The event table with PLOVER/CAMEO codes as Parquet (events.parquet in ``out_dir``)."""
    pa = _pa()
    rows = list(event_rows(store))
    out_dir.mkdir(parents=True, exist_ok=True)
    pa.parquet.write_table(
        pa.Table.from_pylist(rows) if rows else pa.table({}), out_dir / "event_table.parquet"
    )
    return len(rows)
