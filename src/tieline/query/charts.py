"""Charts drawn with matplotlib (Agg, no display): a measure's actuals against its targets, and
events per year by sector (or by type)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tieline.errors import ConfigError, MissingExtraError, NotFoundError
from tieline.query import scope
from tieline.store import reads
from tieline.store.db import Store

FORMATS = ("png", "svg", "pdf")
STATUS_STYLE = {
    "actual": ("o-", "actual"),
    "target": ("s--", "target"),
    "forecast": ("^:", "forecast"),
}


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One value of a measure for one period, with the figures it comes from."""

    period: str
    status: str
    value: float
    unit: str
    figure_ids: tuple[str, ...]
    doc_ids: tuple[str, ...]
    period_start: str | None = None


@dataclass(frozen=True, slots=True)
class ChartResult:
    """A chart written to ``path``, with the data it draws (series name -> (x, y) points)."""

    path: Path
    format: str
    series: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    points: int = 0


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as e:
        raise MissingExtraError("query", "charts") from e
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ConfigError(f"{out}: chart files end in .{', .'.join(FORMATS)}")
    return fmt


def measure_series(store: Store, measure: str, pair: str | None = None) -> list[SeriesPoint]:
    """Actuals, targets and forecasts of one measure by period (the median of the reports).

    The series comes from ``tieline.query.figures.series`` (one unit, pair-aware).
    """
    from tieline.query.figures import STATUSES, measures, series

    found = series(store, measure, pair)
    if not found.points and not found.without_period:
        known = sorted(m for m in measures(store) if m)
        if measure not in known:
            raise NotFoundError(
                f"no figures for measure {measure!r}; stored measures: "
                f"{', '.join(known) or '(none yet: ingest some articles)'}"
            )
    out = []
    for p in found.points:
        for status in STATUSES:
            figs = getattr(p, status)
            value = p.value(status)
            if not figs or value is None:
                continue
            out.append(
                SeriesPoint(
                    p.period,
                    status,
                    float(value),
                    found.unit or "",
                    tuple(c.figure.id for c in figs),
                    tuple(dict.fromkeys(c.doc_id for c in figs)),
                    p.period_start,
                )
            )
    return out


def _x(point: SeriesPoint) -> float:
    """A period on the time axis: its start as a fractional year."""
    start = point.period_start or point.period
    try:
        year = int(start[:4])
    except ValueError:
        return float("nan")
    month = int(start[5:7]) if len(start) >= 7 and start[5:7].isdigit() else 1
    return year + (month - 1) / 12


def chart_measure(store: Store, measure: str, out: Path, pair: str | None = None) -> ChartResult:
    """Draw a measure's actuals against its targets (and forecasts) over time into ``out``."""
    fmt = _format(out)
    points = measure_series(store, measure, pair)
    plt = _pyplot()
    series: dict[str, list[tuple[str, float]]] = {}
    xs: dict[str, list[float]] = {}
    for p in points:
        series.setdefault(p.status, []).append((p.period, p.value))
        xs.setdefault(p.status, []).append(_x(p))
    unit = Counter(p.unit for p in points).most_common(1)[0][0] if points else ""
    scale, label = _scale(unit, [p.value for p in points])
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        for status, pts in sorted(series.items()):
            style, name = STATUS_STYLE.get(status, ("x-", status))
            ax.plot(xs[status], [y / scale for _, y in pts], style, label=name)
        ax.set_title(f"{measure}" + (f" ({pair.upper()})" if pair else ""))
        ax.set_xlabel("year")
        ax.set_ylabel(label)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        if series:
            ax.legend()
        else:
            ax.text(0.5, 0.5, "no figures for this pair", ha="center", transform=ax.transAxes)
        fig.tight_layout()
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format=fmt, metadata=_metadata(fmt))
    finally:
        plt.close(fig)
    return ChartResult(out, fmt, series, len(points))


def _scale(unit: str, values: list[float]) -> tuple[float, str]:
    top = max((abs(v) for v in values), default=0.0)
    if unit == "USD":
        for div, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            if top >= div:
                return div, f"US$ {word}"
        return 1.0, "US$"
    if unit == "t" and top >= 1e6:
        return 1e6, "million tonnes"
    return 1.0, {"t": "tonnes", "percent": "%", "count": "count"}.get(unit, unit)


def _metadata(fmt: str) -> dict[str, Any]:
    # Fixed metadata keeps chart files byte-stable between runs (no creation date).
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return {}


def events_by_year(
    store: Store, by: str = "sector", pair: str | None = None
) -> dict[str, Counter[str]]:
    """Event counts per year, split by sector or type (undated events use the article's date)."""
    if by not in ("sector", "type"):
        raise ConfigError(f"--by wants sector or type, got {by!r}")
    the_pair = scope.parse_pair(pair)
    keys = scope.canonical(store)
    published = {d["id"]: d["published"] for d in reads.documents(store, with_text=False)}
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for ev in reads.events(store):
        if the_pair and not scope.touches_pair(
            scope.countries_of(scope.event_actors(ev, keys)), the_pair
        ):
            continue
        when = ev["date"] or published.get(ev["doc_id"])
        if not when:
            continue
        table[ev[by] or "other"][when[:4]] += 1
    return dict(sorted(table.items()))


def chart_events(
    store: Store, out: Path, by: str = "sector", pair: str | None = None
) -> ChartResult:
    """Draw events per year as bars stacked by sector (or type) into ``out``."""
    fmt = _format(out)
    table = events_by_year(store, by, pair)
    plt = _pyplot()
    years = sorted({y for c in table.values() for y in c})
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        bottom = [0] * len(years)
        for group, counts in table.items():
            heights = [counts.get(y, 0) for y in years]
            ax.bar(years, heights, bottom=bottom, label=group)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_title(f"events per year by {by}" + (f" ({pair.upper()})" if pair else ""))
        ax.set_xlabel("year")
        ax.set_ylabel("events")
        ax.yaxis.get_major_locator().set_params(integer=True)
        if table:
            ax.legend(fontsize="small")
        else:
            ax.text(0.5, 0.5, "no dated events", ha="center", transform=ax.transAxes)
        fig.tight_layout()
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format=fmt, metadata=_metadata(fmt))
    finally:
        plt.close(fig)
    series = {g: [(y, float(c.get(y, 0))) for y in years] for g, c in table.items()}
    return ChartResult(out, fmt, series, sum(sum(c.values()) for c in table.values()))
