"""Full-text search over documents and facts: BM25 ranking, snippets, filters.

One results contract for both stores: ``search(store, SearchQuery) -> Page[Hit]``. The store
finds and ranks (FTS5 on SQLite, tsvector on PostgreSQL); this module filters, pages and cuts
snippets, so both stores give the same shapes and the same highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

from tieline.query import scope
from tieline.store import search as ss
from tieline.store.db import Store

KINDS: tuple[str, ...] = ("document", "event", "figure", "entity")
T = TypeVar("T")
SNIPPET_CHARS = 240


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for, and which hits to keep."""

    text: str
    actor: str | None = None
    type: str | None = None
    sector: str | None = None
    since: str | None = None
    until: str | None = None
    kinds: tuple[str, ...] = ()
    limit: int = 20
    offset: int = 0
    semantic: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result, with the document and quote it comes from."""

    kind: str
    id: str
    doc_id: str | None
    doc_name: str | None
    doc_title: str | None
    url: str | None
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    quote: str
    type: str | None = None
    sector: str | None = None
    date: str | None = None
    actors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results and the total number of results."""

    items: tuple[T, ...]
    total: int
    limit: int
    offset: int
    query: str
    notes: tuple[str, ...] = field(default=())


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


MAX_TERMS = 32


def parse_terms(query: str) -> list[ss.Term]:
    """Words, "quoted phrases" and prefix* words; hyphenated words become phrases."""
    terms: list[ss.Term] = []
    for m in _TOKEN.finditer(query[:2000]):
        if len(terms) >= MAX_TERMS:  # a pasted paragraph is not a query; keep it cheap
            break
        phrase, word = m.group(1), m.group(2)
        raw = phrase if phrase is not None else word
        words = tuple(_WORD.findall(raw))
        if not words:
            continue
        prefix = phrase is None and raw.endswith("*") and len(words) == 1
        terms.append(ss.Term(words, prefix))
    return terms


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    w = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in w if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)  # snippets stem every word of a document; words repeat
def stem(word: str) -> str:
    """A light stem for highlighting, so that 'pipelines' marks 'pipeline'."""
    w = _fold(word)
    for suf, rep in (
        ("ies", "y"),
        ("ments", ""),
        ("ment", ""),
        ("ings", ""),
        ("ing", ""),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ers", ""),
        ("er", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: len(w) - len(suf)] + rep
            break
    return w.rstrip("e") if len(w) > 4 else w


def _word_matches(word: str, stems: set[str], prefixes: set[str]) -> bool:
    st = stem(word)
    if st in stems:
        return True
    folded = _fold(word)
    return any(folded.startswith(p) for p in prefixes)


@lru_cache(maxsize=256)
def _heads(keys: frozenset[str]) -> re.Pattern[str]:
    """Words starting with the first three letters of any stem or prefix, any case."""
    alts = "|".join(sorted(re.escape(k[:3]) for k in keys))
    return re.compile(rf"(?<!\w)(?:{alts})\w*", re.IGNORECASE)


def _candidates(text: str, keys: set[str]) -> Iterator[re.Match[str]]:
    """The words of ``text`` that may match: all of them, or on ASCII text only those that
    start as a stem does. A light stem changes only a word's end and keeps at least three
    letters, so a matching word starts with its stem's first three (the folded word of
    ASCII text is its lower case); the caller still checks each candidate."""
    if keys and text.isascii() and all(k.isascii() for k in keys):
        return _heads(frozenset(keys)).finditer(text)
    return _WORD.finditer(text)


def snippet(
    text: str, terms: Sequence[ss.Term], width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The window of ``text`` holding most query words, and the offsets of those words in it."""
    stems = {stem(w) for t in terms if not t.prefix for w in t.words}
    prefixes = {_fold(t.words[0]) for t in terms if t.prefix}
    spans = [
        (m.start(), m.end())
        for m in _candidates(text, stems | prefixes)
        if _word_matches(m.group(), stems, prefixes)
    ]
    if len(text) <= width:
        start, end = 0, len(text)
    elif not spans:
        start, end = 0, width
    else:
        # Slide a window over the matches and keep the one covering the most distinct words.
        best = (0, spans[0][0])
        j = 0
        for i, (a, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] - a <= width:
                j += 1
            distinct = len({stem(text[x:y]) for x, y in spans[i:j]})
            if distinct > best[0]:
                best = (distinct, a)
        start = max(0, best[1] - width // 4)
        end = min(len(text), start + width)
        start = max(0, end - width)
        # Cut on word boundaries.
        if start > 0:
            sp = text.find(" ", start)
            start = sp + 1 if 0 <= sp < start + 20 else start
        if end < len(text):
            sp = text.rfind(" ", start, end)
            end = sp if sp > end - 20 else end
    window = text[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    flat = lead + re.sub(r"\s", " ", window) + tail
    off = len(lead) - start
    marks = tuple((a + off, b + off) for a, b in spans if a >= start and b <= end)
    return flat, marks


def _canon_participants(evt: dict[str, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p["name"] for p in evt["participants"] if p["role"] != "object"))


def search(store: Store, query: SearchQuery) -> Page[Hit]:
    """Search the store; the best hits first, filtered and paged as ``query`` asks."""
    if query.semantic:
        from tieline.query.semantic import semantic_search

        return semantic_search(store, query)
    terms = parse_terms(query.text)
    kinds = [k for k in (query.kinds or KINDS) if k in KINDS]
    index_kinds = [*kinds, "alias"] if "entity" in kinds else kinds
    if not terms or not kinds:
        return Page((), 0, query.limit, query.offset, query.text)
    unfiltered = not (query.actor or query.type or query.sector or query.since or query.until)
    if unfiltered:
        # No filters: the index ranks and cuts; only the page (with some spare for aliases of
        # one entity) leaves the database, and the total is a count that needs no ranking.
        need = query.offset + query.limit
        fetch = min(max(2 * need, 50), ss.MATCH_CAP)
        found = ss.ranked(store, terms, index_kinds, cap=fetch)
        while True:
            best = _best(found.matches)
            if len(best) >= need or len(found.matches) < fetch or fetch >= ss.MATCH_CAP:
                break
            fetch = min(4 * fetch, ss.MATCH_CAP)
            found = ss.ranked(store, terms, index_kinds, cap=fetch)
        total, hits = _hits(store, query, best, terms, paged=True, total=found.hits)
    else:
        found = ss.ranked(store, terms, index_kinds)
        total, hits = _hits(store, query, _best(found.matches), terms, paged=True)
    notes: tuple[str, ...] = ()
    if not found.by_relevance:
        notes = (
            f"more than {ss.RANK_ALL_MAX} matches: the {ss.RANK_POOL} most recently added are "
            "shown, headline and name matches first; add words to rank by relevance",
        )
    elif found.rows >= min(ss.MATCH_CAP, ss.RANK_POOL):
        notes = (
            f"more than {min(ss.MATCH_CAP, ss.RANK_POOL)} matches: ranked and filtered among "
            "the most recently added of them; add words to narrow the search",
        )
    return Page(tuple(hits), total, query.limit, query.offset, query.text, notes)


def _best(matches: Sequence[ss.Match]) -> dict[tuple[str, str], ss.Match]:
    """The best-scored match of each hit; an alias counts as its entity."""
    best: dict[tuple[str, str], ss.Match] = {}
    for m in matches:
        if m.kind == "alias":
            m = ss.Match("entity", m.ref_id, m.doc_id, m.score)
        key = (m.kind, m.ref_id)
        if key not in best or m.score > best[key].score:
            best[key] = m
    return best


def rank_facts(
    store: Store, query: SearchQuery, scored: Sequence[tuple[str, str, float]]
) -> list[Hit]:
    """Hits for (kind, id, score) triples ranked elsewhere (semantic search), filtered as asked."""
    best = {(k, ref): ss.Match(k, ref, None, score) for k, ref, score in scored}
    return _hits(store, query, best, parse_terms(query.text), paged=False)[1]


def _filtered(store: Store, query: SearchQuery, order: Sequence[ss.Match]) -> list[ss.Match]:
    """The matches that pass the query's filters (tested in the store, on the candidates
    only), in the order given."""
    ids: dict[str, list[str]] = {k: [] for k in KINDS}
    for m in order:
        ids[m.kind].append(m.ref_id)
    res = scope.resolve(
        store,
        scope.Scope.of(
            actor=query.actor, sector=query.sector, since=query.since, until=query.until
        ),
    )
    actor = res.actors[0] if res.actors else None
    # The type is an event's type, a figure's measure or an entity's type: events are kept
    # by the event list's own conditions, with the type when it is an event type.
    etypes = (query.type.lower(),) if query.type else None
    f = ss.Filters(
        events=res.event_filter(types=etypes),
        keys=actor.keys if actor else None,
        names=actor.names if actor else None,
        entity_ids=actor.ids if actor else None,
        type=query.type,
        sectors=res.sectors,
        since=res.since,
        until=res.until,
    )
    keep = {k: ss.passing(store, k, v, f) if v else set() for k, v in ids.items()}
    return [m for m in order if m.ref_id in keep[m.kind]]


def _hits(
    store: Store,
    query: SearchQuery,
    best: dict[tuple[str, str], ss.Match],
    terms: Sequence[ss.Term],
    paged: bool,
    total: int | None = None,
) -> tuple[int, list[Hit]]:
    unfiltered = not (query.actor or query.type or query.sector or query.since or query.until)
    order = sorted(best.values(), key=lambda m: (-m.score, m.kind, m.ref_id))
    if unfiltered and paged:
        # Without filters only the page needs its rows: rank first, then read 20, not 5,000.
        page = order[query.offset : query.offset + query.limit]
        n_total = len(best) if total is None else total
    else:
        # Filters read the few columns they test, of the candidates only; the full rows are
        # read for the page alone.
        ranked = _filtered(store, query, order)
        page = ranked[query.offset : query.offset + query.limit] if paged else ranked
        n_total = len(ranked)
    ids: dict[str, list[str]] = {k: [] for k in KINDS}
    for m in page:
        ids[m.kind].append(m.ref_id)
    events = ss.events_meta(store, ids["event"])
    figures = ss.figures_meta(store, ids["figure"])
    entities = ss.entities_meta(store, ids["entity"])
    docs = ss.documents_meta(
        store,
        sorted({e["doc_id"] for e in events.values()} | {f["doc_id"] for f in figures.values()}),
    )
    texts = ss.documents_meta(
        store, [m.ref_id for m in page if m.kind == "document"], with_text=True
    )
    # A row deleted since the index was read is left out rather than shown half.
    rows: dict[str, dict[str, Any]] = {
        "document": texts,
        "event": events,
        "figure": figures,
        "entity": entities,
    }
    page = [m for m in page if m.ref_id in rows[m.kind]]
    hits = []
    for m in page:
        if m.kind == "document":
            d = texts[m.ref_id]
            snip, marks = snippet(d["text"], terms)
            hits.append(
                Hit(
                    "document",
                    m.ref_id,
                    m.ref_id,
                    d["name"],
                    d["title"],
                    d["url"],
                    m.score,
                    snip,
                    marks,
                    d["title"] or snip,
                    date=d["published"],
                )
            )
        elif m.kind == "event":
            e = events[m.ref_id]
            d = docs.get(e["doc_id"], {})
            snip, marks = snippet(
                e["evidence"], terms, width=max(SNIPPET_CHARS, len(e["evidence"]))
            )
            hits.append(
                Hit(
                    "event",
                    m.ref_id,
                    e["doc_id"],
                    d.get("name"),
                    d.get("title"),
                    d.get("url"),
                    m.score,
                    snip,
                    marks,
                    e["evidence"],
                    e["type"],
                    e["sector"],
                    e["date"],
                    _canon_participants(e),
                )
            )
        elif m.kind == "figure":
            f = figures[m.ref_id]
            d = docs.get(f["doc_id"], {})
            snip, marks = snippet(
                f["evidence"], terms, width=max(SNIPPET_CHARS, len(f["evidence"]))
            )
            hits.append(
                Hit(
                    "figure",
                    m.ref_id,
                    f["doc_id"],
                    d.get("name"),
                    d.get("title"),
                    d.get("url"),
                    m.score,
                    snip,
                    marks,
                    f["evidence"],
                    f["measure"],
                    None,
                    f["period_start"],
                    tuple(f["actors"]),
                )
            )
        else:
            ent = entities[m.ref_id]
            snip, marks = snippet(ent["name"], terms)
            hits.append(
                Hit(
                    "entity",
                    m.ref_id,
                    None,
                    None,
                    None,
                    None,
                    m.score,
                    snip,
                    marks,
                    ent["name"],
                    ent["type"],
                    None,
                    ent["first_seen"],
                    (ent["name"],),
                )
            )
    return n_total, hits


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A hit as a JSON-ready dict."""
    d = asdict(hit)
    d["highlights"] = [list(h) for h in hit.highlights]
    d["actors"] = list(hit.actors)
    return d


def page_to_dict(page: Page[Hit]) -> dict[str, Any]:
    """A page of hits as a JSON-ready dict."""
    return {
        "query": page.query,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "notes": list(page.notes),
        "items": [hit_to_dict(h) for h in page.items],
    }
