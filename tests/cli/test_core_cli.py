"""The core commands, in-process through typer's runner, plus one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app

_register()
runner = CliRunner()


def test_help_runs_as_a_module() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "tieline", "--help"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0
    assert "ingest" in res.stdout
    assert "export" in res.stdout


def test_summary_on_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    res = runner.invoke(app, ["summary", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 2
    assert "tieline ingest" in res.output


@pytest.mark.slow
def test_ingest_twice_then_summary_and_exports(tmp_path: Path, examples: Path) -> None:
    db = str(tmp_path / "kb.db")
    first = runner.invoke(app, ["ingest", str(examples), "--db", db, "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    n_docs = report["added"]
    assert n_docs >= 10
    assert report["failures"] == []
    again = json.loads(runner.invoke(app, ["ingest", str(examples), "--db", db, "--json"]).stdout)
    assert again["added"] == 0
    assert again["unchanged"] == n_docs

    summary = json.loads(runner.invoke(app, ["summary", "--db", db, "--json"]).stdout)
    assert summary["documents"] == n_docs
    assert summary["entities"].get("COUNTRY", 0) >= 3

    gold = tmp_path / "gold.jsonl"
    assert (
        runner.invoke(
            app, ["export", "--db", db, "--format", "gold-jsonl", "-o", str(gold)]
        ).exit_code
        == 0
    )
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n_docs
    assert any(r["doc"].startswith("10_news.jsonl:") for r in rows)

    out = tmp_path / "tables"
    assert (
        runner.invoke(app, ["export", "--db", db, "--format", "csv", "-o", str(out)]).exit_code == 0
    )
    assert {p.name for p in out.iterdir()} == {
        "documents.csv",
        "entities.csv",
        "events.csv",
        "figures.csv",
    }

    full = runner.invoke(app, ["export", "--db", db, "--format", "jsonl"])
    records = [json.loads(line) for line in full.stdout.splitlines()]
    assert len(records) == n_docs
    assert all("document" in r and "entities" in r for r in records)


@pytest.mark.slow
def test_changed_file_updates_its_document_and_bad_file_exits_1(tmp_path: Path) -> None:
    db = str(tmp_path / "kb.db")
    art = tmp_path / "in" / "a.txt"
    art.parent.mkdir()
    art.write_text("Gazprom and CNPC signed a supply contract in Beijing.\n", encoding="utf-8")
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    res = runner.invoke(app, ["ingest", str(art.parent), "--db", db, "--json"])
    assert res.exit_code == 1
    rep = json.loads(res.stdout)
    assert rep["added"] == 1
    assert len(rep["failures"]) == 1
    assert "bad.txt" in rep["failures"][0]["source"]

    art.write_text("Rosatom and CNNC launched construction of two reactors.\n", encoding="utf-8")
    rep2 = json.loads(runner.invoke(app, ["ingest", str(art), "--db", db, "--json"]).stdout)
    assert rep2["updated"] == 1
    assert rep2["added"] == 0
    summary = json.loads(runner.invoke(app, ["summary", "--db", db, "--json"]).stdout)
    assert summary["documents"] == 1


@pytest.mark.slow
def test_eval_prints_the_referees_numbers(seeds: Path, referee: Path, tmp_path: Path) -> None:
    gold = seeds.parent.parent / "eval" / "seeds.gold.jsonl"
    res = runner.invoke(app, ["eval", "--gold", str(gold), "--docs", str(seeds), "--json"])
    assert res.exit_code == 0, res.output
    ours = json.loads(res.stdout)
    db = str(tmp_path / "s.db")
    assert runner.invoke(app, ["ingest", str(seeds), "--db", db]).exit_code == 0
    pred = tmp_path / "pred.jsonl"
    assert (
        runner.invoke(
            app, ["export", "--db", db, "--format", "gold-jsonl", "-o", str(pred)]
        ).exit_code
        == 0
    )
    theirs = json.loads(
        subprocess.run(
            [
                sys.executable,
                str(referee),
                "--gold",
                str(gold),
                "--pred",
                str(pred),
                "--docs",
                str(seeds),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert ours == theirs
    text = runner.invoke(app, ["eval", "--gold", str(gold), "--docs", str(seeds)]).stdout
    plain = subprocess.run(
        [
            sys.executable,
            str(referee),
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--docs",
            str(seeds),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert text.split() == plain.split()
