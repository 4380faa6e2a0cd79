"""What a question is about: one filter record (``Scope``), resolved once against the store.

Shared by the event list, the timeline, search, the network, figures, charts, the briefing
and the digest, and by the CLI, the Python API, the REST API and the web, so that ``--actor
Gazprom --sector energy --since 2019`` means the same everywhere:

- an actor is named by its id, canonical name, an alias or an acronym, compared by name key
  (case, accents and corporate suffixes such as PJSC dropped): ``resolve_actor``;
- a sector keeps its subsectors (``energy`` keeps ``energy.gas``);
- an event is dated by its own date, else by its article's publication date, and shown so
  (``dated_by``); a window compares dates cut to the coarser precision (``in_window``);
- a country, pair, sector, type, status or measure the store does not hold is a
  ``FilterError`` naming the valid values or the closest one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tieline.errors import FilterError
from tieline.namekey import name_key
from tieline.records import EVENT_TYPES
from tieline.store import curation, reads
from tieline.store import events as estore
from tieline.store import figures as fstore
from tieline.store.db import Store

EVENT_STATUSES: tuple[str, ...] = ("done", "planned", "negated")

_PAIR = re.compile(r"^\s*([A-Za-z]{2})\s*[-–/,:]\s*([A-Za-z]{2})\s*$")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def parse_pair(pair: str | None) -> tuple[str, str] | None:
    """``CN-RU`` -> ("CN", "RU"); None stays None."""
    if pair is None or not pair.strip():
        return None
    m = _PAIR.match(pair)
    if not m:
        raise FilterError(f"a pair is two ISO country codes like CN-RU, got {pair!r}")
    a, b = m.group(1).upper(), m.group(2).upper()
    if a == b:
        raise FilterError(f"a pair names two different countries, got {pair!r}")
    return a, b


def parse_since(since: str | None, now: datetime | None = None) -> str | None:
    """An ISO date (2019, 2019-06, 2019-06-05) as given, or 7d / 24h / 2w / 3m / 1y before now."""
    if since is None or not since.strip():
        return None
    since = since.strip()
    if _ISO.match(since):
        return since
    m = _RELATIVE.match(since)
    if not m:
        raise FilterError(
            f"'since' wants a date (2019, 2019-06, 2019-06-05) or a span (24h, 7d, 2w, 1y), "
            f"got {since!r}"
        )
    n, unit = int(m.group(1)), m.group(2).lower()
    hours = {"h": 1, "d": 24, "w": 24 * 7, "m": 24 * 30, "y": 24 * 365}[unit] * n
    moment = (now or datetime.now(UTC)) - timedelta(hours=hours)
    return moment.isoformat(timespec="seconds")


def parse_until(until: str | None) -> str | None:
    """An ISO date (2019, 2019-06, 2019-06-05) as given; None stays None."""
    if until is None or not until.strip():
        return None
    until = until.strip()
    if not _ISO.match(until):
        raise FilterError(f"'until' wants a date (2019, 2019-06, 2019-06-05), got {until!r}")
    return until


def in_window(date: str | None, since: str | None, until: str | None = None) -> bool:
    """Whether an ISO date (any precision) falls in [since, until]; undated fails a window."""
    if not since and not until:
        return True
    if not date or not date[:4].isdigit():
        return False  # undated, or a day and month with no year ("06-08"): in no window
    if since and date[: len(since)] < since[: len(date)]:
        return False
    return not (until and date[: len(until)] > until)


@dataclass(frozen=True, slots=True)
class Actor:
    """A canonical actor: entity id, name, type and country."""

    id: str
    name: str
    type: str
    country: str | None


def canonical(store: Store, keys: Iterable[str] | None = None) -> dict[str, Actor]:
    """Document-level entity key -> canonical actor (for these keys only, when given)."""
    return {
        k: Actor(r["id"], r["name"], r["type"], r.get("country"))
        for k, r in reads.canonical_names(store, keys).items()
    }


def actor_of(keys: dict[str, Actor], key: str, name: str) -> Actor:
    """The canonical actor of a participant, or one made from its own name when unlinked."""
    return keys.get(key) or Actor(key, name, "UNKNOWN", None)


def event_actors(event: dict[str, Any], keys: dict[str, Actor]) -> list[Actor]:
    """The distinct canonical actors (not objects) of an event, in a stable order."""
    seen: dict[str, Actor] = {}
    for p in event["participants"]:
        if p["role"] == "object":
            continue
        a = actor_of(keys, p["entity_key"], p["name"])
        seen.setdefault(a.id, a)
    return list(seen.values())


def countries_of(actors: list[Actor]) -> set[str]:
    """The countries an event's actors stand for (a state, or an actor of that state)."""
    return {a.country.upper() for a in actors if a.country}


def touches_pair(countries: set[str], pair: tuple[str, str] | None) -> bool:
    """Whether both states of the pair take part (always true without a pair)."""
    return pair is None or (pair[0] in countries and pair[1] in countries)


def figure_countries(figure: dict[str, Any], by_name: dict[str, Actor]) -> set[str]:
    """Countries of a figure's actors (its actors are canonical names)."""
    out = set()
    for name in figure["actors"]:
        a = by_name.get(name.casefold())
        if a and a.country:
            out.add(a.country.upper())
    return out


