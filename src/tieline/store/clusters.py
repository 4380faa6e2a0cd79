"""Cross-document event clusters: the reports of one real-world happening share one cluster id.

Two reports are of one happening when what they share outweighs what tells them apart:

- vetoes: incompatible types (a signing and the talks before it), statuses (done, planned,
  negated), dates (explicit dates that differ at their common precision, or an explicit date far
  from the publication date of an undated report), sectors, disjoint objects, or stages of a
  project (building, starting construction, completing, opening);
- evidence: shared objects (facilities, products), shared actors after entity resolution, the
  same pair of states (a person counts for their state), the same type, agreeing dates, the
  same stage, and the words of the two clauses.

Within one article, two reports of one kind, date and stage are one happening when they name
the same parties, or parties that stand for the same two or more states ("Russia and China",
"Putin and Xi") with no other object, figure or "other agreements" between them, unless their
sectors differ; so a third article's report that matches either joins both.

A plan dated to the day on or before its article's publication is what a report of that day
says was done (a visit written up the day it begins); an undated report naming no object but
the kind of another's ("the railway") is of that object when both word one stage of one pair of
states.

An undated report is dated by its article's publication date (within ``WINDOW_DAYS``); a report
with neither is compatible with any date, so other evidence must carry it.

Time and memory grow as n log n in the events: identical reports of one document collapse into
one before any comparison, and each block (an object, an actor, a state) is sorted by date and
each report compared with its ``NEIGHBOURS`` next ones only (the sorted-neighbourhood method).
Clustering is incremental: with ``only_new`` only blocks holding an event without a cluster id
are compared, and stored clusters are kept as they are. The cluster ids are written, and the
store's ``clusters_stale`` flag cleared, in one transaction, so a run killed before it leaves the
flag set and the next run repairs it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Select, Text, bindparam, delete, select, tuple_, update

from tieline.store import schema as s
from tieline.store.db import Store
from tieline.store.migrations import store_meta

NAME = "events.cluster.v4"

# An undated report of a happening is published within this many days of it.
WINDOW_DAYS = 31
# Each report is compared with this many next reports of each of its blocks, in date order.
NEIGHBOURS = 24
MODEL_FILE = "clusters.json"


def _trained_threshold(default: int = 3) -> int:
    """The evidence threshold chosen on a gold cluster set by ``python -m tieline.eval.clusters
    GOLD --train`` (``data/models/clusters.json``); ``default`` when the file is absent."""
    where = resources.files("tieline") / "data" / "models" / MODEL_FILE
    try:
        return int(json.loads(where.read_text(encoding="utf-8"))["threshold"])
    except (FileNotFoundError, KeyError, ValueError, TypeError):
        return default


# The evidence two reports need, past the vetoes, to be one happening (see ``pair_score``).
THRESHOLD = _trained_threshold()
# What a different sector costs two reports that something else ties (see ``pair_score``).
SECTOR_PENALTY = 1

# Types that one happening's reports may carry: a loan agreement is also an investment, a
# pipeline that opens is a construction and a supply, a sale signed is an agreement and a supply.
_COMPATIBLE_TYPES = {
    frozenset({"agreement", "investment"}),
    frozenset({"agreement", "supply"}),
    frozenset({"supply", "construction"}),
}

# Stages of a project as the clause words them, first match wins (so "launched construction"
# is a start, not an opening). Stages in _STAGES_APART tell two happenings apart.
_STAGE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        (
            "construction_start",
            r"\b(?:(?:begin|began|begun|begins|start\w*|launch\w*|kick\w* off|commence\w*)\s+"
            r"(?:\w+\s+)?(?:the\s+)?(?:construction|building|work)|(?:construction|building|work)s?\s+"
            r"(?:\w+\s+)?(?:began|begun|started|start|commenced|kicked off|got under way)"
            r"|broke ground|ground-?breaking|first concrete|foundation stone)",
        ),
        (
            "completion",
            r"\b(?:complet\w*|finish\w*|finalis\w*|finaliz\w*)\b(?!.*\b(?:deal|contract)\b)",
        ),
        (
            "operation",
            r"\b(?:inaugurat\w*|launch\w*|open\w*|came online|come online|on stream|commission\w*"
            r"|into operation|operational|start\w* operat\w*|began operat\w*|first (?:run|train|"
            r"flight|cargo|gas|oil|power|shipment|batch)|(?:start\w*|began|begun)\s+"
            r"(?:to\s+)?(?:pip|pump|send|flow|deliver|suppl|ship|export)\w*)",
        ),
        ("construction", r"\b(?:build\w*|built|construct\w*)\b"),
        ("agreement", r"\b(?:sign\w*|seal\w*|ink\w*|conclud\w*|struck|clinch\w*)\b"),
    )
)
_STAGES_APART = {"construction_start", "completion", "operation", "construction", "agreement"}

# A loan or financing agreement is the lending it provides: its signing (done) and the money it
# will bring (planned) are one happening, so their statuses may differ.
_ONE_KIND = frozenset({"agreement", "investment"})

# "signed the deal along with eight other agreements": the others are another happening.
_OTHERS = re.compile(
    r"\b(?:other|another|additional|further|more)\s+(?:\w+\s+)?(?:agreements?|"
    r"deals?|pacts?|contracts?|documents?|memorand\w*|accords?)\b",
    re.IGNORECASE,
)
# How many characters may stand between a trigger and "other agreements" that it reports.
_NEXT_TO = 12
_WORD = re.compile(r"[^\W\d_]{4,}")
# A figure in the clause: "$1.9bn", "USD 5 billion", "85%", "85 percent", "38 bcm".
_NUMBER = re.compile(
    r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*-?\s*"
    r"(%|per\s?cent\b|percent\b|tr(?:illio)?n\b|b(?:illio)?n\b|m(?:illio)?n\b|bcm\b)?",
    re.IGNORECASE,
)
_SCALE = {"t": 1e12, "b": 1e9, "m": 1e6}
_STOP = frozenset(
    """about after also among been before being between both could from have
