"""Reads behind search, semantic search, the digest and feed memory (SQL for query/)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, and_, exists, func, literal, or_, select, text

from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.events import EventFilter, event_ids
from tieline.store.fts import TITLE_WEIGHT

# Matches ranked per query; filters apply among these (a query matching more gets a note).
MATCH_CAP = 5000
# A word in a large share of the store ("energy" in a third of a million events) would have
# every match scored before the cut: only the RANK_POOL most recently indexed matches are
# scored and ranked. A query with fewer matches is ranked in full, as before.
RANK_POOL = MATCH_CAP
# FTS5's bm25() counts every row that holds each term (for its IDF) before it scores one: a
# pass over all matches. Above this many matches the pool is ordered without it: matches
# with every term in a headline or name first, then the most recently added (SQLite).
RANK_ALL_MAX = 20_000
# The kinds of rows in the search index.
INDEX_KINDS = ("document", "event", "figure", "entity", "alias")


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a word, a phrase of several words, or a word prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A row of the index that matched, with its BM25 score (higher is better)."""

    kind: str
    ref_id: str
    doc_id: str | None
    score: float


def _fts5_query(terms: Sequence[Term]) -> str:
    parts = []
    for t in terms:
        phrase = '"' + " ".join(w.replace('"', '""') for w in t.words) + '"'
        parts.append(phrase + (" *" if t.prefix else ""))
    return " ".join(parts)


