"""Figures across documents: lists with citations, a measure's series with actuals beside
targets, contradictions between sources, and targets tied to the actuals of their period.

All of it is computed from the store at query time, so it is deterministic and always agrees
with what is stored.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tieline.query import scope
from tieline.records import Figure
from tieline.store import figures as fstore
from tieline.store.db import Store

STATUSES = ("actual", "target", "forecast")


def check_status(status: str | None) -> str | None:
    """A figure status (actual, target, forecast; any case), else a FilterError."""
    if status is None or not status.strip():
        return None
    low = status.strip().lower()
    if low not in STATUSES:
        raise scope.unknown("figure status", status, STATUSES)
    return low


@dataclass(frozen=True, slots=True)
class CitedFigure:
    """A stored figure with the document and quote it comes from."""

    figure: Figure
    doc_id: str
    doc_name: str
    doc_title: str | None = None
    published: str | None = None
    countries: tuple[str, ...] = ()
    source_id: str = ""  # the document, or the earlier copy it nearly duplicates

    @property
    def pair(self) -> str | None:
        """``CN-RU`` when the figure's actors stand for exactly two states."""
        return "-".join(self.countries) if len(self.countries) == 2 else None

    @property
    def citation(self) -> str:
        """The document and the quote, as every line shows them."""
        return f'{self.doc_name}: "{self.figure.evidence}"'

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the figure's fields, its countries and its citation."""
        f = self.figure
        return {
            "id": f.id,
            "measure": f.measure,
            "value": f.value,
            "unit": f.unit,
            "currency": f.currency,
            "period": f.period,
            "period_start": f.period_start,
            "period_end": f.period_end,
            "status": f.status,
            "actors": list(f.actors),
            "countries": list(self.countries),
            "text": f.text,
            "evidence": f.evidence,
            "span": [f.start, f.end],
            "start": f.start,
            "end": f.end,
            "sentence_start": f.sentence_start,
            "sentence_end": f.sentence_end,
            "doc_id": self.doc_id,
            "doc": self.doc_name,
            "title": self.doc_title,
            "doc_title": self.doc_title or self.doc_name,
            "published": self.published,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One period of a measure: its actuals beside its targets and forecasts."""

    period: str
    period_start: str | None
    period_end: str | None
    actual: tuple[CitedFigure, ...] = ()
    target: tuple[CitedFigure, ...] = ()
    forecast: tuple[CitedFigure, ...] = ()

    def value(self, status: str) -> float | None:
        """The median of the reports of one status, or None when there are none."""
        figs: tuple[CitedFigure, ...] = getattr(self, status)
        return statistics.median(c.figure.value for c in figs) if figs else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "period_start": self.period_start,
            "period_end": self.period_end,
            **{st: self.value(st) for st in STATUSES},
            "figures": {st: [c.to_dict() for c in getattr(self, st)] for st in STATUSES},
        }


@dataclass(frozen=True, slots=True)
class Series:
    """One measure over time, in one unit, for one pair (or all)."""

    measure: str
    pair: str | None
    unit: str | None
    points: tuple[SeriesPoint, ...] = ()
    without_period: tuple[CitedFigure, ...] = ()  # no period, or a yearly rate of no year
    other_units: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "pair": self.pair,
            "unit": self.unit,
            "points": [p.to_dict() for p in self.points],
            "without_period": [c.to_dict() for c in self.without_period],
            "other_units": list(self.other_units),
        }


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Sources that disagree on one measure, pair, period and status."""

    measure: str
    pair: str
    period: str
    status: str
    unit: str
    low: float
    high: float
    figures: tuple[CitedFigure, ...] = field(default=())

    @property
    def sources(self) -> int:
        return len({c.source_id for c in self.figures})

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "pair": self.pair,
            "period": self.period,
            "status": self.status,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "sources": self.sources,
            "figures": [c.to_dict() for c in self.figures],
        }