into more most much other over said says such than that their them then there these they
this those through under very were what when where which while will with would year years
today monday tuesday wednesday thursday friday saturday sunday week month""".split()
)


def figures_of(text: str | None) -> frozenset[str]:
    """The figures a clause gives, normalised ("$1.9bn" and "1.9 billion" alike, "85%" and "85
    percent" alike); bare numbers under 100 and years are left out, as any two reports share
    them."""
    out = set()
    for m in _NUMBER.finditer(text or ""):
        num, unit = m.group(1).replace(",", ""), (m.group(2) or "").casefold()
        try:
            value = float(num)
        except ValueError:
            continue
        if unit.startswith(("%", "per")):
            out.add(f"{value:g}%")
            continue
        if unit:
            value *= _SCALE.get(unit[0], 1e9)  # bcm: billion cubic metres
        elif value < 100 or (1900 <= value <= 2100 and "." not in num):
            continue
        out.add(f"{float(f'{value:.3g}'):g}")
    return frozenset(out)


def stage_of(text: str | None) -> str | None:
    """The project stage a clause words (construction_start, completion, operation,
    construction, agreement), or None."""
    if not text:
        return None
    for name, rx in _STAGE_PATTERNS:
        if rx.search(text):
            return name
    return None


def _words(text: str | None) -> frozenset[str]:
    """The clause's common words as prefixes (which stand in for lemmas: "financing" and
    "finance" share "financ"); names are left out, since the parties are compared apart."""
    return frozenset(w[:6] for w in _WORD.findall(text or "") if w[0].islower() and w not in _STOP)


@dataclass(frozen=True)
class Report:
    """One event as clustering sees it: its kind, when, who and what, after resolution."""

    id: str
    doc: str
    type: str
    status: str
    date: str | None  # the event's own date: YYYY, YYYY-MM, YYYY-MM-DD or MM-DD
    published: str | None
    sector: str | None
    actors: frozenset[str]
    objects: frozenset[str]
    countries: frozenset[str]
    text: str = ""
    cluster: str | None = None
    states: frozenset[str] = frozenset()  # the actors that are states or blocs
    trigger: str = ""  # the word that reports the event, when known

    @cached_property
    def stage(self) -> str | None:
        """The project stage the clause words, for what is built or supplied (a deal
        "finalised" is signed, not completed)."""
        stage = stage_of(self.text)
        if self.type in ("construction", "supply") or stage == "agreement":
            return stage
        return None

    @cached_property
    def own(self) -> str | None:
        """The event's own date with a year ("MM-DD" takes the publication year)."""
        return _own_date(self)

    @cached_property
    def others(self) -> bool:
        """Whether the event is of other agreements than one named elsewhere ("eight other
        pacts inked"); with a known trigger the words must stand next to it, since "the deal
        was signed along with eight other agreements" reports the deal."""
        found = list(_OTHERS.finditer(self.text))
        at = self.text.casefold().find(self.trigger.casefold()) if self.trigger else -1
        if at < 0:
            return bool(found)
        end = at + len(self.trigger)
        return any(m.start() - end <= _NEXT_TO and at - m.end() <= _NEXT_TO for m in found)

    @cached_property
    def figures(self) -> frozenset[str]:
        """The figures the clause gives, normalised."""
        return figures_of(self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        """The clause's content words, as prefixes."""
        return _words(self.text)


def _parse(iso: str | None) -> date | None:
    if not iso or not re.match(r"\d{4}", iso):
        return None
    try:
        parts = [int(x) for x in iso[:10].split("-")]
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def _interval(iso: str) -> tuple[date, date] | None:
    """The days an ISO date of any precision covers."""
    start = _parse(iso)
    if start is None:
        return None
    if len(iso) >= 10:
        return start, start
    if len(iso) >= 7:
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, nxt - timedelta(days=1)
    return start, date(start.year, 12, 31)


def _own_date(r: Report) -> str | None:
    """The event's own date with a year: "MM-DD" takes the publication year."""
    d = r.date
    if d and re.fullmatch(r"\d{2}-\d{2}", d):
        return f"{r.published[:4]}-{d}" if r.published and len(r.published) >= 4 else None
    return d if d and re.match(r"\d{4}", d) else None


def _date_evidence(a: Report, b: Report) -> int | None:
    """None when the dates rule one happening out; else how strongly they support it (0-2)."""
    da, db = a.own, b.own
    if da and db:
        n = min(len(da), len(db))
        if da[:n] != db[:n]:
            return None
        return 2 if n >= 7 else 1
    if da or db:
        own, other = (da, b) if da else (db, a)
        assert own is not None
        span = _interval(own)
        pub = _parse(other.published)
        if span is None or pub is None:
            return _month_day_evidence(a, b)
        # The undated report happened shortly before (or on) its publication day.
        lo, hi = pub - timedelta(days=WINDOW_DAYS), pub + timedelta(days=1)
        return (1 if len(own) >= 7 else 0) if span[0] <= hi and span[1] >= lo else None
    pa, pb = _parse(a.published), _parse(b.published)
    if pa and pb:
        return 1 if abs((pa - pb).days) <= WINDOW_DAYS else None
    return _month_day_evidence(a, b)


def _month_day_evidence(a: Report, b: Report) -> int | None:
    """Two reports of which one gives only a day and month ("on Oct. 2"), year unknown."""
    da, db = a.date or "", b.date or ""
    if 5 in (len(da), len(db)) and len(da) in (5, 10) and len(db) in (5, 10):
        return 2 if da[-5:] == db[-5:] else None
    return 0


def _types_agree(a: str, b: str) -> bool:
    return a == b or frozenset({a, b}) in _COMPATIBLE_TYPES


def _statuses_agree(a: Report, b: Report) -> bool:
    if a.status == b.status:
        return True
    if {a.status, b.status} == {"planned", "done"} and a.type == b.type:
        return _fallen_due(a if a.status == "planned" else b, b if a.status == "planned" else a)
    # A loan signed (done) and the financing it brings (planned) are one happening.
    return (
        a.type != b.type and {a.type, b.type} <= _ONE_KIND and "negated" not in (a.status, b.status)
    )


def _fallen_due(planned: Report, done: Report) -> bool:
    """A plan dated to the day on or before its own article's publication ("Putin's two-day
    visit", written the day it began) is what another report says was done that very day."""
    day = planned.own
    return bool(
        day
        and len(day) == 10
        and day == done.own
        and planned.published
        and day <= planned.published[:10]
    )


def pair_score(a: Report, b: Report) -> int | None:
    """How much two reports of different documents share: None when something rules one
    happening out, else a score compared with ``THRESHOLD``."""
    if not _types_agree(a.type, b.type) or not _statuses_agree(a, b):
        return None
    apart = bool(a.sector and b.sector and a.sector.split(".")[0] != b.sector.split(".")[0])
    if a.objects and b.objects and not a.objects & b.objects:
        return None
    if a.others != b.others:
        return None
    sa, sb = a.stage, b.stage
    if sa in _STAGES_APART and sb in _STAGES_APART and sa != sb:
        return None
    ca, cb = a.countries, b.countries
    if len(ca) >= 2 and len(cb) >= 2 and not (ca <= cb or cb <= ca):
        return None  # India and Russia is another pair than China and Russia
    dates = _date_evidence(a, b)
    if dates is None:
        return None
    shared = len(a.actors & b.actors)
    states = len(a.countries & b.countries)
    if not shared and states < 2 and not (a.objects & b.objects and (states or not ca or not cb)):
        # One happening has a party both name, the same pair of states, or the same facility
        # or product on one state's side ("Widodo inaugurated the railway", "Indonesia
        # launched the railway").
        return None
    if {a.type, b.type} == {"agreement", "supply"} and not (
        dates and a.own and b.own and (dates >= 2 or a.objects & b.objects)
    ):
        # A sale signed and a delivery made are one happening only on one date that both
        # state: one day or month, or one year for one product.
        return None
    specific = (a.actors & b.actors) - a.states - b.states
    wa, wb = a.words, b.words
    similar = len(wa & wb) >= 2 and len(wa & wb) / len(wa | wb) >= 0.2
    figures = bool(a.figures & b.figures)
    kind = sa is not None and sa == sb and (_names_kind(a, b) or _names_kind(b, a))
    if not dates and not (a.objects & b.objects or specific or similar or figures or kind):
        # Undated reports naming only the same two states ("talks between Russia and China")
        # are any of their many happenings.
        return None
    if apart and not (a.objects & b.objects or specific or figures or dates >= 2):
        # The sector is read off the sentence's words and often wrong ("finance" for a
        # railway's loan, "nuclear" for an arms deal signed beside a nuclear one): two sectors
        # are two happenings unless an object, a party of their own, a figure or the same
        # day or month ties them.
        return None
    score = dates + min(shared, 2)
    score += 3 if a.objects & b.objects else 0
    score += 1 if states >= 2 or (states and a.countries == b.countries) else 0
    score += 1 if a.type == b.type else 0
    score += 1 if sa is not None and sa == sb else 0
    score += 1 if similar else 0
    score += 2 if figures else 0
    score -= SECTOR_PENALTY if apart else 0
    return score


def _names_kind(a: Report, b: Report) -> bool:
    """Whether ``a``, naming no object, words the kind of one of ``b``'s ("the opening of the
    railway" for the China-Laos Railway's): with one stage of one pair of states, that
    facility's."""
    if a.objects or not b.objects or len(a.countries) < 2 or a.countries != b.countries:
        return False
    return any(o.split()[-1][:6] in a.words for o in b.objects if o.split())


def _same_in_document(a: Report, b: Report) -> bool:
    """Two reports within one article: a repeat needs the same kind, date and participants."""
    if a.text == b.text and a.type != b.type and {a.type, b.type} <= _ONE_KIND:
        # "signed a loan agreement to finance 85% of the cost": the loan is the agreement.
        return bool(a.actors & b.actors) and _statuses_agree(a, b)
    if a.type != b.type or a.status != b.status:
        return False
    if (a.date and b.date and a.date != b.date) or a.stage != b.stage:
        return False
    if a.sector and b.sector and a.sector.split(".")[0] != b.sector.split(".")[0]:
        # In one article the sectors are read off two sentences about two things (a loan's
        # "finance", a line's modernisation "transport"): two deals of one pair of parties.
        return False
    if _one_pair_of_states(a, b):
        # "Russia started piping gas to China" and "Putin and Xi opened the pipeline" in one
        # article: parties named differently, the same pair of states behind them.
        return True
    if a.actors != b.actors and not (a.actors & b.actors and a.countries == b.countries):
        return False
    return bool(a.objects & b.objects) or (bool(a.actors) and a.actors == b.actors)


def _one_pair_of_states(a: Report, b: Report) -> bool:
    """Two reports of one kind in one article whose parties stand for the same two or more
    states, with nothing that tells them apart (other objects, sectors, "other agreements")."""
    if len(a.countries) < 2 or a.countries != b.countries or a.others or b.others:
        return False
    if a.objects and b.objects and not a.objects & b.objects:
        return False
    return not (a.figures and b.figures and not a.figures & b.figures)


def same_happening(a: Report, b: Report) -> bool:
    """Whether two reports are of one real-world happening."""
    if a.doc == b.doc:
        return _same_in_document(a, b)
    score = pair_score(a, b)
    return score is not None and score >= THRESHOLD


def _effective(r: Report) -> str:
    # Sort key of a report in its blocks: its own date, else its article's; undated last.
    return r.own or r.published or "~"


def cluster_id_of(event_ids: Iterable[str]) -> str:
    """The id of a cluster: a hash of its smallest event id, stable across runs."""
    return "c" + hashlib.sha1(min(event_ids).encode()).hexdigest()[:15]


@dataclass
class _Group:
    """What a growing cluster holds that a merge must not contradict."""

    stages: set[str]
    dates: set[str]
    objects: set[str]

    @classmethod
    def of(cls, r: Report) -> _Group:
        stage, own = r.stage, r.own
        return cls(
            {stage} if stage in _STAGES_APART else set(), {own} if own else set(), set(r.objects)
        )

    def agrees(self, other: _Group) -> bool:
        if len(self.stages | other.stages) > 1:
            return False
        if self.objects and other.objects and not self.objects & other.objects:
            return False
        return all(
            x[: min(len(x), len(y))] == y[: min(len(x), len(y))]
            for x in self.dates
            for y in other.dates
        )

    def absorb(self, other: _Group) -> None:
        self.stages |= other.stages
        self.dates |= other.dates
        self.objects |= other.objects


def _signature(r: Report) -> tuple[Any, ...]:
    # Reports of one document with this in common are one report (a repeated sentence).
    return (r.doc, r.type, r.status, r.date, r.sector, r.actors, r.objects, r.stage)


def blocks_of(r: Report) -> list[str]:
    """The blocks a report is compared in: each object, each actor, each state of an actor."""
    return (
        [f"o:{o}" for o in sorted(r.objects)]
        + [f"a:{a}" for a in sorted(r.actors)]
        + [f"c:{c}" for c in sorted(r.countries)]
    )


def _representatives(items: Iterable[Report]) -> tuple[list[Report], list[tuple[str, str]]]:
    """The first report (by id) of each document's identical reports, and (first, repeat) for
    the others; ``items`` in id order."""
    reps: dict[tuple[Any, ...], Report] = {}
    repeats = []
    for r in items:
        first = reps.setdefault(_signature(r), r)
        if first is not r:
            repeats.append((first.id, r.id))
    return list(reps.values()), repeats


def _score(ra: Report, rb: Report) -> int | None:
    if ra.doc == rb.doc:
        return 99 if _same_in_document(ra, rb) else None
    return pair_score(ra, rb)


def _block_pairs(reps: Iterable[Report], *, only_new: bool) -> Iterator[tuple[Report, Report]]:
    """Each report and its ``NEIGHBOURS`` next ones in each block sorted by date (with
    ``only_new``, only in blocks holding a report without a cluster id)."""
    blocks: dict[str, list[Report]] = defaultdict(list)
    for r in reps:
        for b in blocks_of(r):
            blocks[b].append(r)
    for block in blocks.values():
        if only_new and all(r.cluster for r in block):
            continue
        block.sort(key=_position)
        for i, ra in enumerate(block):
            for rb in block[i + 1 : i + 1 + NEIGHBOURS]:
                yield ra, rb


def _position(r: Report) -> tuple[str, str, str]:
    # A report's place in each of its blocks (also the key of the cluster_blocks index).
    return (_effective(r), r.doc, r.id)


def cluster_reports(
    reports: Iterable[Report],
    *,
    only_new: bool = False,
    pairs: Iterable[tuple[Report, Report]] | None = None,
) -> dict[str, str]:
    """Event id -> cluster id for every report.

    Candidate pairs come from the blocks; they are merged best first, and a merge that would
    put two stages, two dates or two sets of objects that rule each other out in one cluster
    is refused, so a report that fits two happenings does not chain them. With ``only_new``
    the stored clusters (``Report.cluster``) are kept and only the blocks holding a report
    without one are compared. ``pairs``, when given, are the candidates instead of the blocks'
    (the incremental pass reads them from the store's block index).
    """
    items = sorted(reports, key=lambda r: r.id)
    parent = {r.id: r.id for r in items}
    groups = {r.id: _Group.of(r) for r in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str, *, check: bool = True) -> None:
        rx, ry = find(x), find(y)
        if rx == ry or (check and not groups[rx].agrees(groups[ry])):
            return
        keep, gone = min(rx, ry), max(rx, ry)
        parent[gone] = keep
        groups[keep].absorb(groups.pop(gone))

    # Identical reports of one document (a repeated sentence) are one before any comparison.
    reps, repeats = _representatives(items)
    for first, again in repeats:
        union(first, again, check=False)
    if only_new:
        by_cluster: dict[str, str] = {}
        for r in items:
            if r.cluster:
                union(by_cluster.setdefault(r.cluster, r.id), r.id, check=False)
    candidates: dict[tuple[str, str], int] = {}
    for ra, rb in _block_pairs(reps, only_new=only_new) if pairs is None else pairs:
        key = (ra.id, rb.id) if ra.id < rb.id else (rb.id, ra.id)
        if (only_new and ra.cluster and rb.cluster) or key in candidates:
            continue
        score = _score(ra, rb)
        if score is not None and score >= THRESHOLD:
            candidates[key] = score
    for (x, y), _ in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0])):
        union(x, y)
    members: dict[str, list[str]] = defaultdict(list)
    for r in items:
        members[find(r.id)].append(r.id)
    out: dict[str, str] = {}
    for ids in members.values():
        cid = cluster_id_of(ids)  # once per cluster: per event it would be quadratic
        out.update(dict.fromkeys(ids, cid))
    return out