def _chunks(items: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def match(
    store: Store, terms: Sequence[Term], kinds: Sequence[str] = (), cap: int = MATCH_CAP
) -> list[Match]:
    """Index rows holding every term, best BM25 first, at most ``cap`` of them."""
    if not terms:
        return []
    if store.is_sqlite:
        return _match_sqlite(store, terms, kinds, cap)
    return _match_pg(store, terms, kinds, cap)


def _kind_clause(kinds: Sequence[str], col: str) -> tuple[str, dict[str, str]]:
    if not kinds:
        return "", {}
    names = {f"k{i}": k for i, k in enumerate(kinds)}
    return f" AND {col} IN ({', '.join(':' + n for n in names)})", names


def _match_sqlite(
    store: Store, terms: Sequence[Term], kinds: Sequence[str], cap: int
) -> list[Match]:
    return _ranked_sqlite(store, terms, kinds, cap).matches


@dataclass(frozen=True, slots=True)
class Ranked:
    """The best matches of a query, and what the pool matched: index rows and distinct hits
    (aliases counted as their entity); ``by_relevance`` is False when the pool was ordered by
    headline and recency because the query matches too much (see RANK_ALL_MAX)."""

    matches: list[Match]
    rows: int
    hits: int
    by_relevance: bool = True


def ranked(
    store: Store, terms: Sequence[Term], kinds: Sequence[str] = (), cap: int = MATCH_CAP
) -> Ranked:
    """The best ``cap`` matches and, as ``count_matches``, what the pool matched; on SQLite
    in one statement that reads the pool once."""
    if not terms:
        return Ranked([], 0, 0)
    if not store.is_sqlite:
        return Ranked(match(store, terms, kinds, cap), *count_matches(store, terms, kinds))
    return _ranked_sqlite(store, terms, kinds, cap)


def _ranked_sqlite(store: Store, terms: Sequence[Term], kinds: Sequence[str], cap: int) -> Ranked:
    # The newest RANK_POOL matching rows form the pool (FTS5 reads its index newest first
    # and stops there); the best ``cap`` of them are returned and the pool is counted.
    clause, params = _kind_clause(kinds, "r.kind")
    q = _fts5_query(terms)
    with store.connect() as conn:
        many = (
            conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT rowid FROM search_fts "
                    "WHERE search_fts MATCH :q LIMIT :n)"
                ),
                {"q": q, "n": RANK_ALL_MAX + 1},
            ).scalar_one()
            > RANK_ALL_MAX
        )
        if many:
            # 1 for a match with every term in its headline (a document's title, an entity's
            # name), else 0; the newest first within each. The headline test reads only the
            # pool's range of the index (a column filter reads positions, so a whole-index
            # pass would cost what bm25 does).
            score, order = "", "head DESC, rid DESC"
            heads = (
                "heads AS MATERIALIZED (SELECT rowid AS rid FROM search_fts WHERE "
                "search_fts MATCH :tq AND rowid >= (SELECT min(rid) FROM pool)), "
            )
            head = "pool.rid IN (SELECT rid FROM heads)"
        else:
            score, order = f", bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS rank", "head"
            heads, head = "", "pool.rank"
        sql = text(
            "WITH pool AS MATERIALIZED (SELECT search_fts.rowid AS rid, r.kind AS kind, "
            f"r.ref_id AS ref_id, r.doc_id AS doc_id{score} FROM search_fts "
            "JOIN search_rows r ON r.rowid = search_fts.rowid "
            f"WHERE search_fts MATCH :q{clause} ORDER BY search_fts.rowid DESC LIMIT :pool), "
            f"{heads}"
            # An entity's name and its aliases are rows of one hit: rows less repeats.
            "n AS (SELECT (SELECT count(*) FROM pool) AS n_rows, (SELECT count(*) FROM pool) "
            "- (SELECT count(*) - count(DISTINCT ref_id) FROM pool "
            "WHERE kind IN ('entity', 'alias')) AS n_hits) "
            "SELECT p.kind, p.ref_id, p.doc_id, p.head, p.rid, n.n_rows, n.n_hits FROM n "
            f"LEFT JOIN (SELECT pool.rid, pool.kind, pool.ref_id, pool.doc_id, {head} AS head "
            f"FROM pool ORDER BY {order} LIMIT :cap) p ON 1 = 1 "
            f"ORDER BY {', '.join('p.' + o for o in order.split(', '))}"
        )
        rows = conn.execute(
            sql, {"q": q, "tq": f"title : ({q})", "cap": cap, "pool": RANK_POOL, **params}
        ).all()
    if not rows:
        return Ranked([], 0, 0)
    n_rows, n_hits = int(rows[0].n_rows), int(rows[0].n_hits)
    found = [tuple(r[:5]) for r in rows if r[0] is not None]  # plain tuples: 5,000 rows
    if many:
        # A score that keeps that order: headline matches above, newer above older.
        top = max((r[4] for r in found), default=0) + 1
        matches = [
            Match(kind, ref, doc, float(head) + 0.5 * rid / top)
            for kind, ref, doc, head, rid in found
        ]
    else:
        matches = [Match(kind, ref, doc, -float(head)) for kind, ref, doc, head, _ in found]
    return Ranked(matches, n_rows, n_hits, not many)


def count_matches(
    store: Store, terms: Sequence[Term], kinds: Sequence[str] = (), cap: int = MATCH_CAP
) -> tuple[int, int]:
    """(index rows, distinct hits with aliases counted as their entity) among ``cap`` matches.

    Counting needs no ranking, so a search can rank and read only the page it shows.
    """
    if not terms:
        return 0, 0
    if store.is_sqlite:
        clause, params = _kind_clause(kinds, "r.kind")
        params = {**params, "q": _fts5_query(terms)}
        inner = (
            "SELECT r.kind, r.ref_id FROM search_fts JOIN search_rows r "
            f"ON r.rowid = search_fts.rowid WHERE search_fts MATCH :q{clause} LIMIT :cap"
        )
    else:
        tsq, params = _pg_tsquery(terms)
        clause, kparams = _kind_clause(kinds, "r.kind")
        params = {**params, **kparams}
        inner = (
            f"SELECT r.kind, r.ref_id FROM search_rows r WHERE r.tsv @@ ({tsq}){clause} LIMIT :cap"
        )
    sql = text(
        "SELECT count(*), count(DISTINCT (CASE WHEN m.kind = 'alias' THEN 'entity' "
        f"ELSE m.kind END) || ':' || m.ref_id) FROM ({inner}) m"
    )
    with store.connect() as conn:
        rows, hits = conn.execute(sql, {**params, "cap": cap}).one()
    return int(rows), int(hits)


