"""Asking the graph: ``tieline search``, ``graph``, ``chart``, ``report``, ``watch``, ``digest``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tieline.cli.common import (
    DbOption,
    JsonOption,
    SetOption,
    counted,
    err,
    errors_to_exit,
    fail,
    labelled,
    out,
    print_json,
    settings_from,
)
from tieline.records import InputFailure

PairOption = Annotated[
    str | None,
    typer.Option(
        "--pair", help="Two ISO country codes, e.g. CN-RU: only facts with an actor of each."
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only from this date on: 2019, 2019-06, 2019-06-05, or a span like 30d."
    ),
]


class GraphFormat(str, Enum):
    graphml = "graphml"
    gexf = "gexf"
    json = "json"


class ChartBy(str, Enum):
    sector = "sector"
    type = "type"


def _marked(snippet: str, highlights: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> Text:
    text = Text(snippet)
    for a, b in highlights:
        text.stylize("bold yellow", a, b)
    return text


def search(
    query: Annotated[str, typer.Argument(help='Words (all must match), "a phrase", or prefix*.')],
    actor: Annotated[str | None, typer.Option(help="Only facts this actor takes part in.")] = None,
    type_: Annotated[
        str | None,
        typer.Option(
            "--type", help="Event type (agreement, supply ...), entity type or figure measure."
        ),
    ] = None,
    sector: Annotated[
        str | None, typer.Option(help="Only events (and documents) of this sector.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this date on (2019, 2019-06-05).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="document, event, figure or entity (repeatable; default all)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Hits per page.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Hits to skip (for the next page).")] = 0,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic", help="Rank facts by meaning (sentence embeddings; the 'semantic' extra)."
        ),
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Full-text search over documents and facts, best first, with highlighted snippets."""
    from tieline import api
    from tieline.query.search import KINDS

    kinds = tuple(kind or ())
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        fail(f"--kind {bad[0]!r} is not one of {', '.join(KINDS)}")
    with errors_to_exit():
        page = api.search(
            query,
            settings=settings_from(db),
            actor=actor,
            type=type_,
            sector=sector,
            since=since,
            until=until,
            kinds=kinds,
            limit=limit,
            offset=offset,
            semantic=semantic,
        )
    if json_out:
        print_json(api.to_json(page))
        return
    for note in page.notes:
        err.print(note, style="dim", markup=False)
    if not page.items:
        out.print(
            f"no hits for {query!r}"
            + (" with these filters" if any((actor, type_, sector, since, until, kinds)) else "")
        )
        return
    table = Table(
        title=f"{counted(page.total, 'hit')} for {query!r}"
        + (
            f" (showing {offset + 1}-{offset + len(page.items)})"
            if page.total > len(page.items)
            else ""
        ),
        title_justify="left",
        show_lines=True,
    )
    for col in ("score", "kind", "what", "snippet", "source"):
        table.add_column(col, overflow="fold")
    for h in page.items:
        what = " · ".join(x for x in (h.type, h.sector, h.date, ", ".join(h.actors[:4])) if x)
        table.add_row(
            f"{h.score:.2f}",
            h.kind,
            Text(what or "-"),
            _marked(h.snippet, h.highlights),
            Text(h.doc_name or "-"),
        )
    out.print(table)


