"""The Python API: every CLI verb as a function returning records."""

from __future__ import annotations

import inspect
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import tieline
from tieline.query.events import CitedEvent
from tieline.records import Entity


def test_api_exports_documented_functions() -> None:
    for name in tieline.__all__:
        obj = getattr(tieline, name)
        assert obj.__doc__, f"tieline.{name} has no docstring"
    for verb in (
        "ingest",
        "search",
        "entities",
        "events",
        "figures",
        "graph",
        "report",
        "export",
        "chart",
        "digest",
        "watch",
        "series",
        "fetch",
        "summary",
    ):
        assert verb in tieline.__all__
        assert callable(getattr(tieline, verb))
        assert "db" in inspect.signature(getattr(tieline, verb)).parameters or verb == "fetch"


def test_api_search(kb_db: Path) -> None:
    page = tieline.search("pipeline", db=kb_db, kinds=["event"])
    assert page.total == 1
    hit = page.items[0]
    assert (hit.kind, hit.type, hit.sector) == ("event", "supply", "energy")


def test_api_entities_and_events(kb_db: Path) -> None:
    ents = tieline.entities(db=kb_db, country="RU")
    assert all(isinstance(e, Entity) and e.country == "RU" for e in ents)
    assert {"Gazprom", "Rosatom", "Russia"} <= {e.name for e in ents}
    evs = tieline.events(db=kb_db, pair="CN-RU")
    assert all(isinstance(e, CitedEvent) for e in evs)
    # The order of the CLI and the REST API: by the date that places each event.
    assert [e.when for e in evs] == sorted(e.when or "9999" for e in evs)
    assert len(evs) == 3
    assert any(
        p.name == "China National Petroleum Corporation" for e in evs for p in e.participants
    )
    assert len(tieline.events(db=kb_db, type="supply")) == 2
    every = tieline.events(db=kb_db)
    assert [e.id for e in tieline.events(db=kb_db, since="2020")] == [
        e.id for e in every if (e.when or "") >= "2020"
    ]


def test_api_events_take_the_cli_options(kb_db: Path) -> None:
    """tieline.events(actor=...) works, names and acronyms as the CLI takes them."""
    by_name = [e.id for e in tieline.events(db=kb_db, actor="Gazprom PJSC")]
    assert by_name
    assert [e.id for e in tieline.events(db=kb_db, actor="gazprom")] == by_name
    assert [e.id for e in tieline.events(db=kb_db, sector="energy", country="Russia")]
    with pytest.raises(tieline.TielineError, match="did you mean RU"):
        tieline.events(db=kb_db, country="RX")


def test_api_covers_the_cli_verbs() -> None:
    for verb in ("entity", "timeline", "merge", "split", "eval", "evaluate", "contradictions"):
        assert callable(getattr(tieline, verb)), verb


def test_api_figures_series_graph_report(kb_db: Path, tmp_path: Path) -> None:
    figs = tieline.figures(db=kb_db, measure="bilateral_trade", pair="CN-RU")
    assert len(figs) == 4
    ser = tieline.series("bilateral_trade", db=kb_db, pair="CN-RU")
    assert ser.points
    net = tieline.graph(db=kb_db, pair="CN-RU", export="graphml", out=tmp_path / "g.graphml")
    assert len(net.edges) == 8
    assert (tmp_path / "g.graphml").is_file()
    rep = tieline.report(db=kb_db, pair="CN-RU", out=tmp_path / "b.html")
    assert all(ln.citations for s in rep.sections for ln in s.lines)
    assert (tmp_path / "b.html").read_text().startswith("<!doctype html>")
    res = tieline.chart("events", tmp_path / "e.png", db=kb_db)
    assert res.points == 5


@pytest.mark.parametrize("fmt", ["jsonl", "events-csv", "ftm", "gexf", "parquet", "csv"])
def test_api_export(kb_db: Path, tmp_path: Path, fmt: str) -> None:
    n = tieline.export(fmt, tmp_path / f"out-{fmt}", db=kb_db)
    assert (n if isinstance(n, int) else sum(n.values())) > 0


def test_api_export_unknown_format(kb_db: Path, tmp_path: Path) -> None:
    with pytest.raises(tieline.TielineError, match="parquet"):
        tieline.export("xlsx", tmp_path / "x", db=kb_db)


def test_api_digest_and_summary(kb_db: Path) -> None:
    dig = tieline.digest("7d", db=kb_db)
    assert dig.facts == 9
    assert tieline.summary(db=kb_db)["documents"] == 4


def test_api_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(tieline.TielineError, match="tieline ingest"):
        tieline.search("x", db=tmp_path / "none.db")


def test_api_fetch(web_server: str) -> None:
    doc = tieline.fetch(f"{web_server}/el-dabaa.html", allow_private=True)
    assert "first concrete" in doc.text
    with pytest.raises(tieline.TielineError, match="non-public"):
        tieline.fetch(f"{web_server}/el-dabaa.html")


@pytest.mark.slow
def test_api_ingest_then_ask(tmp_path: Path, web_server: str) -> None:
    src = tmp_path / "note.txt"
    src.write_text(
        "Russia and China signed an agreement on lunar research in Moscow on 9 March "
        "2021, Roscosmos said.\n",
        encoding="utf-8",
    )
    settings = replace(tieline.Settings(), db=str(tmp_path / "a.db"), progress=False)
    rep = tieline.ingest(src, f"{web_server}/notice.txt", settings=settings, allow_private=True)
    assert (rep.added, rep.failures) == (2, ())
    again = tieline.ingest(src, settings=settings)
    assert again.unchanged == 1
    page = tieline.search("lunar", settings=settings)
    assert page.total >= 1
    assert json.dumps(tieline.summary(settings=settings))


# CLI options that are not the API's: output formatting, and flags the API spells as a
# function of their own (figures --series is tieline.series, --contradictions
# tieline.contradictions, watch --once is passes=1); positional arguments keep their place.
_CLI_ONLY = {"db", "json_out", "sets", "top", "series", "contradictions", "once", "help"}
_RENAMED = {
    "type_": "type",
    "kind": "kinds",
    "output": "out",
    "gazetteer": "gazetteers",
    "allow_host": "allow_hosts",
    "match": "text",
}


def test_api_covers_every_cli_command_with_its_options() -> None:
    import typer.main

    from tieline.cli import _register, app

    _register()
    group: Any = typer.main.get_command(app)
    for name, command in group.commands.items():
        if name == "serve":  # a server
            continue
        fn = getattr(tieline, {"eval": "evaluate"}.get(name, name))
        api = inspect.signature(fn).parameters
        missing = [
            _RENAMED.get(str(p.name), str(p.name))
            for p in command.params
            if p.param_type_name != "argument"  # positional: kept in its place
            and p.name not in _CLI_ONLY
            and _RENAMED.get(str(p.name), str(p.name)) not in api
        ]
        assert not missing, f"tieline.{fn.__name__} lacks the CLI's {missing}"