# ----------------------------------------------------------------------------- the store
def _chunks(items: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    seq = sorted(set(items))
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _read_reports(
    conn: Connection, *, event_ids: Iterable[str] | None = None, doc_ids: Iterable[str] = ()
) -> list[Report]:
    """Stored events as ``Report``s: every one (``event_ids`` None and no ``doc_ids``), or those
    with these ids and those of these documents."""
    e, d, p = s.events, s.documents, s.event_participants
    cols = (
        e.c.id,
        e.c.doc_id,
        e.c.type,
        e.c.status,
        e.c.date,
        e.c.sector,
        e.c.evidence,
        e.c.cluster_id,
        e.c.trigger,
        d.c.published,
    )
    base = select(*cols).join(d, d.c.id == e.c.doc_id)
    parts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    doc_ids = list(doc_ids)
    if event_ids is None and not doc_ids:
        rows = list(conn.execute(base))
        for pr in conn.execute(select(p.c.event_id, p.c.entity_key, p.c.role)):
            parts[pr.event_id].append((pr.entity_key, pr.role))
        keymap = {
            k: v for k, v in conn.execute(select(s.entity_keys.c.key, s.entity_keys.c.entity_id))
        }
        facts: list[Any] = list(
            conn.execute(select(s.entities.c.id, s.entities.c.country, s.entities.c.type))
        )
    else:
        found: dict[str, Any] = {}
        for chunk in _chunks(doc_ids):
            found.update((r.id, r) for r in conn.execute(base.where(e.c.doc_id.in_(chunk))))
        for chunk in _chunks(x for x in event_ids or () if x not in found):
            found.update((r.id, r) for r in conn.execute(base.where(e.c.id.in_(chunk))))
        rows = list(found.values())
        for chunk in _chunks(found):
            q = select(p.c.event_id, p.c.entity_key, p.c.role).where(p.c.event_id.in_(chunk))
            for pr in conn.execute(q):
                parts[pr.event_id].append((pr.entity_key, pr.role))
        keymap = {}
        ek = s.entity_keys
        for chunk in _chunks(k for ps in parts.values() for k, _ in ps):
            q2 = select(ek.c.key, ek.c.entity_id).where(ek.c.key.in_(chunk))
            keymap.update((k, v) for k, v in conn.execute(q2))
        ents = {keymap.get(k, k) for ps in parts.values() for k, _ in ps}
        facts = [
            r
            for chunk in _chunks(ents)
            for r in conn.execute(
                select(s.entities.c.id, s.entities.c.country, s.entities.c.type).where(
                    s.entities.c.id.in_(chunk)
                )
            )
        ]
    country, states = {}, set()
    for i, c, kind in facts:
        if c:
            country[i] = c
        if kind in ("COUNTRY", "BLOC"):
            states.add(i)
    out = []
    for r in rows:
        ps = [(keymap.get(k, k), role) for k, role in parts.get(r.id, [])]
        actors = frozenset(k for k, role in ps if role != "object")
        out.append(
            Report(
                id=r.id,
                doc=r.doc_id,
                type=r.type,
                status=r.status or "done",
                date=r.date,
                published=r.published,
                sector=r.sector,
                actors=actors,
                objects=frozenset(k for k, role in ps if role == "object"),
                countries=frozenset(country[k] for k in actors if k in country),
                text=r.evidence or "",
                cluster=r.cluster_id,
                states=actors & states,
                trigger=r.trigger or "",
            )
        )
    return out


def stored_reports(store: Store) -> list[Report]:
    """Every stored event as a ``Report``: participants as their linked entities, each actor's
    state among the countries."""
    with store.connect() as conn:
        return _read_reports(conn)


def _block_rows(reports: Iterable[Report]) -> list[dict[str, str]]:
    """The ``cluster_blocks`` rows of these reports (whole documents): one per block of each
    document's representative reports."""
    reps, _ = _representatives(sorted(reports, key=lambda r: r.id))
    rows = []
    for r in reps:
        at = _effective(r)
        rows += [
            {"block": b, "sort_key": at, "doc_id": r.doc, "event_id": r.id} for b in blocks_of(r)
        ]
    return rows


def _insert_blocks(conn: Connection, rows: list[dict[str, str]]) -> None:
    for i in range(0, len(rows), 5000):
        conn.execute(s.cluster_blocks.insert(), rows[i : i + 5000])


def blocks_ready(store: Store) -> bool:
    """Whether ``cluster_blocks`` holds every clustered report (a full pass fills it)."""
    with store.connect() as conn:
        v = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "cluster_blocks"))
        return v.scalar_one_or_none() == "1"


