"""The briefing: key actors, events by sector on a timeline, figures with targets against
actuals, and contradictions between sources. Every line carries its citation (the document and
the quote it rests on); a line without one is never written.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote as quote_url

from tieline.errors import ConfigError
from tieline.query import scope
from tieline.store import reads
from tieline.store.db import Store

MAX_ACTORS = 12
MAX_EVENTS_PER_SECTOR = 25
# Two values of one measure, pair and period from different sources differing by more than this
# share are a contradiction; closer ones corroborate each other (rounding, "about").
CONTRADICTION_TOLERANCE = 0.05
# A quote shorter than this names something rather than reporting it.
MIN_QUOTE_WORDS = 5
NOTICE = "Extracted automatically: check the quotes."


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a line comes from: the document (title, outlet, date) and the exact quote."""

    doc_id: str
    doc_name: str
    quote: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None

    @property
    def label(self) -> str:
        """Title, outlet and date, as a reader names an article."""
        meta = ", ".join(x for x in (self.outlet, self.published or "undated") if x)
        return f"{self.title or self.doc_name} ({meta})"

    @property
    def link(self) -> str | None:
        """The web address of the quote (a text fragment), for documents read from the web."""
        if not self.url or not self.url.startswith(("http://", "https://")):
            return None
        words = self.quote.split()
        frag = quote_url(" ".join(words[:8]), safe="")
        return f"{self.url.split('#')[0]}#:~:text={frag}"


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
    header: tuple[str, ...] = ()


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


def _has(quote: str, text: str | None) -> bool:
    return bool(text) and " ".join(str(text).split()).casefold() in quote.casefold()


def quote_supports(ev: dict[str, Any], names: Iterable[str]) -> bool:
    """Whether an event's quote holds its trigger and one of its participants (by any of
    ``names``: the surface form or the canonical name): else it states nothing checkable."""
    quote = " ".join((ev.get("evidence") or "").split())
    if len(quote.split()) < MIN_QUOTE_WORDS:
        return False  # "Russia's state arms exporter" names, it does not report
    return _has(quote, ev.get("trigger")) and any(_has(quote, n) for n in names)


def _date_consistent(ev: dict[str, Any], published: str | None) -> bool:
    """A done event's own date is not after its article's publication."""
    date = ev.get("date")
    if not date or not published or ev.get("status") != "done" or not date[:1].isdigit():
        return True
    n = min(len(date), len(published))
    return bool(date[:n] <= published[:n])


def build_report(store: Store, pair: str | None = None, since: str | None = None) -> Report:
    """Gather the briefing's sections from the store.

    An event reported by several documents (one cluster) is one line citing every report; a
    report is cited only when its quote holds the trigger and a participant, and a line without
    such a report is left out. Figures are grouped by measure, pair, period and status: agreeing
    values are one line with all their sources, values more than ``CONTRADICTION_TOLERANCE``
    apart are a contradiction citing both. "met" and "missed" compare a target only with
    actuals of its measure, pair and period.
    """
    the_pair = scope.check_pair(store, pair)
    since = scope.parse_since(since)
    keys = scope.canonical(store)
    docs = {d["id"]: d for d in reads.documents(store, with_text=False)}

    def cite(doc_id: str, quote: str) -> Citation:
        d = docs.get(doc_id, {})
        return Citation(
            doc_id,
            d.get("name", doc_id),
            " ".join(quote.split()),
            d.get("url"),
            d.get("title"),
            d.get("source"),
            d.get("published"),
        )

    events = []
    for ev in reads.events(store):
        published = docs.get(ev["doc_id"], {}).get("published")
        when = ev["date"] or published
        actors = scope.event_actors(ev, keys)
        if not scope.in_window(when, since) or not scope.touches_pair(
            scope.countries_of(actors), the_pair
        ):
            continue
        names = [p["name"] for p in ev["participants"]] + [a.name for a in actors]
        if not quote_supports(ev, names) or not _date_consistent(ev, published):
            continue
        events.append((when, ev, actors))
    events.sort(key=lambda x: (x[0] or "9999", x[1]["id"]))

    # One line per real-world event: the reports of a cluster together.
    clusters: dict[str, list[tuple[str | None, dict[str, Any], list[scope.Actor]]]] = {}
    for item in events:
        clusters.setdefault(item[1]["cluster_id"] or item[1]["id"], []).append(item)

    # Key actors: most events, each cited by its latest dated event (undated ones never are).
    counts: Counter[str] = Counter()
    latest: dict[str, tuple[str, dict[str, Any]]] = {}
    names_by_id: dict[str, scope.Actor] = {}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for reports in clusters.values():
        seen: set[str] = set()
        for when, ev, actors in reports:
            for a in actors:
                names_by_id[a.id] = a
                if a.id not in seen:
                    seen.add(a.id)
                    counts[a.id] += 1
                    kinds[a.id][ev["type"]] += 1
                if when and (a.id not in latest or when >= latest[a.id][0]):
                    latest[a.id] = (when, ev)
    actor_lines: list[Line] = []
    for aid, n in sorted(counts.items(), key=lambda kv: (-kv[1], names_by_id[kv[0]].name)):
        if aid not in latest or len(actor_lines) >= MAX_ACTORS:
            continue
        a = names_by_id[aid]
        when, ev = latest[aid]
        what = ", ".join(f"{k} {v}" for k, v in kinds[aid].most_common())
        who = f"{a.name} ({a.type.lower()}{', ' + a.country if a.country else ''})"
        actor_lines.append(
            Line(
                f"{who}: {n} event{'s' if n != 1 else ''} ({what}); latest {when}",
                (cite(ev["doc_id"], ev["evidence"]),),
            )
        )

    # Events by sector, in date order, one line per cluster with all its sources.
    by_sector: dict[str, list[Line]] = defaultdict(list)
    ordered = sorted(
        clusters.values(), key=lambda rs: (_cluster_when(rs, docs)[0] or "9999", rs[0][1]["id"])
    )
    for reports in ordered:
        first = reports[0][1]
        sector = next((ev["sector"] for _, ev, _ in reports if ev["sector"]), None) or "other"
        if len(by_sector[sector]) >= MAX_EVENTS_PER_SECTOR:
            continue
        when, how = _cluster_when(reports, docs)
        status = " (planned)" if first["status"] == "planned" else ""
        who = ", ".join(dict.fromkeys(a.name for _, _, acts in reports for a in acts))
        # One report per source: a near-duplicate copy of an article is that article again.
        one_per_source = {
            docs.get(ev["doc_id"], {}).get("near_duplicate_of") or ev["doc_id"]: ev
            for _, ev, _ in reversed(reports)
        }
        n = len(one_per_source)
        sources = f" · {n} sources" if n > 1 else ""
        by_sector[sector].append(
            Line(
                f"{when or 'undated'}{how} · {first['type']}{status} · {who or 'unnamed'}{sources}",
                tuple(
                    cite(ev["doc_id"], ev["evidence"])
                    for ev in sorted(one_per_source.values(), key=lambda ev: ev["doc_id"])
                ),
            )
        )

    figure_lines, contradiction_lines = _figure_lines(store, pair, since, cite)
    contradiction_lines += _event_date_conflicts(events, cite)
    contradiction_lines += _cluster_value_conflicts(store, clusters, cite)

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
    cited = {c.doc_id for s in sections for ln in s.lines for c in ln.citations}
    header = _header(docs, cited, label, since)
    return Report(
        title, pair, since, datetime.now(UTC).isoformat(timespec="seconds"), sections, header
    )


