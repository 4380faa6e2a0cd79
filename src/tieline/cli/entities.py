"""``tieline entities``, ``tieline entity``, ``tieline merge`` and ``tieline split``: who the
actors are, and a curator's corrections to how names were linked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
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

GazetteerOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--gazetteer",
        help="Extra gazetteer JSONL file given at ingest, so that relinking uses it "
        "too (repeatable).",
    ),
]


def _settings(db: str | None, sets: list[str] | None, gazetteer: list[Path] | None) -> Any:
    return settings_from(
        db, sets, gazetteers=tuple(str(g) for g in gazetteer) if gazetteer else None
    )


def _aliases(e: dict[str, Any], n: int = 4) -> str:
    al = list(e.get("aliases") or [])
    return ", ".join(al[:n]) + (f" (+{len(al) - n})" if len(al) > n else "")


def _seen(e: dict[str, Any]) -> str:
    first, last = e.get("first_seen"), e.get("last_seen")
    if not first:
        return "-"
    return first if first == last else f"{first} .. {last}"


def register(app: typer.Typer) -> None:
    """Add the entities, entity, merge, split and relink commands."""

    @app.command()
    def entities(
        type_: Annotated[
            str | None,
            typer.Option(
                "--type",
                help=(
                    "Only this type: COUNTRY, ORG, PERSON, BLOC, INITIATIVE, "
                    "FACILITY, PRODUCT, EVENT "
                    "or AWARD."
                ),
            ),
        ] = None,
        country: Annotated[
            str | None,
            typer.Option(
                help="Only entities of this state (ISO code such as CN or RU; 'none' for none)."
            ),
        ] = None,
        limit: Annotated[int | None, typer.Option(help="Show at most this many.", min=1)] = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """List the actors found: canonical name, type, country, mentions, dates, aliases."""
        from tieline import api

        with errors_to_exit(), api.Library(settings=settings_from(db, sets)) as lib:
            rows = lib.entities(type=type_, country=country, limit=limit)
        if json_out:
            print_json(rows)
            return
        if not rows:
            out.print("No entities match; try without filters, or ingest articles first.")
            return
        t = Table(title=counted(len(rows), "entity"), title_justify="left", expand=True)
        t.add_column("name", ratio=3, min_width=16)
        t.add_column("type", no_wrap=True)
        t.add_column("country", no_wrap=True)
        t.add_column("mentions", justify="right")
        t.add_column("docs", justify="right")
        t.add_column("seen", no_wrap=True)
        t.add_column("aliases", ratio=2)
        for e in rows:
            t.add_row(
                e["name"],
                e["type"],
                e["country"] or "-",
                str(e["mention_count"]),
                str(e["doc_count"]),
                _seen(e),
                _aliases(e),
            )
        out.print(t)

    @app.command()
    def entity(
        name: Annotated[str, typer.Argument(help="Canonical name, alias or id of the entity.")],
        max_mentions: Annotated[
            int | None, typer.Option(help="Show at most this many mentions.", min=1)
        ] = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """One actor in full: aliases, role, country, events, and every mention with its quote
        and document."""
        from tieline import api

        with errors_to_exit():
            d = api.entity(name, settings=settings_from(db, sets), max_mentions=max_mentions)
        if json_out:
            print_json(d)
            return
        out.print(
            Text(d["name"], style="bold"),
            f" {d['type']}  {d['country'] or '-'}  (id {d['id']})",
            highlight=False,
        )
        for label, value in (
            ("aliases", ", ".join(d["aliases"]) or "-"),
            ("role", d["role"] or "-"),
            ("affiliation", d["affiliation"] or "-"),
            (
                "seen",
                f"{_seen(d)} in {counted(d['doc_count'], 'document')}, "
                f"{counted(d['mention_count'], 'mention')}",
            ),
        ):
            out.print(f"  {label}: {value}", highlight=False)
        if d.get("lifecycle"):
            t = Table(title="lifecycle", title_justify="left", expand=True)
            for col in ("stage", "date", "status"):
                t.add_column(col, no_wrap=True)
            t.add_column("document: evidence", ratio=1)
            for s in d["lifecycle"]:
                t.add_row(
                    s["stage"],
                    escape(s["date"] or "-"),
                    s["status"],
                    escape(f'{s["doc"]}: "{s["evidence"]}"'),
                )
            out.print(t)
        if d["events"]:
            t = Table(title=counted(len(d["events"]), "event"), title_justify="left", expand=True)
            for col in ("type", "date", "with"):
                t.add_column(col, no_wrap=col != "with", max_width=30 if col == "with" else None)
            t.add_column("document: evidence", ratio=1)
            for e in d["events"]:
                others = [p["name"] for p in e["participants"] if p["entity_id"] != d["id"]]
                t.add_row(
                    e["type"],
                    e["date"] or "-",
                    ", ".join(others) or "-",
                    f'{e["doc"]}: "{e["evidence"]}"',
                )
            out.print(t)
        t = Table(title=counted(len(d["mentions"]), "mention"), title_justify="left", expand=True)
        t.add_column("document", no_wrap=True, max_width=34)
        t.add_column("as", no_wrap=True)
        t.add_column("quote", ratio=1)
        for m in d["mentions"]:
            t.add_row(m["doc"], m["text"], m["quote"])
        out.print(t)

    @app.command()
    def merge(
        a: Annotated[str, typer.Argument(help="An entity's name, alias or id.")],
        b: Annotated[str, typer.Argument(help="Another entity, to join with the first.")],
        gazetteer: GazetteerOption = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """Judge A and B to be one actor. The judgement is stored and outlives re-ingest."""
        from tieline import api

        with errors_to_exit():
            done = api.merge(a, b, settings=_settings(db, sets, gazetteer))
        merged = done["entity"]
        if json_out:
            print_json(done)
        else:
            first, second = done["merged"]
            out.print(
                f"merged {first} and {second} into {merged['name']} "
                f"({counted(merged['mention_count'], 'mention')}); to undo, split an alias off "
                f"with 'tieline split'",
                highlight=False,
            )

    @app.command()
    def split(
        a: Annotated[str, typer.Argument(help="The entity that wrongly holds the alias.")],
        alias: Annotated[
            str,
            typer.Option(
                "--alias",
                help=("The alias that names another actor; it becomes an entity of its own."),
            ),
        ],
        gazetteer: GazetteerOption = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """Judge an alias of A to name another actor. Stored; outlives re-ingest."""
        from tieline import api

        with errors_to_exit():
            done = api.split(a, alias, settings=_settings(db, sets, gazetteer))
        left, new = done["entity"], done["split_off"]
        if json_out:
            print_json(done)
        else:
            out.print(
                f"split {new['name']} off {left['name']}: now {new['type']} "
                f"{new['name']!r} stands on its own",
                highlight=False,
            )

    @app.command()
    def relink(
        gazetteer: GazetteerOption = None,
        db: DbOption = None,
        json_out: JsonOption = False,
        sets: SetOption = None,
    ) -> None:
        """Rebuild every entity and event cluster from what is stored. Ingest links only what
        it adds; run this after a bulk change of judgements, or with a new gazetteer."""
        from tieline import api

        settings = _settings(db, sets, gazetteer)
        with errors_to_exit():
            done = api.relink(settings=settings)
        if json_out:
            print_json(done)
        else:
            out.print(
                f"relinked {settings.db}: {done['entities']} entities, "
                f"{done['clusters']} event clusters",
                highlight=False,
            )