def _pg_tsquery(terms: Sequence[Term]) -> tuple[str, dict[str, str]]:
    parts, params = [], {}
    for i, t in enumerate(terms):
        name = f"t{i}"
        if t.prefix and len(t.words) == 1:
            # A prefix query: the lexeme of the word, any ending (the word is \w+ only).
            parts.append(f"to_tsquery('english', :{name} || ':*')")
            params[name] = t.words[0]
        else:
            parts.append(f"phraseto_tsquery('english', :{name})")
            params[name] = " ".join(t.words)
    return " && ".join(parts), params


def _match_pg(store: Store, terms: Sequence[Term], kinds: Sequence[str], cap: int) -> list[Match]:
    # PostgreSQL ranks with its own machinery: the GIN index finds the matches, the newest
    # RANK_POOL of them form the pool (as on SQLite), and ts_rank scores them in the server,
    # a title lexeme (weight A) counting TITLE_WEIGHT times a body one (weight D), divided by
    # 1 + log(length) (normalisation 1) as BM25 discounts long texts. Nothing is counted per
    # word, so a common word costs one index scan.
    tsq, params = _pg_tsquery(terms)
    clause, kparams = _kind_clause(kinds, "r.kind")
    body = 1.0 / TITLE_WEIGHT
    weights = f"{{{body}, {body}, {body}, 1.0}}"
    sql = text(
        "SELECT p.kind, p.ref_id, p.doc_id, "
        "ts_rank(CAST(:weights AS float4[]), p.tsv, q.q, 1) AS score "
        f"FROM (SELECT ({tsq}) AS q) q, LATERAL (SELECT r.id, r.kind, r.ref_id, r.doc_id, r.tsv "
        f"FROM search_rows r WHERE r.tsv @@ q.q{clause} ORDER BY r.id DESC LIMIT :pool) p "
        "ORDER BY score DESC, p.id DESC LIMIT :cap"
    )
    with store.connect() as conn:
        rows = conn.execute(
            sql, {**params, **kparams, "weights": weights, "cap": cap, "pool": RANK_POOL}
        ).all()
    return [Match(r.kind, r.ref_id, r.doc_id, float(r.score)) for r in rows]


# ----------------------------------------------------------------- metadata for hits
def documents_meta(
    store: Store, ids: Sequence[str], with_text: bool = False
) -> dict[str, dict[str, Any]]:
    """Documents by id: name, title, url, published (and text when asked)."""
    cols = [
        s.documents.c.id,
        s.documents.c.name,
        s.documents.c.title,
        s.documents.c.url,
        s.documents.c.published,
        s.documents.c.ingested_at,
    ]
    if with_text:
        cols.append(s.documents.c.text)
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for chunk in _chunks(list(ids)):
            for r in conn.execute(select(*cols).where(s.documents.c.id.in_(chunk))):
                out[r.id] = dict(r._mapping)
    return out