def _cluster_when(
    reports: list[tuple[str | None, dict[str, Any], Any]], docs: dict[str, dict[str, Any]]
) -> tuple[str | None, str]:
    """A cluster's date: the most precise date its reports state, else its first report's
    publication date (marked), else None."""
    own = sorted(
        (ev["date"] for _, ev, _ in reports if ev["date"] and ev["date"][:1].isdigit()),
        key=lambda d: (-len(d), d),
    )
    if own:
        return own[0], ""
    pubs = sorted(p for _, ev, _ in reports if (p := docs.get(ev["doc_id"], {}).get("published")))
    return (pubs[0], " (reported)") if pubs else (None, "")


def _header(
    docs: dict[str, dict[str, Any]], cited: set[str], label: str, since: str | None
) -> tuple[str, ...]:
    """What the briefing covers: corpus, dates, pair, sources, and the notice."""
    dates = sorted(d["published"] for d in docs.values() if d.get("published"))
    outlets = {(d.get("source") or "").casefold() or d["id"] for i, d in docs.items() if i in cited}
    span = f"{dates[0]} to {dates[-1]}" if dates else "no publication dates"
    undated = sum(1 for d in docs.values() if not d.get("published"))
    return (
        f"Corpus: {len(docs)} documents, published {span}"
        + (f" ({undated} undated)" if undated else ""),
        f"Pair: {label}" + (f"; since {since[:10]}" if since else ""),
        f"Sources cited: {len(cited)} documents from {len(outlets)} outlets",
        NOTICE,
    )