def write_clusters(
    store: Store,
    old: Mapping[str, str | None],
    new: Mapping[str, str],
    *,
    blocks: list[dict[str, str]] | None = None,
) -> int:
    """Store the changed cluster ids and clear ``clusters_stale``, in one transaction; with
    ``blocks``, every report's blocks are replaced by these (a pass over every event)."""
    changed = [{"eid": eid, "cid": cid} for eid, cid in sorted(new.items()) if old.get(eid) != cid]
    stmt = (
        update(s.events)
        .where(s.events.c.id == bindparam("eid"))
        .values(cluster_id=bindparam("cid"))
    )
    with store.engine.begin() as conn:
        for i in range(0, len(changed), 1000):
            conn.execute(stmt, changed[i : i + 1000])
        if blocks is not None:
            conn.execute(delete(s.cluster_blocks))
            _insert_blocks(conn, blocks)
            store._set_meta(conn, "cluster_blocks", "1")
        store.mark_clusters(conn, stale=False, changed=bool(changed))
    return len(changed)


@cache
def _windows() -> tuple[Select[Any], Select[Any]]:
    """The reports before and after a place in a block, ``NEIGHBOURS`` of each, by index
    (built once: the incremental pass runs them thousands of times)."""
    cb = s.cluster_blocks
    pos = tuple_(cb.c.sort_key, cb.c.doc_id, cb.c.event_id)
    here = tuple_(*(bindparam(x, type_=Text) for x in ("k", "d", "e")))
    order = (cb.c.sort_key, cb.c.doc_id, cb.c.event_id)
    near = select(cb.c.event_id).where(cb.c.block == bindparam("b", type_=Text))
    before = near.where(pos < here).order_by(*(c.desc() for c in order)).limit(NEIGHBOURS)
    return before, near.where(pos > here).order_by(*order).limit(NEIGHBOURS)


