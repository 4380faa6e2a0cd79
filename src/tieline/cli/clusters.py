"""``tieline cluster ID`` and ``tieline clusters``: one real-world event with all its sources,
the values they give, and where the sources agree or disagree."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from tieline.cli.common import (
    DbOption,
    JsonOption,
    SetOption,
    errors_to_exit,
    fail,
    out,
    print_json,
    settings_from,
)


def _value(v: Any) -> str:
    f = v.figure
    return f'{f.text} ({f.period or "no period"}) {v.doc_name}: "{f.evidence}"'


def _show(c: Any) -> None:
    out.print(
        f"{c.type} · {c.when or 'undated'} · {', '.join(c.participants) or 'unnamed'} · "
        f"{c.documents} documents, {c.independent} independent sources",
        markup=False,
        highlight=False,
    )
    t = Table(title="sources", title_justify="left", expand=True)
    for col in ("outlet", "published", "title", "quote"):
        t.add_column(col, overflow="fold")
    for r in c.reports:
        t.add_row(r.outlet or "-", r.published or "-", r.title or r.doc_name, r.quote)
    out.print(t)
    for comp in c.corroborations:
        out.print(
            f"agree: {comp.measure} ({comp.status}, {comp.period or 'no period'}) from "
            f"{comp.sources} sources: " + "; ".join(_value(v) for v in comp.values),
            markup=False,
            highlight=False,
        )
    for comp in c.contradictions:
        out.print(
            f"CONTRADICTION: {comp.measure} ({comp.status}, {comp.period or 'no period'}): "
            + " against ".join(_value(v) for v in comp.values),
            markup=False,
            highlight=False,
        )
    if c.date_conflict:
        out.print(
            "CONTRADICTION: dates "
            + " against ".join(f'{r.date} {r.doc_name}: "{r.quote}"' for r in c.date_conflict),
            markup=False,
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add the cluster and clusters commands."""

    @app.command()
    def cluster(
        cluster_id: Annotated[str, typer.Argument(help="A cluster id (cluster_id in --json).")],
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """One real-world event with every report of it: outlet, date, title and quote of each
        source, the figures they give, and where they agree or contradict each other (values
        more than 5% apart, or different dates)."""
        from tieline import api

        settings = settings_from(db, sets)
        with errors_to_exit():
            found = api.cluster(cluster_id, settings=settings)
        if found is None:
            fail(f"no cluster {cluster_id!r}; `tieline clusters` lists them")
        if json_out:
            print_json(found.to_dict())
            return
        _show(found)

    @app.command()
    def clusters(
        pair: Annotated[
            str | None, typer.Option(help="Only events of both states of a pair, e.g. CN-RU.")
        ] = None,
        min_documents: Annotated[
            int, typer.Option(min=1, help="Only events reported by this many documents.")
        ] = 2,
        contradicted: Annotated[
            bool, typer.Option(help="Only events whose sources contradict each other.")
        ] = False,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """Real-world events reported by several documents, the best-sourced first: how many
        sources, how many of their figures agree, and any contradiction."""
        from tieline import api

        settings = settings_from(db, sets)
        with errors_to_exit():
            found = api.clusters(
                settings=settings, min_documents=min_documents, pair=pair, contradicted=contradicted
            )
        if json_out:
            print_json([c.to_dict() for c in found])
            return
        if not found:
            out.print("No event is reported by several documents here.")
            return
        t = Table(title=f"{len(found)} events with several sources", title_justify="left")
        for col in ("cluster", "when", "type", "participants", "sources", "agree", "contradict"):
            t.add_column(col, overflow="fold")
        for c in found:
            t.add_row(
                c.id,
                c.when or "-",
                c.type,
                ", ".join(c.participants),
                f"{c.independent} ({c.documents} docs)",
                str(len(c.corroborations)),
                str(len(c.contradictions) + bool(c.date_conflict)),
            )
        out.print(t)
