"""``tieline events`` and ``tieline timeline``: who did what with whom, with citations."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from tieline.cli.common import (
    DbOption,
    JsonOption,
    SetOption,
    counted,
    errors_to_exit,
    out,
    print_json,
    settings_from,
)

ActorOption = Annotated[
    str | None,
    typer.Option(help="Only events with this participant (canonical name, alias or spelling)."),
]
PairOption = Annotated[
    str | None,
    typer.Option(
        help="Only events in which both states of a pair of ISO codes take part, e.g. CN-RU."
    ),
]
TypeOption = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="Only this event type: agreement, talks, cooperation, supply, construction, "
        "investment, technology_transfer, sanction, award.",
    ),
]
SectorOption = Annotated[
    str | None,
    typer.Option(
        help="Only this sector and its subsectors (energy, energy.nuclear, defence, ...)."
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        help="Only events dated on or after this (2019, 2019-06-05, or a span: 7d, 1y); an event "
        "without a date of its own is dated by its article."
    ),
]
UntilOption = Annotated[
    str | None, typer.Option(help="Only events dated on or before this (2022, 2022-12).")
]
CountryOption = Annotated[
    str | None,
    typer.Option(
        help="Only events with an actor of this state (ISO code such as RU, or a name: Russia)."
    ),
]


def _when(e: Any) -> str:
    """The date that places an event; an article's date is marked as such."""
    if e.date:
        return str(e.date)
    return f"{e.published} (published)" if e.published else "-"


def _participants(ev: Any) -> str:
    arrow = {"source": "→", "target": "←"}
    actors = ", ".join(
        f"{arrow.get(p.role, '')}{p.name}" if p.role in arrow else p.name for p in ev.actors
    )
    objects = ", ".join(p.name for p in ev.objects)
    return actors + (f" [{objects}]" if objects else "")


def register(app: typer.Typer) -> None:
    """Add the events and timeline commands."""

    @app.command()
    def events(
        actor: ActorOption = None,
        type_: TypeOption = None,
        sector: SectorOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        pair: PairOption = None,
        country: CountryOption = None,
        status: Annotated[
            str | None, typer.Option(help="Only done, planned or negated events.")
        ] = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """List events (agreements, talks, supplies, sanctions, ...), each with its citation.

        Each line shows the type, date, status, sector, participants (→ source, ← target,
        [objects]) and the document and quote it comes from; with --json, also the PLOVER and
        CAMEO codes, the cluster of reports of the same event and its independent sources.
        """
        from tieline import api

        with errors_to_exit():
            evs = api.events(
                settings=settings_from(db, sets),
                actor=actor,
                type=type_,
                sector=sector,
                since=since,
                until=until,
                pair=pair,
                country=country,
                status=status,
            )
        if json_out:
            print_json(api.to_json(evs))
            return
        if not evs:
            out.print("No events match; try without filters, or ingest more articles.")
            return
        t = Table(title=counted(len(evs), "event"), title_justify="left")
        for col in ("type", "date", "status", "sector", "participants", "source: quote"):
            t.add_column(col, overflow="fold")
        for e in evs:
            t.add_row(e.type, _when(e), e.status, e.sector or "-", _participants(e), e.citation)
        out.print(t)

    @app.command()
    def timeline(
        actor: ActorOption = None,
        pair: PairOption = None,
        country: CountryOption = None,
        type_: TypeOption = None,
        sector: SectorOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """Events in date order, each real-world event once with all its citations.

        An event is dated by a date its text states, else by its first report's publication
        date (marked 'published'); undated events come last. 'sources' counts independent
        publishers reporting it.
        """
        from tieline import api

        with errors_to_exit():
            entries = api.timeline(
                settings=settings_from(db, sets),
                actor=actor,
                pair=pair,
                country=country,
                type=type_,
                sector=sector,
                since=since,
                until=until,
            )
        if json_out:
            print_json(api.to_json(entries))
            return
        if not entries:
            out.print("No events to show; try without filters, or ingest more articles.")
            return
        t = Table(title=f"timeline: {counted(len(entries), 'event')}", title_justify="left")
        for col in ("when", "type", "participants", "sources", "source: quote"):
            t.add_column(col, overflow="fold")
        for x in entries:
            when = (x.when or "undated") + (" (published)" if x.dated_by == "published" else "")
            t.add_row(
                when,
                x.event.type + (" (planned)" if x.event.status == "planned" else ""),
                _participants(x.event),
                str(x.sources),
                "\n".join(r.citation for r in x.reports),
            )
        out.print(t)