def actors_by_name(keys: dict[str, Actor]) -> dict[str, Actor]:
    """Canonical actors by case-folded name."""
    return {a.name.casefold(): a for a in keys.values()}


# ----------------------------------------------------------------------------- the filter record
def _tuple(one: str | None, many: Iterable[str] | str | None) -> tuple[str, ...]:
    items = [many] if isinstance(many, str) else list(many or ())
    if one is not None:
        items.insert(0, one)
    return tuple(dict.fromkeys(x.strip() for x in items if x is not None and x.strip()))


@dataclass(frozen=True, slots=True)
class Scope:
    """One filter record for every read: who, which states, what kind, which sector, what
    status, when, and words.

    Several actors or countries must all take part; several types, sectors or statuses are
    alternatives. ``pair`` is two countries ("CN-RU") that must both take part.
    """

    actors: tuple[str, ...] = ()
    pair: str | None = None
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    text: str | None = None

    @classmethod
    def of(
        cls,
        *,
        actor: str | None = None,
        actors: Iterable[str] | str | None = None,
        pair: str | None = None,
        country: str | None = None,
        countries: Iterable[str] | str | None = None,
        type: str | None = None,
        types: Iterable[str] | str | None = None,
        sector: str | None = None,
        sectors: Iterable[str] | str | None = None,
        status: str | None = None,
        statuses: Iterable[str] | str | None = None,
        since: str | None = None,
        until: str | None = None,
        text: str | None = None,
    ) -> Scope:
        """A scope from the singular options the CLI and the APIs take (or plural lists)."""
        return cls(
            actors=_tuple(actor, actors),
            pair=pair.strip() if pair and pair.strip() else None,
            countries=_tuple(country, countries),
            types=_tuple(type, types),
            sectors=_tuple(sector, sectors),
            statuses=_tuple(status, statuses),
            since=since.strip() if since and since.strip() else None,
            until=until.strip() if until and until.strip() else None,
            text=text if text and text.strip() else None,
        )

    @property
    def empty(self) -> bool:
        """Whether the scope keeps everything."""
        return self == Scope()

    def to_dict(self) -> dict[str, Any]:
        """The scope as JSON-ready values."""
        return {
            "actors": list(self.actors),
            "pair": self.pair,
            "countries": list(self.countries),
            "types": list(self.types),
            "sectors": list(self.sectors),
            "statuses": list(self.statuses),
            "since": self.since,
            "until": self.until,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor as a filter names it, resolved: its entities, their document-level keys, and
    the names (canonical names and aliases) a figure's actors or an unlinked participant carry."""

    text: str
    ids: frozenset[str]
    keys: frozenset[str]
    names: frozenset[str]

    @property
    def found(self) -> bool:
        """Whether the name resolved to a stored entity."""
        return bool(self.ids)


def resolve_actor(store: Store, ref: str) -> ActorRef:
    """The entities a reference names: an id, a canonical name, an alias or an acronym,
    compared by name key ("Gazprom PJSC", "gazprom" and "GAZPROM" are one), the same for
    every read. A name no entity carries keeps its own key (participants not linked yet)."""
    want = name_key(ref)
    if not want:
        return ActorRef(ref, frozenset(), frozenset(), frozenset())
    # Both by index: the name key's entities, and an entity whose id is the reference.
    ids = set(estore.entities_named(store, want))
    by_id = curation.entity(store, ref.strip())
    if by_id is not None:
        ids.add(by_id["id"])
    keys: set[str] = {want, *ids}
    names: set[str] = {ref.strip()}
    for i in sorted(ids):
        keys.update(curation.keys_of(store, i))
        ent = by_id if by_id is not None and by_id["id"] == i else curation.entity(store, i)
        if ent is not None:
            names.add(ent["name"])
            names.update(ent.get("aliases") or ())
    return ActorRef(ref, frozenset(ids), frozenset(keys), frozenset(names))


def _closest(value: str, valid: Sequence[str]) -> str | None:
    folded = {v.casefold(): v for v in valid}
    hit = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.5)
    return folded[hit[0]] if hit else None


def unknown(what: str, value: str, valid: Sequence[str], shown: int = 12) -> FilterError:
    """An error naming a value the store does not hold, the closest valid one, and the valid
    ones (at most ``shown`` of them)."""
    near = _closest(value, valid)
    listed = ", ".join(valid[:shown]) + (
        f" (+{len(valid) - shown} more)" if len(valid) > shown else ""
    )
    hint = f"; did you mean {near}?" if near else ""
    held = f" (valid: {listed})" if valid else " (the store holds none yet)"
    return FilterError(f"unknown {what} {value!r}{hint}{held}")