def events_meta(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Events by id with participants as (key, name, role) dicts."""
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for chunk in _chunks(list(ids)):
            for r in conn.execute(select(s.events).where(s.events.c.id.in_(chunk))):
                out[r.id] = {**dict(r._mapping), "participants": []}
            q = select(s.event_participants).where(s.event_participants.c.event_id.in_(chunk))
            for p in conn.execute(
                q.order_by(s.event_participants.c.role, s.event_participants.c.name)
            ):
                if p.event_id in out:
                    out[p.event_id]["participants"].append(dict(p._mapping))
    return out


def figures_meta(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Figures by id, actors decoded."""
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for chunk in _chunks(list(ids)):
            for r in conn.execute(select(s.figures).where(s.figures.c.id.in_(chunk))):
                row = dict(r._mapping)
                row["actors"] = json.loads(row["actors"])
                out[r.id] = row
    return out


def entities_meta(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Corpus-level entities by id."""
    out: dict[str, dict[str, Any]] = {}
    with store.connect() as conn:
        for chunk in _chunks(list(ids)):
            for r in conn.execute(select(s.entities).where(s.entities.c.id.in_(chunk))):
                out[r.id] = dict(r._mapping)
    return out


# ----------------------------------------------------------------- filters on candidates
@dataclass(frozen=True, slots=True)
class Filters:
    """What a filtered search keeps: events as ``events`` says (the event list's own
    conditions), and of other hits: participants' keys or names (an actor), a type (a
    figure's measure, an entity's type), sectors (with their subsectors) and a date window."""

    events: EventFilter = field(default_factory=EventFilter)
    keys: frozenset[str] | None = None
    names: frozenset[str] | None = None
    entity_ids: frozenset[str] | None = None
    type: str | None = None
    sectors: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None


def _window(col: Any, since: str | None, until: str | None) -> list[Any]:
    """An ISO date column in the window, both cut to the coarser precision (as the event
    list compares: "2014" is in a window from 2014-05)."""
    out = []
    if since:
        out.append(
            and_(
                col.is_not(None),
                func.substr(col, 1, len(since))
                >= func.substr(literal(since, Text), 1, func.length(col)),
            )
        )
    if until:
        out.append(
            and_(
                col.is_not(None),
                func.substr(col, 1, len(until))
                <= func.substr(literal(until, Text), 1, func.length(col)),
            )
        )
    return out


def _in_sectors(col: Any, sectors: Sequence[str]) -> Any:
    return or_(*(or_(col == sec, col.like(sec.rstrip(".") + ".%")) for sec in sectors))


def passing(store: Store, kind: str, ids: Sequence[str], f: Filters) -> set[str]:
    """The ids among ``ids`` (of one kind of hit) that pass the filters, tested in the store.

    Every condition starts from the candidates' primary keys; a type is compared through
    ``coalesce`` so that the planner reads the candidates, not every event of that type.
    """
    e, d, fig, ent = s.events.c, s.documents.c, s.figures.c, s.entities.c
    de = s.doc_entities.c
    if kind in ("figure", "entity") and f.sectors:
        return set()
    if kind == "entity" and (f.since or f.until):
        return set()
    out: set[str] = set()
    with store.connect() as conn:
        for chunk in _chunks(sorted(set(ids)), 2000):
            if kind == "event":
                out |= event_ids(store, replace(f.events, ids=list(chunk)))
                continue
            if kind == "document":
                conds = [d.id.in_(chunk), *_window(d.published, f.since, f.until)]
                if f.keys is not None:
                    conds.append(exists().where(de.doc_id == d.id, de.key.in_(sorted(f.keys))))
                if f.type or f.sectors:
                    ev = [e.doc_id == d.id]
                    if f.type:
                        ev.append(func.coalesce(e.type, "") == f.type)
                    if f.sectors:
                        ev.append(_in_sectors(e.sector, f.sectors))
                    conds.append(exists().where(*ev))
                q = select(d.id).where(*conds)
            elif kind == "figure":
                conds = [fig.id.in_(chunk), *_window(fig.period_start, f.since, f.until)]
                if f.type:
                    conds.append(func.coalesce(fig.measure, "") == f.type)
                if f.names is not None:
                    # actors are a JSON list of canonical names: compared here, few rows
                    wanted = {n.casefold() for n in f.names}
                    q = select(fig.id, fig.actors).where(*conds)
                    out |= {
                        r.id
                        for r in conn.execute(q)
                        if any(a.casefold() in wanted for a in json.loads(r.actors))
                    }
                    continue
                q = select(fig.id).where(*conds)
            else:
                conds = [ent.id.in_(chunk)]
                if f.type:
                    conds.append(ent.type == f.type)
                if f.entity_ids is not None:
                    conds.append(ent.id.in_(sorted(f.entity_ids)))
                q = select(ent.id).where(*conds)
            out |= {r[0] for r in conn.execute(q)}
    return out


# ----------------------------------------------------------------- digest
def documents_since(store: Store, since_iso: str) -> list[dict[str, Any]]:
    """Documents ingested at or after ``since_iso`` (UTC, ISO 8601), newest first."""
    cols = [c for c in s.documents.c if c.name not in ("minhash", "text")]
    q = (
        select(*cols)
        .where(s.documents.c.ingested_at >= since_iso)
        .order_by(s.documents.c.ingested_at.desc(), s.documents.c.name)
    )
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


# ----------------------------------------------------------------- feed memory
def seen_entries(store: Store, feed: str) -> set[str]:
    """Entry ids of ``feed`` that were ingested before."""
    with store.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                text("SELECT entry FROM feed_entries WHERE feed = :f"), {"f": feed}
            )
        }


def remember_entry(
    store: Store, feed: str, entry: str, link: str | None, doc_id: str | None
) -> None:
    """Record that a feed entry was ingested (idempotent)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM feed_entries WHERE feed = :f AND entry = :e"), {"f": feed, "e": entry}
        )
        conn.execute(
            text(
                "INSERT INTO feed_entries (feed, entry, link, doc_id, seen_at) "
                "VALUES (:f, :e, :l, :d, :t)"
            ),
            {"f": feed, "e": entry, "l": link, "d": doc_id, "t": now},
        )


