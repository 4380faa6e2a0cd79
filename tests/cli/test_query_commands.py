"""The query commands in-process: exit codes, JSON, files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app

_register()
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout


def test_cli_search_json(kb_db: Path) -> None:
    code, out = _run("search", "pipeline", "--db", str(kb_db), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 2
    assert all(h["highlights"] for h in data["items"])


def test_cli_search_table_and_bad_kind(kb_db: Path) -> None:
    code, out = _run(
        "search", "Rosatom", "--db", str(kb_db), "--kind", "event", "--sector", "nuclear"
    )
    assert code == 0
    assert "2 hits" in out
    code, _ = _run("search", "x", "--db", str(kb_db), "--kind", "tweet")
    assert code == 2


def test_cli_graph(kb_db: Path, tmp_path: Path) -> None:
    code, out = _run("graph", "--db", str(kb_db), "--pair", "CN-RU", "--json")
    assert code == 0
    assert len(json.loads(out)["edges"]) == 8
    out_file = tmp_path / "g.gexf"
    code, _ = _run("graph", "--db", str(kb_db), "--export", "gexf", "-o", str(out_file))
    assert code == 0
    assert out_file.read_text().lstrip().startswith("<?xml")
    assert _run("graph", "--db", str(kb_db), "--pair", "XX")[0] == 2


def test_cli_chart_and_report(kb_db: Path, tmp_path: Path) -> None:
    code, out = _run(
        "chart",
        "bilateral_trade",
        "--pair",
        "CN-RU",
        "-o",
        str(tmp_path / "t.png"),
        "--db",
        str(kb_db),
        "--json",
    )
    assert code == 0
    assert json.loads(out)["points"] == 3
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    code, _ = _run(
        "chart", "events", "--by", "sector", "-o", str(tmp_path / "e.svg"), "--db", str(kb_db)
    )
    assert code == 0
    code, _ = _run("report", "--pair", "CN-RU", "-o", str(tmp_path / "b.md"), "--db", str(kb_db))
    assert code == 0
    assert "## Key actors" in (tmp_path / "b.md").read_text()


@pytest.mark.parametrize("fmt", ["parquet", "graphml", "gexf", "ftm"])
def test_cli_export_formats(kb_db: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / ("pq" if fmt == "parquet" else f"out.{fmt}")
    code, _ = _run("export", "--format", fmt, "-o", str(target), "--db", str(kb_db))
    assert code == 0
    assert target.exists()


def test_cli_digest(kb_db: Path) -> None:
    code, out = _run("digest", "--since", "7d", "--db", str(kb_db), "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["documents"]) == 4
    assert data["facts"] == 9
    code, out = _run("digest", "--since", "2999-01-01", "--db", str(kb_db), "--json")
    assert json.loads(out)["documents"] == []
    assert _run("digest", "--since", "soon", "--db", str(kb_db))[0] == 2
