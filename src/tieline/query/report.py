"""The briefing: key actors, events by sector on a timeline, figures with targets against
actuals, and contradictions between sources. Every line carries its citation (the document and
the quote it rests on); a line without one is never written.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tieline.errors import ConfigError
from tieline.query import scope
from tieline.store import reads
from tieline.store.db import Store

MAX_ACTORS = 12
MAX_EVENTS_PER_SECTOR = 25
# Two actual values of one measure and period differing by more than this share disagree
# (half a per cent, so that rounding alone is no contradiction).
CONTRADICTION_TOLERANCE = 0.005


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a line comes from: the document and the exact quote."""

    doc_id: str
    doc_name: str
    quote: str
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One claim of the briefing with the citations it rests on (at least one)."""

    text: str
    citations: tuple[Citation, ...]

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError(f"briefing line without a citation: {self.text!r}")


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the briefing; ``note`` says why it is empty, when it is."""

    title: str
    lines: tuple[Line, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A briefing on a pair of states (or everything) since a date."""

    title: str
    pair: str | None
    since: str | None
    generated: str
    sections: tuple[Section, ...] = field(default=())


_SCALE_WORDS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_UNIT_WORDS = {"t": "tonnes", "m3": "cubic metres", "bbl/d": "barrels a day"}


def _scaled(value: float) -> str:
    for div, word in _SCALE_WORDS:
        if abs(value) >= div:
            return f"{value / div:,.4g} {word}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _fmt_value(value: float, unit: str, currency: str | None = None) -> str:
    """A value for people: US$107 billion, CNY 1.2 billion, 21 million tonnes, 29.3%."""
    code = currency or (unit if len(unit) == 3 and unit.isupper() else None)
    if code:
        return ("US$" if code == "USD" else f"{code} ") + _scaled(value)
    if unit == "percent":
        return f"{value:g}%"
    if unit == "count":
        return _scaled(value)
    return f"{_scaled(value)} {_UNIT_WORDS.get(unit, unit)}"


def build_report(store: Store, pair: str | None = None, since: str | None = None) -> Report:
    """Gather the briefing's sections from the store."""
    the_pair = scope.parse_pair(pair)
    since = scope.parse_since(since)
    keys = scope.canonical(store)
    by_name = scope.actors_by_name(keys)
    docs = {d["id"]: d for d in reads.documents(store, with_text=False)}

    def cite(doc_id: str, quote: str) -> Citation:
        d = docs.get(doc_id, {})
        return Citation(
            doc_id, d.get("name", doc_id), " ".join(quote.split()), d.get("url"), d.get("title")
        )

    events = []
    for ev in reads.events(store):
        when = ev["date"] or docs.get(ev["doc_id"], {}).get("published")
        actors = scope.event_actors(ev, keys)
        if not scope.in_window(when, since) or not scope.touches_pair(
            scope.countries_of(actors), the_pair
        ):
            continue
        events.append((when, ev, actors))
    events.sort(key=lambda x: (x[0] or "9999", x[1]["id"]))

    # Key actors: most events, each cited by its latest event.
    counts: Counter[str] = Counter()
    latest: dict[str, tuple[str | None, dict[str, Any]]] = {}
    names: dict[str, scope.Actor] = {}
    for when, ev, actors in events:
        for a in actors:
            counts[a.id] += 1
            names[a.id] = a
            latest[a.id] = (when, ev)
    actor_lines = []
    for aid, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].name))[:MAX_ACTORS]:
        a = names[aid]
        when, ev = latest[aid]
        kinds = Counter(e["type"] for _, e, acts in events if any(x.id == aid for x in acts))
        what = ", ".join(f"{k} {v}" for k, v in kinds.most_common())
        who = f"{a.name} ({a.type.lower()}{', ' + a.country if a.country else ''})"
        actor_lines.append(
            Line(
                f"{who}: {n} event{'s' if n != 1 else ''} ({what}); latest {when or 'undated'}",
                (cite(ev["doc_id"], ev["evidence"]),),
            )
        )

    # Events by sector, in date order.
    by_sector: dict[str, list[Line]] = defaultdict(list)
    for when, ev, actors in events:
        sector = ev["sector"] or "other"
        if len(by_sector[sector]) >= MAX_EVENTS_PER_SECTOR:
            continue
        status = " (planned)" if ev["status"] == "planned" else ""
        who = ", ".join(a.name for a in actors) or "unnamed actors"
        by_sector[sector].append(
            Line(
                f"{when or 'undated'} · {ev['type']}{status} · {who}",
                (cite(ev["doc_id"], ev["evidence"]),),
            )
        )

    # Figures in scope, by measure: targets against actuals.
    figs = []
    for f in reads.figures(store):
        when = f["period_start"] or docs.get(f["doc_id"], {}).get("published")
        if the_pair and not scope.touches_pair(scope.figure_countries(f, by_name), the_pair):
            continue
        if since and not scope.in_window(f["period_end"] or when, since):
            continue
        figs.append(f)
    figure_lines, contradiction_lines = _figure_lines(figs, cite)
    contradiction_lines += _figure_conflicts(store, pair, since, cite)
    contradiction_lines += _event_date_conflicts(events, cite)

    sections = (
        Section("Key actors", tuple(actor_lines), None if actor_lines else "No events in scope."),
        *(
            Section(f"Events: {sector}", tuple(lines))
            for sector, lines in sorted(by_sector.items())
        ),
        Section(
            "Figures: targets against actuals",
            tuple(figure_lines),
            None if figure_lines else "No figures in scope.",
        ),
        Section(
            "Contradictions between sources",
            tuple(contradiction_lines),
            None if contradiction_lines else "No disagreements found between sources.",
        ),
    )
    if not by_sector:
        sections = (sections[0], Section("Events", (), "No events in scope."), *sections[1:])
    label = f"{the_pair[0]}–{the_pair[1]}" if the_pair else "all pairs"
    title = f"Briefing: {label} cooperation" + (f" since {since[:10]}" if since else "")
    return Report(title, pair, since, datetime.now(UTC).isoformat(timespec="seconds"), sections)