# ----------------------------------------------------------------- sentence vectors
def facts_for_vectors(store: Store) -> list[dict[str, Any]]:
    """Every event and figure: kind, id, doc_id and the evidence sentence to embed."""
    with store.connect() as conn:
        evs = conn.execute(select(s.events.c.id, s.events.c.doc_id, s.events.c.evidence)).all()
        figs = conn.execute(select(s.figures.c.id, s.figures.c.doc_id, s.figures.c.evidence)).all()
    return [{"kind": "event", "id": r.id, "doc_id": r.doc_id, "text": r.evidence} for r in evs] + [
        {"kind": "figure", "id": r.id, "doc_id": r.doc_id, "text": r.evidence} for r in figs
    ]


def vector_hashes(store: Store, model: str) -> dict[tuple[str, str], str]:
    """(kind, ref_id) -> hash of the text its stored vector was made from."""
    with store.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, ref_id, text_hash FROM fact_vectors WHERE model = :m"), {"m": model}
        ).all()
    return {(r.kind, r.ref_id): r.text_hash for r in rows}


def save_vectors(
    store: Store, model: str, rows: Sequence[dict[str, Any]], stale: Iterable[tuple[str, str]] = ()
) -> None:
    """Store vectors (kind, id, doc_id, text_hash, dim, vector bytes); drop stale ones."""
    with store.engine.begin() as conn:
        for kind, ref in stale:
            conn.execute(
                text("DELETE FROM fact_vectors WHERE kind = :k AND ref_id = :r AND model = :m"),
                {"k": kind, "r": ref, "m": model},
            )
        for r in rows:
            conn.execute(
                text("DELETE FROM fact_vectors WHERE kind = :k AND ref_id = :r AND model = :m"),
                {"k": r["kind"], "r": r["id"], "m": model},
            )
        if rows:
            conn.execute(
                text(
                    "INSERT INTO fact_vectors "
                    "(kind, ref_id, model, doc_id, text_hash, dim, vector) "
                    "VALUES (:kind, :id, :model, :doc_id, :text_hash, :dim, :vector)"
                ),
                [{**r, "model": model} for r in rows],
            )


def load_vectors(store: Store, model: str) -> list[tuple[str, str, bytes]]:
    """(kind, ref_id, vector bytes) of every stored vector of ``model``."""
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT kind, ref_id, vector FROM fact_vectors WHERE model = :m "
                "ORDER BY kind, ref_id"
            ),
            {"m": model},
        ).all()
    return [(r.kind, r.ref_id, bytes(r.vector)) for r in rows]