def _figure_lines(
    store: Store, pair: str | None, since: str | None, cite: Any
) -> tuple[list[Line], list[Line]]:
    """Figures, one line per value with all its sources; targets met or missed against
    actuals of their measure, pair and period; values from different sources that disagree."""
    from tieline.query.figures import list_figures, targets_with_actuals

    figs = [
        c
        for c in list_figures(store, pair=pair)
        if _has(c.figure.evidence, c.figure.text)
        and (
            not since
            or scope.in_window(c.figure.period_end or c.figure.period_start or c.published, since)
        )
    ]
    groups: dict[tuple[str, str, str, str, str], list[Any]] = defaultdict(list)
    for c in figs:
        f = c.figure
        groups[
            (f.measure or f"unlabelled ({f.unit})", c.pair or "", f.period or "", f.status, f.unit)
        ].append(c)
    lines: list[Line] = []
    conflicts: list[Line] = []
    for (measure, fpair, period, status, _unit), cs in sorted(groups.items()):
        values: list[list[Any]] = []
        for c in sorted(cs, key=lambda c: (c.figure.value, c.doc_id)):
            if values and _close(values[-1][0].figure.value, c.figure.value):
                values[-1].append(c)
            else:
                values.append([c])
        where = f"{period or 'no period'}" + (f", {fpair}" if fpair else "")
        for vs in values:
            f = vs[0].figure
            per_doc = {c.doc_id: c for c in reversed(vs)}
            n = len({c.source_id or c.doc_id for c in vs})
            top = vs[-1].figure
            shown = _fmt_value(f.value, f.unit, f.currency) + (
                f" to {_fmt_value(top.value, top.unit, top.currency)}"
                if top.value != f.value
                else ""
            )
            lines.append(
                Line(
                    f"{measure} ({where}, {status}): {shown}"
                    + (f" · {n} sources" if n > 1 else ""),
                    tuple(cite(d, c.figure.evidence) for d, c in sorted(per_doc.items())),
                )
            )
        if period and len(values) > 1:
            lo, hi = values[0][0], values[-1][0]
            if (lo.source_id or lo.doc_id) != (hi.source_id or hi.doc_id):
                conflicts.append(
                    Line(
                        f"{measure} ({where}, {status}): sources disagree, {_figure_text(lo)}"
                        f" against {_figure_text(hi)}",
                        (cite(lo.doc_id, lo.figure.evidence), cite(hi.doc_id, hi.figure.evidence)),
                    )
                )
    for link in targets_with_actuals(store, pair=pair):
        if link.met is None or not link.target.pair:
            continue
        t = link.target
        if not _has(t.figure.evidence, t.figure.text):
            continue
        best = max(link.actuals, key=lambda c: c.figure.value)
        verdict = "met" if link.met else "missed"
        lines.append(
            Line(
                f"{t.figure.measure} ({t.figure.period}, {t.pair}): target "
                f"{_fmt_value(t.figure.value, t.figure.unit, t.figure.currency)} {verdict}, actual "
                f"{_fmt_value(best.figure.value, best.figure.unit, best.figure.currency)}",
                (cite(t.doc_id, t.figure.evidence), cite(best.doc_id, best.figure.evidence)),
            )
        )
    return lines, conflicts


def _figure_text(c: Any) -> str:
    return _fmt_value(c.figure.value, c.figure.unit, c.figure.currency)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= CONTRADICTION_TOLERANCE * max(abs(a), abs(b), 1e-9)


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
        # "2019" and "2019-12-02" agree: a contradiction needs dates that differ at their
        # common precision.
        ds = sorted(dated)
        apart = any(x[: min(len(x), len(y))] != y[: min(len(x), len(y))] for x in ds for y in ds)
        if apart and len({e["doc_id"] for e in dated.values()}) > 1:
            out.append(
                Line(
                    f"{evs[0]['type']}: reports give different dates ({', '.join(ds)})",
                    tuple(cite(dated[d]["doc_id"], dated[d]["evidence"]) for d in ds),
                )
            )
    return out


def _cluster_value_conflicts(
    store: Store, clusters: dict[str, list[tuple[str | None, dict[str, Any], Any]]], cite: Any
) -> list[Line]:
    """Reports of one event (same cluster) whose figures of one measure disagree where a report
    leaves the period open ("a $400 billion deal" against "a $456 billion deal"): the figure
    lines compare only values with a period, so these would go unseen."""
    from tieline.query.clusters import cluster_values

    multi = sorted(
        cid for cid, rs in clusters.items() if len({ev["doc_id"] for _, ev, _ in rs}) > 1
    )
    out = []
    for cid, comparisons in cluster_values(store, multi).items():
        what = clusters[cid][0][1]["type"]
        for c in comparisons:
            lo, hi = c.values
            if c.agree or (lo.figure.period and hi.figure.period):
                continue
            out.append(
                Line(
                    f"{what}: sources give different {c.measure} ({c.status}), "
                    f"{_figure_text(lo)} against {_figure_text(hi)}",
                    (cite(lo.doc_id, lo.figure.evidence), cite(hi.doc_id, hi.figure.evidence)),
                )
            )
    return out


# ----------------------------------------------------------------- rendering
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_cite(c: Citation) -> str:
    src = _md(c.label)
    link = c.link
    if link:
        src = f"[{src}]({link.replace(')', '%29').replace(' ', '%20')})"
    return f"{src}: “{_md(c.quote)}”"


def render_markdown(report: Report) -> str:
    """The briefing as Markdown; each claim is one bullet ending in its citations."""
    out = [f"# {_md(report.title)}", "", f"_Generated {report.generated} by tieline._", ""]
    out += [f"> {_md(h)}  " for h in report.header] + ([""] if report.header else [])
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
    name = html.escape(c.label)
    link = c.link
    if link:
        name = f'<a href="{html.escape(link, quote=True)}">{name}</a>'
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
        *(f'<p class="header">{html.escape(h)}</p>' for h in report.header),
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
        "header": list(report.header),
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
                                "title": c.title,
                                "outlet": c.outlet,
                                "published": c.published,
                                "link": c.link,
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