def _figure_lines(figs: list[dict[str, Any]], cite: Any) -> tuple[list[Line], list[Line]]:
    lines: list[Line] = []
    conflicts: list[Line] = []  # figure conflicts come from query.figures.contradictions
    by_measure: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in figs:
        by_measure[f["measure"] or f"unlabelled ({f['unit']})"].append(f)
    for measure, fs in sorted(by_measure.items()):
        fs.sort(key=lambda f: (f["period_start"] or "", f["status"], f["value"]))
        for f in fs:
            period = f["period"] or (f["period_start"] or "")[:4] or "undated"
            lines.append(
                Line(
                    f"{measure} {period} ({f['status']}): "
                    f"{_fmt_value(f['value'], f['unit'], f['currency'])}",
                    (cite(f["doc_id"], f["evidence"]),),
                )
            )
        actuals = [f for f in fs if f["status"] == "actual" and f["period_start"]]
        targets = [f for f in fs if f["status"] == "target" and f["period_start"]]
        if actuals and targets:
            last = max(actuals, key=lambda f: (f["period_start"], f["value"]))
            goal = min(
                (t for t in targets if t["period_start"] >= last["period_start"]),
                key=lambda t: t["period_start"],
                default=None,
            )
            if goal and goal["unit"] == last["unit"] and goal["value"]:
                share = 100 * last["value"] / goal["value"]
                lines.append(
                    Line(
                        f"{measure}: latest actual "
                        f"{_fmt_value(last['value'], last['unit'], last['currency'])} "
                        f"({(last['period'] or last['period_start'][:4])}) is {share:.0f}% of the "
                        f"target {_fmt_value(goal['value'], goal['unit'], goal['currency'])} for "
                        f"{goal['period'] or goal['period_start'][:4]}",
                        (
                            cite(last["doc_id"], last["evidence"]),
                            cite(goal["doc_id"], goal["evidence"]),
                        ),
                    )
                )
    return lines, conflicts


def _figure_conflicts(store: Store, pair: str | None, since: str | None, cite: Any) -> list[Line]:
    """Figures of one measure, pair, period and status on which sources disagree."""
    from tieline.query.figures import contradictions

    out = []
    for c in contradictions(store, pair=pair, tolerance=CONTRADICTION_TOLERANCE):
        figs = sorted(c.figures, key=lambda x: x.figure.value)
        lo, hi = figs[0], figs[-1]
        if since and not scope.in_window(lo.figure.period_end or lo.figure.period_start, since):
            continue
        unit = lo.figure.unit
        out.append(
            Line(
                f"{c.measure} {c.period} ({c.pair}, {c.status}): {c.sources} sources disagree, "
                f"{_fmt_value(lo.figure.value, unit, lo.figure.currency)} against "
                f"{_fmt_value(hi.figure.value, unit, hi.figure.currency)}",
                tuple(cite(x.doc_id, x.figure.evidence) for x in (lo, hi)),
            )
        )
    return out


