"""``tieline documents``: what the store holds, one line per article."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import urlsplit

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


def _host(url: str | None) -> str | None:
    # A document without a named outlet is still known by the site it came from.
    return urlsplit(url).hostname if url and "://" in url else None


def register(app: typer.Typer) -> None:
    """Add the documents command."""

    @app.command()
    def documents(
        since: Annotated[
            str | None,
            typer.Option(
                help="Only documents published on or after this (2019, 2019-06-05, or a span: "
                "7d, 1y); undated ones are left out."
            ),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option(help="Only documents published on or before this (2022, 2022-12)."),
        ] = None,
        match: Annotated[
            str | None,
            typer.Option("--match", help="Only documents whose title or file name contains this."),
        ] = None,
        source: Annotated[
            str | None,
            typer.Option(help="Only documents from an outlet whose name contains this."),
        ] = None,
        limit: Annotated[
            int | None, typer.Option(min=1, help="Show at most this many (newest first).")
        ] = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """List the stored documents, newest first: id, title, outlet, publication date, and
        how many entities, events and figures were extracted from each.

        The id opens a document on the web page (/api/documents/ID) and names it in every
        citation; undated documents come last.
        """
        from tieline.api import documents as list_documents

        settings = settings_from(db, sets)
        with errors_to_exit():
            docs = list_documents(
                settings=settings,
                since=since,
                until=until,
                text=match,
                source=source,
                limit=limit,
            )
        if json_out:
            print_json([asdict(d) for d in docs])
            return
        if not docs:
            out.print("No documents match; try without filters, or ingest articles first.")
            return
        t = Table(title=counted(len(docs), "document"), title_justify="left", expand=True)
        t.add_column("id", no_wrap=True)
        t.add_column("published", no_wrap=True)
        t.add_column("source", max_width=24)
        t.add_column("title", ratio=1)
        for col in ("entities", "events", "figures"):
            t.add_column(col, justify="right")
        for d in docs:
            t.add_row(
                d.id,
                d.published or "-",
                d.source or _host(d.url) or "-",
                d.title or d.name,
                str(d.entities),
                str(d.events),
                str(d.figures),
            )
        out.print(t)