def check_country(store: Store, value: str) -> str:
    """An ISO code the store's entities carry, from a code in any case or a country's name,
    alias or acronym ("Russia", "PRC"); else a FilterError."""
    up = value.strip().upper()
    # One indexed look-up for a code the store holds (every request with a pair asks).
    if re.fullmatch(r"[A-Z]{2}", up) and fstore.has_country(store, up):
        return up
    held = fstore.held_countries(store)
    # A store that holds no country yet has nothing to compare a code with.
    if not held and re.fullmatch(r"[A-Z]{2}", up):
        return up
    if len(up) > 2:
        ref = resolve_actor(store, value)
        codes = {
            str(e["country"]).upper()
            for i in sorted(ref.ids)
            if (e := curation.entity(store, i)) is not None
            and e.get("type") == "COUNTRY"
            and e.get("country")
        }
        if len(codes) == 1:
            return codes.pop()
    raise unknown("country", value, held)


def check_pair(store: Store, pair: str | None) -> tuple[str, str] | None:
    """Two ISO codes the store holds ("cn-ru", "CN/RU" and "China-Russia" too), else a
    FilterError."""
    if pair is None or not pair.strip():
        return None
    m = _PAIR.match(pair)
    if m:
        a, b = m.group(1), m.group(2)
    else:
        parts = re.split(r"\s*[-–/,:]\s*", pair.strip())
        if len(parts) != 2 or not all(parts):
            raise FilterError(f"a pair is two countries like CN-RU, got {pair!r}")
        a, b = parts
    ca, cb = check_country(store, a), check_country(store, b)
    if ca == cb:
        raise FilterError(f"a pair names two different countries, got {pair!r}")
    return ca, cb


def check_types(types: Sequence[str]) -> tuple[str, ...]:
    """Event types of the taxonomy (any case), else a FilterError."""
    out = []
    for t in types:
        low = t.strip().lower().replace(" ", "_").replace("-", "_")
        if low not in EVENT_TYPES:
            raise unknown("event type", t, EVENT_TYPES, shown=len(EVENT_TYPES))
        out.append(low)
    return tuple(dict.fromkeys(out))


def check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    """Event statuses (done, planned, negated), else a FilterError."""
    out = []
    for st in statuses:
        low = st.strip().lower()
        if low not in EVENT_STATUSES:
            raise unknown("event status", st, EVENT_STATUSES)
        out.append(low)
    return tuple(dict.fromkeys(out))


def sector_matches(sector: str | None, wanted: str) -> bool:
    """Whether a sector is ``wanted`` or one of its subsectors ("energy" keeps "energy.gas")."""
    if not sector:
        return False
    w = wanted.rstrip(".").casefold()
    s = sector.casefold()
    return s == w or s.startswith(w + ".")


def check_sectors(store: Store, sectors: Sequence[str]) -> tuple[str, ...]:
    """Sectors the store's events hold, themselves or through a subsector, else a
    FilterError."""
    if not sectors:
        return ()
    out = []
    for sec in sectors:
        low = sec.strip().rstrip(".").lower()
        if not estore.has_sector(store, low):
            held = sorted(estore.sectors(store))
            tops = sorted(
                {".".join(h.split(".")[: i + 1]) for h in held for i in range(h.count(".") + 1)}
            )
            raise unknown("sector", sec, tops)
        out.append(low)
    return tuple(dict.fromkeys(out))


def check_measure(store: Store, measure: str | None) -> str | None:
    """A figure measure the store holds (any case), else a FilterError."""
    if measure is None or not measure.strip():
        return None
    low = measure.strip().lower()
    if not fstore.has_measure(store, low):
        raise unknown("measure", measure, sorted(fstore.measures(store)))
    return low


@dataclass(frozen=True, slots=True)
class Resolved:
    """A scope checked against the store: actors resolved, countries as ISO codes (the pair's
    included), types, sectors and statuses normalised, the window as ISO dates."""

    scope: Scope
    actors: tuple[ActorRef, ...] = ()
    pair: tuple[str, str] | None = None
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def all_countries(self) -> tuple[str, ...]:
        """The countries that must all take part: the pair's and the others."""
        return tuple(dict.fromkeys([*(self.pair or ()), *self.countries]))

    @property
    def names_nothing(self) -> bool:
        """Whether an actor names nothing at all (punctuation, a bare suffix)."""
        return any(not name_key(a.text) for a in self.actors)

    def event_filter(self, **extra: Any) -> estore.EventFilter:
        """The store's event conditions for this scope."""
        values: dict[str, Any] = {
            "actors": tuple((a.keys, a.names) for a in self.actors),
            "countries": self.all_countries,
            "types": self.types or None,
            "sectors": self.sectors,
            "statuses": self.statuses,
            "since": self.since,
            "until": self.until,
        }
        return estore.EventFilter(**{**values, **extra})


def resolve(store: Store, scope: Scope, *, now: datetime | None = None) -> Resolved:
    """Check a scope against the store and resolve its names (one FilterError at the first
    value the store does not hold)."""
    return Resolved(
        scope=scope,
        actors=tuple(resolve_actor(store, a) for a in scope.actors),
        pair=check_pair(store, scope.pair),
        countries=tuple(dict.fromkeys(check_country(store, c) for c in scope.countries)),
        types=check_types(scope.types),
        sectors=check_sectors(store, scope.sectors),
        statuses=check_statuses(scope.statuses),
        since=parse_since(scope.since, now),
        until=parse_until(scope.until),
    )