def graph(
    pair: PairOption = None,
    since: SinceOption = None,
    until: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    actor: Annotated[
        str | None, typer.Option(help="Only the events this actor takes part in.")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this event type.")] = None,
    sector: Annotated[
        str | None, typer.Option(help="Only events of this sector and its subsectors.")
    ] = None,
    export: Annotated[
        GraphFormat | None,
        typer.Option(
            "--export",
            help="Write the network as graphml, gexf or json (to -o, or standard output).",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    top: Annotated[int, typer.Option(min=1, help="Actors to list in the table.")] = 20,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """The actor network: co-participation in events, with centrality and communities."""
    from tieline import api
    from tieline.query.graph import write_network

    with errors_to_exit():
        net = api.graph(
            settings=settings_from(db),
            pair=pair,
            since=since,
            until=until,
            actor=actor,
            type=type_,
            sector=sector,
        )
        if export is not None:
            fmt = export.value
            if output is None:
                write_network(net, fmt, sys.stdout)
            else:
                write_network(net, fmt, output)
                err.print(
                    f"wrote {counted(len(net.nodes), 'actor')} and "
                    f"{counted(len(net.edges), 'tie')} to {output}"
                )
            return
    if json_out:
        print_json(api.to_json(net))
        return
    out.print(
        f"{counted(len(net.nodes), 'actor')}, {counted(len(net.edges), 'tie')}, "
        f"{counted(len(net.communities), 'community')}"
    )
    t = Table(title="most central actors", title_justify="left")
    for col in ("actor", "type", "country", "events", "degree", "betweenness", "community"):
        t.add_column(col)
    for n in sorted(net.nodes, key=lambda n: (-n.degree, n.name))[:top]:
        t.add_row(
            Text(n.name),
            n.type,
            n.country or "-",
            str(n.events),
            f"{n.degree:.3f}",
            f"{n.betweenness:.3f}",
            str(n.community),
        )
    out.print(t)
    if net.edges:
        e = Table(title="strongest ties", title_justify="left")
        for col in ("a", "b", "events", "types", "first", "last"):
            e.add_column(col)
        names = {n.id: n.name for n in net.nodes}
        for x in net.edges[:top]:
            e.add_row(
                Text(names[x.source]),
                Text(names[x.target]),
                str(x.weight),
                ", ".join(f"{k} {v}" for k, v in x.types.items()),
                x.first or "-",
                x.last or "-",
            )
        out.print(e)


def chart(
    measure: Annotated[
        str, typer.Argument(help="A figure measure (see tieline figures), or 'events'.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Image to write: .png, .svg or .pdf.")
    ],
    pair: PairOption = None,
    by: Annotated[
        ChartBy, typer.Option(help="For 'events': split bars by sector or type.")
    ] = ChartBy.sector,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Draw a chart: a measure's actuals against its targets, or events per year by sector."""
    from tieline import api

    with errors_to_exit():
        res = api.chart(measure, output, settings=settings_from(db), pair=pair, by=by.value)
    if json_out:
        print_json(
            {
                "path": str(res.path),
                "format": res.format,
                "points": res.points,
                "series": res.series,
            }
        )
    else:
        err.print(f"wrote {res.path} ({counted(res.points, 'point')})")


def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="brief.md or brief.html.")],
    pair: PairOption = None,
    since: SinceOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """A cited briefing: key actors, events by sector, figures against targets, contradictions."""
    from tieline import api
    from tieline.query.report import report_to_dict

    with errors_to_exit():
        rep = api.report(settings=settings_from(db), pair=pair, since=since, out=output)
    n = sum(len(s.lines) for s in rep.sections)
    if json_out:
        print_json({"path": str(output), **report_to_dict(rep)})
    else:
        err.print(
            f"wrote {output}: {counted(n, 'cited line')} in {counted(len(rep.sections), 'section')}"
        )


def watch(
    feeds: Annotated[list[str], typer.Argument(help="RSS or Atom feed URLs.")],
    every: Annotated[str, typer.Option(help="Time between passes: 1h, 30m, 90s.")] = "1h",
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow feeds and pages on private, loopback or link-local hosts.",
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Fetch feeds and pages from this private or loopback host anyway (repeatable); "
            "narrower than --allow-private.",
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
    sets: SetOption = None,
) -> None:
    """Follow feeds: ingest entries not seen before, remember them, and repeat --every."""
    from tieline.ingest.feeds import parse_every
    from tieline.scale.watch import WatchReport
    from tieline.scale.watch import watch as run

    settings = settings_from(
        db,
        sets,
        allow_private=allow_private or None,
        allow_hosts=tuple(allow_host) if allow_host else None,
    )

    def report_failure(f: InputFailure) -> None:
        err.print(labelled("skipped", "yellow", f"{f.source}: {f.reason}"), highlight=False)

    def show(rep: WatchReport) -> None:
        if json_out:
            print_json(
                {
                    "feeds": rep.feeds,
                    "entries": rep.entries,
                    "new": rep.new,
                    "added": rep.added,
                    "updated": rep.updated,
                    "unchanged": rep.unchanged,
                    "duplicates": rep.duplicates,
                    "failures": [{"source": f.source, "reason": f.reason} for f in rep.failures],
                }
            )
        else:
            out.print(
                f"{counted(rep.entries, 'entry')} in {counted(rep.feeds, 'feed')}: "
                f"{rep.new} new, {rep.added} added, "
                f"{len(rep.failures)} failed -> {settings.db}"
            )

    with errors_to_exit():
        secs = parse_every(every)
        reports = run(
            feeds,
            settings,
            secs,
            passes=1 if once else None,
            on_pass=show,
            on_failure=report_failure,
        )
    raise typer.Exit(0 if reports and reports[-1].ok else 1)


def digest(
    since: Annotated[str, typer.Option(help="Since when: 24h, 7d, 2w, or an ISO date.")] = "7d",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Facts new since a moment (by when their documents were stored), with citations."""
    from tieline import api
    from tieline.query.digest import digest_to_dict

    with errors_to_exit():
        dig = api.digest(since, settings=settings_from(db))
    if json_out:
        print_json(digest_to_dict(dig))
        return
    out.print(
        f"{counted(len(dig.documents), 'document')}, {counted(dig.facts, 'fact')} "
        f"since {dig.since}",
        style="bold",
    )
    for d in dig.documents:
        out.print(
            Text(f"\n{d.title or d.name}", style="bold"),
            Text(f"({d.published or 'undated'}) {d.url or d.name}"),
            highlight=False,
        )
        if not d.facts:
            out.print("  (no facts extracted)", style="dim")
        for f in d.facts:
            out.print(f"  • {f.summary} — “{f.quote}”", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the query commands to the ``tieline`` app."""
    app.command()(search)
    app.command()(graph)
    app.command()(chart)
    app.command()(report)
    app.command()(watch)
    app.command()(digest)
