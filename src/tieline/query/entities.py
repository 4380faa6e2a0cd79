"""Entities for people and programs: lists with filters, one entity in full (aliases, role,
country, events, every mention with its quote and document), and the names a curator's merge
or split refers to.

Reads only; the CLI records judgements through ``tieline.store.curation`` and relinks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tieline.errors import ConfigError, NotFoundError
from tieline.extract.names import clean_surface, name_key
from tieline.records import ENTITY_TYPES
from tieline.store import curation
from tieline.store.clusters import stage_of
from tieline.store.db import Store

_SENTENCE_END = re.compile(r"[.!?](?=[\s\"”’')\]]|$)|\n\s*\n")
_REACH = 300
_SUMMARY = (
    "id",
    "name",
    "type",
    "country",
    "aliases",
    "role",
    "affiliation",
    "kb_id",
    "mention_count",
    "doc_count",
    "first_seen",
    "last_seen",
)


def _summary(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e.get(k) for k in _SUMMARY}


def check_type(etype: str | None) -> str | None:
    """The entity type in capitals, or a ConfigError naming the valid ones."""
    if etype is None:
        return None
    up = etype.strip().upper()
    if up not in ENTITY_TYPES:
        raise ConfigError(f"unknown entity type {etype!r}; use one of {', '.join(ENTITY_TYPES)}")
    return up


def list_entities(
    store: Store,
    *,
    type: str | None = None,
    country: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Canonical entities, most mentioned first: name, type, country, aliases, role,
    affiliation, mention and document counts, first and last date seen.

    ``type`` is one of ENTITY_TYPES (any case); ``country`` an ISO code, or 'none' for
    entities without one.
    """
    rows = curation.list_entities(
        store, type=check_type(type), country=country, limit=limit, offset=offset
    )
    return [_summary(e) for e in rows]


def resolve_name(store: Store, name: str) -> dict[str, Any]:
    """The one entity a name, alias or id stands for.

    Raises:
        NotFoundError: nothing is called that.
        ConfigError: several entities carry the name and none is called exactly that.
    """
    found = curation.find_entities(store, name)
    if not found:
        raise NotFoundError(f"no entity called {name!r}; list them with 'tieline entities'")
    exact = [e for e in found if e["name"].lower() == name.strip().lower() or e["id"] == name]
    if len(exact) == 1 or (len(found) == 1):
        return (exact or found)[0]
    names = ", ".join(f"{e['name']} ({e['type']}, id {e['id']})" for e in found[:8])
    raise ConfigError(f"{name!r} names several entities: {names}; give the id instead")


def quote(text: str, start: int, end: int) -> str:
    """The sentence around a span, at most a few hundred characters either side."""
    lo = max(0, start - _REACH)
    cut = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        cut = m.end()
    stop = _SENTENCE_END.search(text, end, min(len(text), end + _REACH))
    hi = stop.end() if stop else min(len(text), end + _REACH)
    return " ".join(text[cut:hi].split())


def _split_keys(store: Store) -> dict[str, str]:
    """Alias key -> alias, for every alias a curator split off."""
    return {name_key(a): a for a in curation.split_aliases(store)}


