"""What the tables and counts look like to a user: words in the right number, and tables at
full width when the output goes to a pipe or a file (run as real processes, stdout a pipe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tieline.cli.common import counted


def _tieline(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIELINE_")}
    # A user's shell often exports COLUMNS; a pipe must not be cut to it either.
    env["COLUMNS"] = "80"
    res = subprocess.run(
        [sys.executable, "-m", "tieline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (1, "event", "1 event"),
        (2, "event", "2 events"),
        (0, "hit", "0 hits"),
        (1, "entity", "1 entity"),
        (3, "entity", "3 entities"),
        (2, "day", "2 days"),
        (2, "cited line", "2 cited lines"),
    ],
)
def test_counted_puts_the_word_in_the_right_number(n: int, word: str, expected: str) -> None:
    assert counted(n, word) == expected


def test_one_event_one_hit_are_singular(kb_db: Path, tmp_path: Path) -> None:
    db = str(kb_db)
    assert _tieline("events", "--db", db, "--actor", "Gazprom", cwd=tmp_path).splitlines()[0] == (
        "1 event"
    )
    assert _tieline("events", "--db", db, cwd=tmp_path).splitlines()[0] == "5 events"
    timeline = _tieline("timeline", "--db", db, "--actor", "Gazprom", cwd=tmp_path)
    assert timeline.splitlines()[0] == "timeline: 1 event"
    hits = _tieline("search", "Siberia", "--db", db, "--kind", "event", cwd=tmp_path)
    assert hits.splitlines()[0] == "1 hit for 'Siberia'"


def test_entity_page_counts_in_the_right_number(kb_db: Path, tmp_path: Path) -> None:
    page = _tieline("entity", "Gazprom", "--db", str(kb_db), cwd=tmp_path)
    assert "in 1 document, 1 mention" in page
    assert "1 event" in page.splitlines()
    for wrong in ("1 documents", "1 mentions", "1 events"):
        assert wrong not in page


def test_tables_are_not_cut_to_80_columns_in_a_pipe(kb_db: Path, tmp_path: Path) -> None:
    db = str(kb_db)
    table = _tieline("events", "--db", db, cwd=tmp_path)
    events = json.loads(_tieline("events", "--db", db, "--json", cwd=tmp_path))
    assert max(len(line) for line in table.splitlines()) > 80
    lines = table.splitlines()
    for e in events:
        # Every quote whole, on the line of its event: nothing folded or cut off.
        assert any(e["evidence"] in line for line in lines), e["evidence"]
    entities = _tieline("entities", "--db", db, cwd=tmp_path)
    assert any("China National Petroleum Corporation" in line for line in entities.splitlines())
