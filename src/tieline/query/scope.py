"""What a question is about: a pair of states and a time window, applied to stored facts.

Shared by the network, charts, the briefing and the digest, so that ``--pair CN-RU --since
2019`` means the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tieline.errors import ConfigError
from tieline.store import reads
from tieline.store.db import Store

_PAIR = re.compile(r"^\s*([A-Za-z]{2})\s*[-–/,:]\s*([A-Za-z]{2})\s*$")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def parse_pair(pair: str | None) -> tuple[str, str] | None:
    """``CN-RU`` -> ("CN", "RU"); None stays None."""
    if pair is None or not pair.strip():
        return None
    m = _PAIR.match(pair)
    if not m:
        raise ConfigError(f"--pair wants two ISO country codes like CN-RU, got {pair!r}")
    a, b = m.group(1).upper(), m.group(2).upper()
    if a == b:
        raise ConfigError(f"--pair wants two different countries, got {pair!r}")
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
        raise ConfigError(
            f"--since wants a date (2019-06-05) or a span (24h, 7d, 2w), got {since!r}"
        )
    n, unit = int(m.group(1)), m.group(2).lower()
    hours = {"h": 1, "d": 24, "w": 24 * 7, "m": 24 * 30, "y": 24 * 365}[unit] * n
    moment = (now or datetime.now(UTC)) - timedelta(hours=hours)
    return moment.isoformat(timespec="seconds")


def in_window(date: str | None, since: str | None, until: str | None = None) -> bool:
    """Whether an ISO date (any precision) falls in [since, until]; undated fails a window."""
    if not since and not until:
        return True
    if not date:
        return False
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