def _neighbours(conn: Connection, r: Report) -> set[str]:
    """The reports within ``NEIGHBOURS`` places of ``r`` in each of its blocks, by index."""
    k, d, e = _position(r)
    out: set[str] = set()
    for q in _windows():
        for b in blocks_of(r):
            out.update(conn.execute(q, {"b": b, "k": k, "d": d, "e": e}).scalars())
    return out


# What the last incremental pass read, for the benchmark's profile and the tests: documents
# with new events, new reports, reports read, pairs scored, candidates found.
LAST_PASS: dict[str, int] = {}


def _cluster_new(store: Store) -> tuple[dict[str, str], dict[str, Report]]:
    """Place the events without a cluster id, reading only their documents, their neighbours
    in each block (``cluster_blocks``) and the stored clusters of those they may join; gives
    what ``cluster_reports(stored_reports(store), only_new=True)`` gives for every event."""
    e = s.events
    with store.connect() as conn:
        docs = set(conn.execute(select(e.c.doc_id).where(e.c.cluster_id.is_(None))).scalars())
        mine = _read_reports(conn, event_ids=(), doc_ids=docs)
    rows = _block_rows(mine)
    # Their blocks first, in their own transaction: the windows below count them, and a run
    # killed after it writes them again the same rows.
    with store.engine.begin() as conn:
        for chunk in _chunks(docs):
            conn.execute(delete(s.cluster_blocks).where(s.cluster_blocks.c.doc_id.in_(chunk)))
        _insert_blocks(conn, rows)
    reps, _ = _representatives(sorted(mine, key=lambda r: r.id))
    fresh = [r for r in reps if not r.cluster]
    with store.connect() as conn:
        near = {r.id: _neighbours(conn, r) for r in fresh}
        known = {r.id: r for r in mine}
        read = _read_reports(
            conn, event_ids={x for xs in near.values() for x in xs if x not in known}
        )
        known.update((r.id, r) for r in read)
        # The pairs the whole pass would merge; a neighbour below the threshold changes
        # nothing, so neither it nor its cluster is needed further.
        pairs = [(r, known[x]) for r in fresh for x in sorted(near[r.id])]
        candidates = [(a, b) for a, b in pairs if (_score(a, b) or 0) >= THRESHOLD]
        items = {r.id: r for r in mine}
        items.update((b.id, b) for _, b in candidates)
        # Every member of a stored cluster a new report may join: its group decides a merge
        # and its smallest id the cluster's id.
        held = {r.cluster for r in items.values() if r.cluster}
        for chunk in _chunks(held):
            q = select(e.c.id).where(e.c.cluster_id.in_(chunk))
            ids = [x for x in conn.execute(q).scalars() if x not in items]
            items.update((x, known[x]) for x in ids if x in known)
            items.update((r.id, r) for r in _read_reports(conn, event_ids=set(ids) - set(known)))
    LAST_PASS.clear()
    LAST_PASS.update(
        documents=len(docs),
        new=len(fresh),
        read=len(known) + len(items) - len(set(items) & set(known)),
        pairs=len(pairs),
        candidates=len(candidates),
    )
    return cluster_reports(items.values(), only_new=True, pairs=candidates), items


