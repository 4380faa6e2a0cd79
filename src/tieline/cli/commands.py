"""Core commands: ingest, summary, export, eval."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tieline.cli import app
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
    progress_bar,
    settings_from,
)
from tieline.records import InputFailure


@contextmanager
def _ingest_warnings() -> Iterator[None]:
    """Print the reader's warnings (a file read with a guessed encoding) as one line each."""

    class _Line(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            err.print(labelled("warning", "yellow", record.getMessage()), highlight=False)

    log, handler = logging.getLogger("tieline.ingest"), _Line(logging.WARNING)
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive) or URLs to ingest.")
    ],
    db: DbOption = None,
    gazetteer: Annotated[
        list[Path] | None,
        typer.Option(
            "--gazetteer", help="Extra gazetteer JSONL file of your own actors (repeatable)."
        ),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Documents per batch and transaction.")
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help="Extraction engine: local, process or ray.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Workers for --engine process or ray.")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="Ray address: auto or ray://host:port.")
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Allow URLs on private, loopback or link-local addresses."
        ),
    ] = False,
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links", help="Read symlinks in a folder that lead outside it (else refused)."
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Fetch from this private or loopback host anyway (repeatable); "
            "narrower than --allow-private.",
        ),
    ] = None,
    json_out: JsonOption = False,
    sets: SetOption = None,
) -> None:
    """Read articles (.txt, .md, .html, .jsonl), extract facts and store them.

    Re-running is safe: unchanged documents are skipped, changed ones replaced, exact duplicates
    skipped and near-duplicates linked to their earlier copy. A bad file gets one line on
    stderr and the run goes on; the exit code is 1 if any input failed.
    """
    from tieline.scale.runner import ingest_paths

    settings = settings_from(
        db,
        sets,
        gazetteers=tuple(str(g) for g in gazetteer) if gazetteer else None,
        batch_size=batch_size,
        engine=engine,
        workers=workers,
        ray_address=address,
        allow_private=allow_private or None,
        follow_links=follow_links or None,
        allow_hosts=tuple(allow_host) if allow_host else None,
    )

    def report_failure(f: InputFailure) -> None:
        # File names and reasons are data: printed as they are (the consoles read no markup).
        err.print(labelled("skipped", "yellow", f"{f.source}: {f.reason}"), highlight=False)

    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    files = [p for p in paths if p not in urls]
    with (
        errors_to_exit(),
        _ingest_warnings(),
        progress_bar(settings.progress and not json_out) as progress,
    ):
        if urls:
            from tieline.scale.runner import ingest_urls

            report = ingest_urls(
                urls, files, settings, progress=progress, on_failure=report_failure
            )
        else:
            report = ingest_paths(files, settings, progress=progress, on_failure=report_failure)
    if json_out:
        print_json(
            {
                "db": settings.db,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "duplicates": report.duplicates,
                "near_duplicates": report.near_duplicates,
                "failures": [{"source": f.source, "reason": f.reason} for f in report.failures],
            }
        )
    else:
        out.print(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{counted(report.duplicates, 'duplicate')} skipped, "
            f"{counted(report.near_duplicates, 'near-duplicate')} linked, "
            f"{len(report.failures)} failed -> {settings.db}"
        )
        if report.added or report.updated:
            out.print(f"next: tieline summary --db {settings.db}", style="dim")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def summary(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Totals: documents, entities by type, events by type, figures."""
    from tieline import api

    settings = settings_from(db)
    with errors_to_exit():
        c = api.summary(settings=settings)
    if json_out:
        print_json(c)
        return
    out.print(
        Text.assemble(
            (settings.db, "bold"),
            f": {counted(c['documents'], 'document')}, "
            f"{counted(sum(c['entities'].values()), 'entity')}, "
            f"{counted(sum(c['events'].values()), 'event')}, {counted(c['figures'], 'figure')}",
        )
    )
    for title, data in (
        ("entities by type", c["entities"]),
        ("events by type", c["events"]),
        ("figures by unit", c["figures_by_unit"]),
    ):
        t = Table(title=title, title_justify="left")
        t.add_column("kind")
        t.add_column("count", justify="right")
        for k, v in data.items():
            t.add_row(str(k), str(v))
        if not data:
            t.add_row("(none)", "0")
        out.print(t)


def _tables(counts: dict[str, int]) -> str:
    # Table names are plural nouns ("events", "event_participants"): "1 events" reads wrong.
    return ", ".join(f"{v} {k}" if v != 1 else f"{v} {_singular(k)}" for k, v in counts.items())


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


class ExportFormat(str, Enum):
    gold_jsonl = "gold-jsonl"
    jsonl = "jsonl"
    csv = "csv"
    events_csv = "events-csv"
    parquet = "parquet"
    graphml = "graphml"
    gexf = "gexf"
    ftm = "ftm"


@app.command()
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help=(
                "gold-jsonl: the annotation format of GUIDE.md, one object per document; "
                "jsonl: everything with provenance; csv: one table per kind (into the -o folder); "
                "events-csv: the event table with PLOVER/CAMEO codes; "
                "parquet: one file per table (into "
                "the -o folder); graphml, gexf: the actor network; ftm: "
                "FollowTheMoney entities (JSONL)."
            ),
        ),
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help=("File to write (a folder for csv); standard output when left out."),
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export the knowledge base."""
    from tieline import api

    settings = settings_from(db)
    if fmt in (ExportFormat.csv, ExportFormat.parquet) and output is None:
        fail(f"{fmt.value} writes one file per table: give a folder with -o")
    with errors_to_exit():
        done = api.export(fmt.value, sys.stdout if output is None else output, settings=settings)
    if isinstance(done, dict):
        err.print(f"wrote {_tables(done)} to {output}/")
    elif output is not None:
        noun = {ExportFormat.ftm: "entity", ExportFormat.graphml: "tie", ExportFormat.gexf: "tie"}
        err.print(f"wrote {counted(done, noun.get(fmt, 'record'))} to {output}")


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Option(help="Gold annotations (JSONL, the format of GUIDE.md).")],
    docs: Annotated[Path, typer.Option(help="Folder holding the annotated documents.")],
    pred: Annotated[
        Path | None,
        typer.Option(
            help=("Score this prediction file (JSONL, the gold format) instead of extracting DOCS.")
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help=(
                "Also list, per document, the gold items missed, the "
                "predicted items that match nothing "
                "and the matched items with a wrong type, country, status, "
                "date, participants, measure "
                "or period, and count the errors by kind."
            ),
        ),
    ] = False,
    json_out: JsonOption = False,
    sets: SetOption = None,
) -> None:
    """Ingest DOCS into a temporary store, export and score against GOLD.

    Prints what the referee (score.py) prints for the same prediction, --json included.
    """
    from tieline.eval.explain import explain as explain_matches
    from tieline.eval.explain import explain_lines
    from tieline.eval.gold import read_gold
    from tieline.eval.metrics import match_all, score_matches, summary_lines
    from tieline.eval.run import predict

    if not gold.is_file():
        fail(f"{gold}: no such gold file")
    if not docs.is_dir():
        fail(f"{docs}: no such folder of documents")
    if pred is not None and not pred.is_file():
        fail(f"{pred}: no such prediction file")
    with errors_to_exit():
        gold_docs = read_gold(gold)
        settings = settings_from(None, sets)
        pred_docs = read_gold(pred) if pred is not None else predict(docs, settings)
    matches = match_all(gold_docs, pred_docs, docs)
    result = score_matches(gold_docs, pred_docs, matches)
    lines = summary_lines(result)
    if explain:
        explained = explain_matches(matches)
        result["explain"] = explained
        lines += ["", *explain_lines(explained)]
    # Written as the referee writes them (plain print, json.dumps with ASCII escapes), so the two
    # outputs can be compared byte for byte.
    if json_out:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        sys.stdout.write("".join(line + "\n" for line in lines))