def entity_mentions(
    store: Store, entity_id: str, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every mention of an entity, with its document and the quote around it.

    Mentions of an alias a curator split off belong to the split entity, not to the entity
    whose document-level key they carry.
    """
    keys = curation.keys_of(store, entity_id)
    splits = _split_keys(store)
    own_split = [k for k in keys if k in splits]
    # Without a curator's split no mention is anyone else's: the store picks the first ones.
    rows = curation.mentions_of(store, keys, limit=None if splits else limit)
    if splits:  # without a curator's split, no mention is anyone else's
        rows = [
            r
            for r in rows
            if name_key(clean_surface(r["text"])) not in splits
            or name_key(clean_surface(r["text"])) in own_split
        ]
    if own_split:
        # the split alias's mentions were keyed to the entity it was split from
        forms = [f"{splits[k]}{end}" for k in own_split for end in ("", "'s", "’s")]
        others = curation.mentions_by_text(store, forms)
        seen = {(r["doc_id"], r["span_start"]) for r in rows}
        rows += [
            r
            for r in others
            if name_key(clean_surface(r["text"])) in own_split
            and (r["doc_id"], r["span_start"]) not in seen
        ]
        rows.sort(key=lambda r: (r["doc_published"] or "", r["doc_name"], r["span_start"]))
    if limit is not None:
        rows = rows[:limit]
    texts = curation.document_texts(store, (r["doc_id"] for r in rows))
    return [
        {
            "doc_id": r["doc_id"],
            "doc": r["doc_name"],
            "title": r["doc_title"],
            "published": r["doc_published"],
            "url": r["doc_url"],
            "start": r["span_start"],
            "end": r["span_end"],
            "text": r["text"],
            "label": r["label"],
            "by": r["by"],
            "quote": quote(texts.get(r["doc_id"], ""), r["span_start"], r["span_end"]),
        }
        for r in rows
    ]


def entity_detail(
    store: Store,
    name: str,
    *,
    max_mentions: int | None = None,
    max_events: int | None = None,
    events_offset: int = 0,
) -> dict[str, Any]:
    """One entity in full: aliases, type, country, role, affiliation, first and last date
    seen, the events it takes part in (with the other participants) and every mention with
    its quote and document.

    ``max_events``/``events_offset``: one page of its events (oldest first), read alone;
    ``event_count`` says how many it has in all (kept with the entity, see
    ``store.counts``). Without them every event is listed, as before.
    """
    ent = resolve_name(store, name)
    keys = curation.keys_of(store, ent["id"]) or [ent["id"]]
    events = curation.events_of(store, keys, limit=max_events, offset=events_offset)
    # The one event shape (``CitedEvent.to_dict``, as ``tieline events --json`` and the REST
    # API give it), with the role this entity plays in each.
    from tieline.query.events import cite_rows

    out_events = [
        {
            **c.to_dict(),
            "role": next((p["role"] for p in e["participants"] if p["entity_key"] in keys), None),
        }
        for e, c in zip(events, cite_rows(store, events), strict=True)
    ]
    mentions = entity_mentions(store, ent["id"], limit=max_mentions)
    return {
        **_summary(ent),
        "event_count": _event_total(store, ent, keys),
        "events": out_events,
        "mentions": mentions,
        "documents": sorted({m["doc"] for m in mentions}),
        "lifecycle": lifecycle(out_events, cluster_dates_of(store, events))
        if ent["type"] in LIFECYCLE_TYPES
        else [],
    }


def cluster_dates_of(store: Store, events: list[dict[str, Any]]) -> dict[str, str]:
    """Per cluster of these events: the most precise date one of its reports states."""
    from tieline.store.clusters import cluster_dates

    return cluster_dates(store, {e["cluster_id"] for e in events if e.get("cluster_id")})


# A facility's or product's life, in order, as its events report it.
LIFECYCLE = (
    "agreement",
    "contract",
    "financing",
    "construction start",
    "construction",
    "completion",
    "delivery",
    "operation",
)
LIFECYCLE_TYPES = ("FACILITY", "PRODUCT")
# The event types a stage is read from (``_life_stage``): a page reads only these.
LIFECYCLE_EVENT_TYPES = ("agreement", "construction", "investment", "supply")


def _life_stage(ev: dict[str, Any]) -> str | None:
    text = ev.get("evidence") or ""
    stage = stage_of(text)
    if ev["type"] == "agreement":
        return "contract" if "contract" in text.casefold() else "agreement"
    if ev["type"] == "investment":
        return "financing"
    if ev["type"] == "construction":
        return {
            "construction_start": "construction start",
            "completion": "completion",
            "operation": "operation",
        }.get(stage or "", "construction")
    if ev["type"] == "supply":
        return "operation" if stage == "operation" and "pip" in text.casefold() else "delivery"
    return None


def lifecycle(
    events: list[dict[str, Any]], cluster_dates: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The ordered stages (agreement, contract, construction start, delivery, operation...)
    that a facility's or product's events report: per stage its earliest report, the date
    (the event's, else one another report of the same happening states, else its article's),
    the status and the citation."""
    first: dict[str, dict[str, Any]] = {}
    for ev in events:
        stage = _life_stage(ev)
        if stage is None or ev.get("status") == "negated":
            continue
        borrowed = (cluster_dates or {}).get(ev.get("cluster_id") or "")
        when = ev.get("date") or borrowed or ev.get("published")
        by = "event" if ev.get("date") else "cluster" if borrowed else "published"
        seen = first.get(stage)
        if seen is None or (when or "~") < (seen["date"] or "~"):
            first[stage] = {
                "stage": stage,
                "date": when,
                "dated_by": by,
                "status": ev["status"],
                "doc": ev["doc"],
                "evidence": ev["evidence"],
                "event_id": ev["id"],
            }
    return [first[s] for s in LIFECYCLE if s in first]


def entity(store: Store, entity_id: str) -> dict[str, Any] | None:
    """One canonical entity by its id (summary fields with aliases), or None."""
    ent = curation.entity(store, entity_id)
    return _summary(ent) if ent is not None else None


def entity_keys(store: Store, entity_id: str) -> list[str]:
    """The document-level keys linked to an entity."""
    return curation.keys_of(store, entity_id)


def entity_id_of_key(store: Store, key: str) -> str | None:
    """The id of the canonical entity a document-level key (or a merged id) now points to."""
    hit = curation.canonical_of_keys(store, [key]).get(key)
    return str(hit["id"]) if hit else None


def countries(store: Store) -> list[str]:
    """The countries of canonical entities."""
    return curation.entity_countries(store)


def key_mentions(store: Store, keys: list[str]) -> list[dict[str, Any]]:
    """Raw mentions carrying any of these document-level keys, with their document's name,
    title and date (no split-alias handling: see ``entity_mentions`` for that)."""
    return curation.mentions_of(store, keys)


def key_mentions_page(
    store: Store, keys: list[str], *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of ``key_mentions`` in document then text order, read from the index."""
    return curation.mentions_page(store, keys, limit=limit, offset=offset)


def count_key_mentions(store: Store, keys: list[str]) -> int:
    """How many mentions carry any of these document-level keys."""
    return curation.count_mentions_of_keys(store, keys)


def event_count(store: Store, entity_id: str, keys: list[str]) -> int:
    """How many events an entity (whose keys these are) takes part in: the count kept with
    the entity (``store.counts``), else counted now (a store not linked since migration 15)."""
    return _event_total(store, curation.entity(store, entity_id), keys)


def _event_total(store: Store, ent: dict[str, Any] | None, keys: list[str]) -> int:
    """The event count kept with the entity, else counted now from its keys."""
    stored = ent.get("event_count") if ent is not None else None
    return int(stored) if stored is not None else curation.count_events_of_keys(store, keys)


def document_texts(store: Store, doc_ids: set[str]) -> dict[str, str]:
    """The text of each of these documents, for quoting."""
    return curation.document_texts(store, doc_ids)