def cluster_store(store: Store, *, only_new: bool = False) -> int:
    """Give every stored event the cluster id of the happening it reports; returns the clusters
    written (every cluster on a full pass, those holding new or reopened events otherwise).

    Participants are compared as linked entities, so run this after relinking. With
    ``only_new`` only the events without a cluster id are placed (stored clusters stay), and
    only what they can join is read (``_cluster_new``) once the store's blocks are whole.
    """
    if only_new and blocks_ready(store):
        new, known = _cluster_new(store)
        write_clusters(store, {r.id: r.cluster for r in known.values()}, new)
        return len(set(new.values()))
    reports = stored_reports(store)
    new = cluster_reports(reports, only_new=only_new)
    write_clusters(store, {r.id: r.cluster for r in reports}, new, blocks=_block_rows(reports))
    return len(set(new.values()))


def link_digest(store: Store) -> str:
    """A hash of which entity each key stands for and of each entity's state: when it
    changes, stored clusters may be stale and clustering runs over every event."""
    h = hashlib.sha1()
    with store.connect() as conn:
        for k, v in conn.execute(
            select(s.entity_keys.c.key, s.entity_keys.c.entity_id).order_by(s.entity_keys.c.key)
        ):
            h.update(f"{k}\t{v}\n".encode())
        for i, c in conn.execute(
            select(s.entities.c.id, s.entities.c.country).order_by(s.entities.c.id)
        ):
            h.update(f"{i}\t{c}\n".encode())
    return h.hexdigest()