@dataclass(frozen=True, slots=True)
class TargetLink:
    """A target with the actuals reported for its period; met is None without one."""

    target: CitedFigure
    actuals: tuple[CitedFigure, ...] = ()

    @property
    def met(self) -> bool | None:
        if not self.actuals:
            return None
        return max(c.figure.value for c in self.actuals) >= self.target.figure.value * 0.995

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.to_dict(),
            "actuals": [c.to_dict() for c in self.actuals],
            "met": self.met,
        }


# ------------------------------------------------------------------------------ reading


def _figure(r: dict[str, Any]) -> Figure:
    return Figure(
        id=r["id"],
        measure=r["measure"],
        value=float(r["value"]),
        unit=r["unit"],
        start=r["span_start"],
        end=r["span_end"],
        text=r["text"],
        evidence=r["evidence"],
        currency=r["currency"],
        period=r["period"],
        period_start=r["period_start"],
        period_end=r["period_end"],
        status=r["status"],
        actors=tuple(r["actors"]),
        sentence_start=r["sentence_start"],
        sentence_end=r["sentence_end"],
        cluster_id=r["cluster_id"],
    )


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _countries(store: Store, rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The countries of each figure's actors, read for these figures only: the country of a
    canonical entity so named, and of an entity so named in the figure's own document (names
    compared case-blind)."""
    per_doc = fstore.doc_entity_countries(store, {r["doc_id"] for r in rows})
    names = {n for r in rows for n in r["actors"]}
    # SQLite lowers only ASCII letters, PostgreSQL every letter: ask for both forms.
    lowered = {v for n in names for v in (n.lower(), n.translate(_ASCII_LOWER))}
    by_name: dict[str, set[str]] = defaultdict(set)
    for name, country in fstore.canonical_countries(store, lowered):
        by_name[name.casefold()].add(country.upper())
    doc_names: dict[str, dict[str, set[str]]] = {}
    out = []
    for r in rows:
        in_doc = doc_names.get(r["doc_id"])
        if in_doc is None:
            in_doc = defaultdict(set)
            for name, country in per_doc.get(r["doc_id"], ()):
                in_doc[name.casefold()].add(country.upper())
            doc_names[r["doc_id"]] = in_doc
        countries: set[str] = set()
        for name in r["actors"]:
            key = name.casefold()
            countries |= by_name.get(key, set())
            countries |= in_doc.get(key, set())
        out.append(tuple(sorted(countries)))
    return out


def _cite(r: dict[str, Any], countries: tuple[str, ...]) -> CitedFigure:
    return CitedFigure(
        figure=_figure(r),
        doc_id=r["doc_id"],
        doc_name=r["doc_name"],
        doc_title=r["doc_title"],
        published=r["doc_published"],
        countries=countries,
        source_id=r.get("doc_near_duplicate_of") or r["doc_id"],
    )


def list_figures(
    store: Store,
    *,
    measure: str | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    with_countries: bool = True,
) -> list[CitedFigure]:
    """Stored figures with citations, filtered by measure, pair (``CN-RU``), period, status and
    unit, oldest period first; ``limit``/``offset`` read one page of them in the store.

    A figure is of the pair when both states are among its countries: those of a canonical
    entity named like one of its actors, or of an entity so named in its own document.
    ``with_countries=False`` leaves the countries empty (the pair still filters).
    """
    rows = fstore.figure_rows(
        store,
        measure=scope.check_measure(store, measure),
        status=check_status(status),
        unit=unit,
        since=scope.parse_since(since),
        until=scope.parse_until(until),
        pair=scope.check_pair(store, pair),
        limit=limit,
        offset=offset,
    )
    countries = _countries(store, rows) if with_countries else [()] * len(rows)
    return [_cite(r, c) for r, c in zip(rows, countries, strict=True)]


def count_figures(
    store: Store,
    *,
    measure: str | None = None,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
    unit: str | None = None,
) -> int:
    """How many figures ``list_figures`` returns with these filters, counted in the store."""
    return fstore.count_figures(
        store,
        measure=scope.check_measure(store, measure),
        status=check_status(status),
        unit=unit,
        since=scope.parse_since(since),
        until=scope.parse_until(until),
        pair=scope.check_pair(store, pair),
    )


def _pair_key(c: CitedFigure, pair: tuple[str, str] | None) -> str | None:
    if pair is not None:
        return "-".join(sorted(pair))
    return c.pair


def series(
    store: Store,
    measure: str,
    pair: str | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    with_countries: bool = True,
) -> Series:
    """One measure over time in its most reported unit, with actuals beside targets.

    ``with_countries=False`` leaves each figure's countries empty, for a chart that does not
    show them (reading them is most of the cost of a busy measure).
    """
    figs = list_figures(
        store, measure=measure, pair=pair, since=since, until=until, with_countries=with_countries
    )
    units = Counter(c.figure.unit for c in figs)
    unit = units.most_common(1)[0][0] if units else None
    groups: dict[str, list[CitedFigure]] = defaultdict(list)
    loose: list[CitedFigure] = []
    for c in figs:
        if c.figure.unit != unit:
            continue
        if c.figure.period is None or c.figure.period_start is None:
            loose.append(c)
            continue
        groups[c.figure.period].append(c)
    points = []
    for period, cs in groups.items():
        first = cs[0].figure
        points.append(
            SeriesPoint(
                period=period,
                period_start=first.period_start,
                period_end=first.period_end,
                **{st: tuple(c for c in cs if c.figure.status == st) for st in STATUSES},
            )
        )
    points.sort(key=lambda p: (p.period_start or "", p.period_end or "", p.period))
    the_pair = scope.parse_pair(pair)
    return Series(
        measure=measure,
        pair="-".join(the_pair) if the_pair else None,
        unit=unit,
        points=tuple(points),
        without_period=tuple(loose),
        other_units=tuple(sorted(u for u in units if u != unit)),
    )


def contradictions(
    store: Store, *, measure: str | None = None, pair: str | None = None, tolerance: float = 0.01
) -> list[Contradiction]:
    """Figures of one measure, pair, period and status whose sources disagree.

    Values within ``tolerance`` (relative) agree; copies of one article count as one source.
    """
    the_pair = scope.parse_pair(pair)
    groups: dict[tuple[str, str, str, str, str], list[CitedFigure]] = defaultdict(list)
    for c in list_figures(store, measure=measure, pair=pair):
        f = c.figure
        key = _pair_key(c, the_pair)
        if f.measure is None or f.period is None or f.period == "annual" or key is None:
            continue  # without a fixed period two numbers need not disagree
        groups[(f.measure, key, f.period, f.status, f.unit)].append(c)
    out = []
    for (m, key, period, status, unit), cs in sorted(groups.items()):
        if len({c.source_id for c in cs}) < 2:
            continue
        values = [c.figure.value for c in cs]
        low, high = min(values), max(values)
        if high - low > tolerance * max(abs(high), abs(low), 1e-9):
            out.append(Contradiction(m, key, period, status, unit, low, high, tuple(cs)))
    return out


def targets_with_actuals(
    store: Store, *, measure: str | None = None, pair: str | None = None
) -> list[TargetLink]:
    """Every target with a period, tied to the actuals reported for that same period."""
    the_pair = scope.parse_pair(pair)
    figs = list_figures(store, measure=measure, pair=pair)
    actuals: dict[tuple[str | None, ...], list[CitedFigure]] = defaultdict(list)
    for c in figs:
        if c.figure.status == "actual" and c.figure.period:
            f = c.figure
            actuals[(f.measure, _pair_key(c, the_pair), f.period, f.unit)].append(c)
    links = []
    for c in figs:
        f = c.figure
        if f.status != "target" or not f.period or f.period == "annual":
            continue
        key = (f.measure, _pair_key(c, the_pair), f.period, f.unit)
        links.append(TargetLink(c, tuple(actuals.get(key, ()))))
    return links


def measures(store: Store) -> dict[str, int]:
    """The stored measures with their number of figures."""
    return fstore.measures(store)
