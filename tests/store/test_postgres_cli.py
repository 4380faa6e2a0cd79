"""Every reading command gives the same answer on a PostgreSQL store as on a SQLite one."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app

_register()
runner = CliRunner()

# Commands that read the store, each with arguments that make it print machine output.
READS = [
    ["summary", "--json"],
    ["entities", "--json"],
    ["events", "--json"],
    ["timeline", "--json"],
    ["figures", "--json"],
    ["search", "gas", "--json"],
    ["graph", "--json"],
    ["export", "--format", "gold-jsonl"],
    ["export", "--format", "jsonl"],
]


@pytest.fixture(scope="module")
def pg_examples(pg_url: str, examples: Path) -> str:
    """The example corpus ingested through the CLI into a new PostgreSQL database."""
    import psycopg

    name = "cli_" + uuid.uuid4().hex[:12]
    server = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = f"{server}/{name}"
    res = runner.invoke(app, ["ingest", str(examples), "--db", url, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] >= 10
    return url


@pytest.fixture(scope="module")
def examples() -> Path:  # module scope, for pg_examples
    return Path(__file__).resolve().parents[2] / "examples"


def _without_times(text: str) -> str:
    """Machine output minus the moment each document was stored."""

    def scrub(x: object) -> object:
        if isinstance(x, dict):
            return {k: scrub(v) for k, v in x.items() if k not in ("ingested_at",)}
        if isinstance(x, list):
            return [scrub(v) for v in x]
        return x

    text = text.strip()
    try:
        return json.dumps(scrub(json.loads(text)), sort_keys=True)
    except json.JSONDecodeError:  # JSON lines
        return "\n".join(
            json.dumps(scrub(json.loads(line)), sort_keys=True)
            for line in text.splitlines()
            if line.strip()
        )


@pytest.mark.slow
@pytest.mark.parametrize("args", READS, ids=lambda a: "-".join(a[:3]))
def test_read_command_same_on_postgresql_and_sqlite(
    args: list[str], pg_examples: str, examples_db: Path
) -> None:
    help_text = runner.invoke(app, [args[0], "--help"]).output
    if "--db" not in help_text:
        pytest.skip(f"'tieline {args[0]}' takes no --db")
    on_pg = runner.invoke(app, [*args, "--db", pg_examples])
    on_sqlite = runner.invoke(app, [*args, "--db", str(examples_db)])
    assert on_pg.exit_code == on_sqlite.exit_code == 0, on_pg.output + on_sqlite.output
    if args[0] == "search":
        # FTS5's BM25 and PostgreSQL's ts_rank score differently: the same hits, in any order.
        pg, lite = json.loads(on_pg.stdout), json.loads(on_sqlite.stdout)
        assert pg["total"] == lite["total"]
        if len(lite["items"]) == lite["total"]:  # one page holds every hit
            assert sorted(h["id"] for h in pg["items"]) == sorted(h["id"] for h in lite["items"])
        return
    assert _without_times(on_pg.stdout) == _without_times(on_sqlite.stdout)
