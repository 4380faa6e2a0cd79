"""``tieline entities``, ``entity``, ``merge`` and ``split`` in-process, on the example corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app

_register()
runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture
def kb(examples_db: Path, tmp_path: Path) -> str:
    """A writable copy of the example store."""
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(examples_db) + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / f"kb.db{suffix}")
    return str(tmp_path / "kb.db")


def _json(args: list[str]) -> object:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_entities_cli_filters_by_type_and_country(examples_db: Path) -> None:
    db = str(examples_db)
    rows = _json(["entities", "--type", "person", "--db", db])
    assert isinstance(rows, list)
    assert rows
    assert {r["type"] for r in rows} == {"PERSON"}
    ru = _json(["entities", "--country", "RU", "--db", db])
    assert isinstance(ru, list)
    assert {r["country"] for r in ru} == {"RU"}
    assert "Rosatom" in {r["name"] for r in ru}


def test_entities_cli_table_for_people(examples_db: Path) -> None:
    res = runner.invoke(app, ["entities", "--type", "COUNTRY", "--db", str(examples_db)])
    assert res.exit_code == 0
    assert "Russia" in res.output
    assert "entities" in res.output


def test_entity_cli_shows_aliases_and_quoted_mentions(examples_db: Path) -> None:
    d = _json(["entity", "Putin", "--db", str(examples_db)])
    assert isinstance(d, dict)
    assert d["name"] == "Vladimir Putin"
    assert "Putin" in d["aliases"]
    assert d["role"]
    assert all(m["text"] in m["quote"] for m in d["mentions"])
    res = runner.invoke(app, ["entity", "Vladimir Putin", "--db", str(examples_db)])
    assert res.exit_code == 0
    assert "mentions" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["entity", "Nobody At All"], "tieline entities"),
        (["entities", "--type", "WIDGET"], "PERSON"),
        (["split", "Rosatom", "--alias", "Gazprom"], "not an alias"),
        (["merge", "Putin", "Vladimir Putin"], "already one entity"),
    ],
)
def test_entities_cli_errors_say_what_to_do(kb: str, args: list[str], message: str) -> None:
    res = runner.invoke(app, [*args, "--db", kb])
    assert res.exit_code == 2
    assert message in res.output


def test_merge_and_split_survive_reingest(kb: str, tmp_path: Path) -> None:
    merged = _json(["merge", "Gazprom", "Novatek", "--db", kb])
    assert isinstance(merged, dict)
    gid = merged["entity"]["id"]
    split = _json(["split", "Xi Jinping", "--alias", "Xi", "--db", kb])
    assert isinstance(split, dict)
    assert split["split_off"]["name"] == "Xi"
    # A new article comes in: linking runs again from what is stored, judgements included.
    new = tmp_path / "new" / "gazprom.txt"
    new.parent.mkdir()
    new.write_text(
        "Gazprom said on Tuesday that exports to China through the Power of Siberia "
        "pipeline rose again, and Xi Jinping praised the project.",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["ingest", str(new.parent), "--db", kb, "--json"])
    assert res.exit_code == 0, res.output
    gazprom = _json(["entity", "Gazprom", "--db", kb])
    novatek = _json(["entity", "Novatek", "--db", kb])
    assert isinstance(gazprom, dict)
    assert isinstance(novatek, dict)
    assert gazprom["id"] == novatek["id"] == gid
    assert "gazprom.txt" in gazprom["documents"]
    xi = _json(["entity", "Xi", "--db", kb])
    assert isinstance(xi, dict)
    assert xi["name"] == "Xi"
    full = _json(["entity", "Xi Jinping", "--db", kb])
    assert isinstance(full, dict)
    assert "Xi" not in full["aliases"]