# ----------------------------------------------------------------------------- reads
def cluster_rows(
    store: Store, cluster_ids: Iterable[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events of these clusters, each with its document's fields (``doc_*``) and its
    participants, and the figures stated in those events' sentences (actors decoded)."""
    e, d, p, f = s.events, s.documents, s.event_participants, s.figures
    wanted = sorted(set(cluster_ids))
    cols: list[Any] = [
        e,
        d.c.name.label("doc_name"),
        d.c.title.label("doc_title"),
        d.c.source.label("doc_source"),
        d.c.published.label("doc_published"),
        d.c.url.label("doc_url"),
        d.c.near_duplicate_of.label("doc_near_duplicate_of"),
    ]
    events: list[dict[str, Any]] = []
    with store.connect() as conn:
        for i in range(0, len(wanted), 500):
            q = select(*cols).join(d, d.c.id == e.c.doc_id)
            q = q.where(e.c.cluster_id.in_(wanted[i : i + 500]))
            events += [dict(r._mapping) for r in conn.execute(q.order_by(e.c.doc_id, e.c.id))]
        ids = [ev["id"] for ev in events]
        parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i in range(0, len(ids), 500):
            for r in conn.execute(select(p).where(p.c.event_id.in_(ids[i : i + 500]))):
                parts[r.event_id].append(dict(r._mapping))
        sentences: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for ev in events:
            ev["participants"] = sorted(parts[ev["id"]], key=lambda x: (x["role"], x["name"]))
            sentences[ev["doc_id"]].append((ev["sentence_start"], ev["sentence_end"]))
        docs = sorted(sentences)
        figures = []
        for i in range(0, len(docs), 500):
            q = select(
                f,
                d.c.name.label("doc_name"),
                d.c.title.label("doc_title"),
                d.c.published.label("doc_published"),
                d.c.near_duplicate_of.label("doc_near_duplicate_of"),
            ).join(d, d.c.id == f.c.doc_id)
            for r in conn.execute(q.where(f.c.doc_id.in_(docs[i : i + 500]))):
                # A figure of the happening stands in the sentence of one of its reports.
                if any(a <= r.span_start < b for a, b in sentences[r.doc_id]):
                    row = dict(r._mapping)
                    row["actors"] = json.loads(row["actors"])
                    figures.append(row)
    figures.sort(key=lambda r: (r["doc_id"], r["span_start"]))
    return events, figures


def cluster_dates(store: Store, cluster_ids: Iterable[str]) -> dict[str, str]:
    """Per cluster: the most precise date its reports state (the earliest of those), for the
    reports of it that state none."""
    wanted = sorted(set(cluster_ids))
    found: dict[str, list[str]] = defaultdict(list)
    e = s.events
    with store.connect() as conn:
        for i in range(0, len(wanted), 500):
            q = select(e.c.cluster_id, e.c.date).where(
                e.c.cluster_id.in_(wanted[i : i + 500]), e.c.date.is_not(None)
            )
            for cid, d in conn.execute(q):
                if re.match(r"\d{4}", d or ""):
                    found[cid].append(d)
    return {cid: min(ds, key=lambda d: (-len(d), d)) for cid, ds in found.items()}
