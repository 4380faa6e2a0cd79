"""``tieline figures``: money, volumes, shares and counts with their citations."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

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

_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "mn"), (1e3, "k"))


def format_value(value: float, unit: str) -> str:
    """A value for people: 65800000000 USD -> 'USD 65.8 bn', 31 percent -> '31 %'."""
    if unit == "percent":
        return f"{value:g} %"
    if unit == "count":
        return f"{value:g}"
    for div, word in _SCALES:
        if abs(value) >= div:
            num = f"{value / div:.2f}".rstrip("0").rstrip(".")
            return f"{unit} {num} {word}" if unit.isupper() else f"{num} {word} {unit}"
    return f"{unit} {value:g}" if unit.isupper() else f"{value:g} {unit}"


def _cited_row(c: Any) -> list[str]:
    f = c.figure
    return [
        f.measure or "-",
        format_value(f.value, f.unit),
        f.status,
        f.period or "-",
        ", ".join(f.actors) or "-",
        c.citation,
    ]


def register(app: typer.Typer) -> None:
    """Add the figures command."""

    @app.command()
    def figures(
        measure: Annotated[
            str | None,
            typer.Option(
                help="Only this measure (trade_turnover, export_value, project_count, ...)."
            ),
        ] = None,
        pair: Annotated[
            str | None,
            typer.Option(help="Only figures about both states of a pair of ISO codes, e.g. CN-RU."),
        ] = None,
        since: Annotated[
            str | None,
            typer.Option(help="Only periods ending on or after this date (2019, 2019-06, 7d)."),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(help="Only periods starting on or before this date (2022, 2022-12)."),
        ] = None,
        status: Annotated[
            str | None, typer.Option(help="Only actual, target or forecast figures.")
        ] = None,
        series: Annotated[
            bool,
            typer.Option(
                "--series", help="One measure over time: actuals beside targets (needs --measure)."
            ),
        ] = False,
        contradictions: Annotated[
            bool, typer.Option("--contradictions", help="Only figures on which sources disagree.")
        ] = False,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """List figures (money, volumes, shares, counts), each with its document and quote.

        With --series, one measure per period with actuals beside targets and forecasts, and
        each target tied to the actual reported for its period; with --contradictions, the
        figures of one measure, pair and period on which sources disagree.
        """
        from tieline import api
        from tieline.errors import ConfigError

        with errors_to_exit():
            if series and not measure:
                raise ConfigError("--series needs --measure, e.g. --measure trade_turnover")
            with api.Library(settings=settings_from(db, sets)) as lib:
                if series:
                    assert measure is not None
                    s = lib.series(measure, pair=pair, since=since, until=until)
                    links = lib.targets(measure=measure, pair=pair)
                    _show_series(s, links, json_out)
                elif contradictions:
                    _show_contradictions(lib.contradictions(measure=measure, pair=pair), json_out)
                else:
                    figs = lib.figures(
                        measure=measure, pair=pair, since=since, until=until, status=status
                    )
                    _show_list(figs, json_out)


def _show_list(figs: list[Any], json_out: bool) -> None:
    if json_out:
        from tieline import api

        print_json(api.to_json(figs))
        return
    if not figs:
        out.print("No figures match; try without filters, or ingest more articles.")
        return
    t = Table(title=counted(len(figs), "figure"), title_justify="left", expand=True)
    for col in ("measure", "value", "status", "period"):
        t.add_column(col, no_wrap=True)
    t.add_column("actors", max_width=24)
    t.add_column("source: quote", ratio=1)
    for c in figs:
        t.add_row(*_cited_row(c))
    out.print(t)


def _show_series(s: Any, links: list[Any], json_out: bool) -> None:
    if json_out:
        print_json({**s.to_dict(), "targets": [link.to_dict() for link in links]})
        return
    unit = s.unit or ""
    title = f"{s.measure}" + (f" ({s.pair})" if s.pair else "") + (f", {unit}" if unit else "")
    t = Table(title=title, title_justify="left", expand=True)
    for col in ("period", "actual", "target", "forecast"):
        t.add_column(col, no_wrap=True)
    t.add_column("sources: quotes", ratio=1)
    for p in s.points:
        vals = [p.value(st) for st in ("actual", "target", "forecast")]
        cites = [c.citation for st in ("actual", "target", "forecast") for c in getattr(p, st)]
        t.add_row(
            p.period,
            *[format_value(v, unit) if v is not None else "-" for v in vals],
            "\n".join(cites),
        )
    if s.points:
        out.print(t)
    else:
        out.print(f"No {s.measure} figures with a period" + (f" for {s.pair}" if s.pair else ""))
    for link in links:
        f = link.target.figure
        verdict = {True: "met", False: "not met", None: "no actual reported"}[link.met]
        out.print(
            f"target {format_value(f.value, f.unit)} for {f.period}: {verdict} "
            f"({link.target.citation})",
            highlight=False,
        )
    if s.without_period:
        out.print(f"{len(s.without_period)} more without a period:")
        for c in s.without_period:
            out.print(
                f"  {format_value(c.figure.value, c.figure.unit)} {c.figure.status}: {c.citation}",
                highlight=False,
            )
    if s.other_units:
        out.print(f"(figures in {', '.join(s.other_units)} left out: the series keeps one unit)")


def _show_contradictions(items: list[Any], json_out: bool) -> None:
    if json_out:
        print_json([c.to_dict() for c in items])
        return
    if not items:
        out.print("No contradictions: no two sources disagree on a measure, pair and period.")
        return
    for x in items:
        out.print(
            Text(x.measure, style="bold"),
            f"{x.pair} {x.period} ({x.status}): "
            f"{format_value(x.low, x.unit)} to {format_value(x.high, x.unit)} "
            f"from {counted(x.sources, 'source')}",
        )
        for c in x.figures:
            out.print(
                f"  {format_value(c.figure.value, c.figure.unit)}  {c.citation}", highlight=False
            )