def _event_date_conflicts(
    events: list[tuple[str | None, dict[str, Any], Any]], cite: Any
) -> list[Line]:
    """Reports of one event (same cluster) from different documents giving different dates."""
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, ev, _ in events:
        if ev["cluster_id"] and ev["date"]:
            clusters[ev["cluster_id"]].append(ev)
    out = []
    for _, evs in sorted(clusters.items()):
        dated: dict[str, dict[str, Any]] = {}
        for ev in evs:
            dated.setdefault(ev["date"], ev)
        if len(dated) > 1 and len({e["doc_id"] for e in dated.values()}) > 1:
            ds = sorted(dated)
            out.append(
                Line(
                    f"{evs[0]['type']}: reports give different dates ({', '.join(ds)})",
                    tuple(cite(dated[d]["doc_id"], dated[d]["evidence"]) for d in ds),
                )
            )
    return out


# ----------------------------------------------------------------- rendering
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_cite(c: Citation) -> str:
    src = _md(c.doc_name)
    if c.url and c.url.startswith(("http://", "https://")):
        src = f"[{src}]({c.url.replace(')', '%29').replace(' ', '%20')})"
    return f"{src}: “{_md(c.quote)}”"


def render_markdown(report: Report) -> str:
    """The briefing as Markdown; each claim is one bullet ending in its citations."""
    out = [f"# {_md(report.title)}", "", f"_Generated {report.generated} by tieline._", ""]
    for sec in report.sections:
        out += [f"## {_md(sec.title)}", ""]
        if sec.note:
            out += [f"_{_md(sec.note)}_", ""]
        for line in sec.lines:
            cites = "; ".join(_md_cite(c) for c in line.citations)
            out.append(f"- {_md(line.text)} — source: {cites}")
        if sec.lines:
            out.append("")
    return "\n".join(out)


def _html_cite(c: Citation) -> str:
    name = html.escape(c.doc_name)
    if c.url and c.url.startswith(("http://", "https://")):
        name = f'<a href="{html.escape(c.url, quote=True)}">{name}</a>'
    return (
        f'<span class="cite" data-doc="{html.escape(c.doc_id, quote=True)}">{name}: '
        f"<q>{html.escape(c.quote)}</q></span>"
    )


def render_html(report: Report) -> str:
    """The briefing as one self-contained, escaped HTML page."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(report.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "line-height:1.45}li{margin:.4rem 0}.cite{color:#555;font-size:.9em}"
        "q{font-style:italic}</style>",
        "</head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        f"<p><em>Generated {html.escape(report.generated)} by tieline.</em></p>",
    ]
    for sec in report.sections:
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        if sec.note:
            parts.append(f'<p class="note"><em>{html.escape(sec.note)}</em></p>')
        if sec.lines:
            parts.append("<ul>")
            for line in sec.lines:
                cites = "; ".join(_html_cite(c) for c in line.citations)
                parts.append(f'<li class="claim">{html.escape(line.text)} — source: {cites}</li>')
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(report: Report, out: Path) -> Path:
    """Write the briefing as Markdown (.md) or HTML (.html/.htm) by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix in (".md", ".markdown"):
        body = render_markdown(report)
    elif suffix in (".html", ".htm"):
        body = render_html(report)
    else:
        raise ConfigError(f"{out}: a briefing is written as .md or .html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    """The briefing as JSON-ready data."""
    return {
        "title": report.title,
        "pair": report.pair,
        "since": report.since,
        "generated": report.generated,
        "sections": [
            {
                "title": s.title,
                "note": s.note,
                "lines": [
                    {
                        "text": ln.text,
                        "citations": [
                            {
                                "doc_id": c.doc_id,
                                "doc_name": c.doc_name,
                                "quote": c.quote,
                                "url": c.url,
                            }
                            for c in ln.citations
                        ],
                    }
                    for ln in s.lines
                ],
            }
            for s in report.sections
        ],
    }
