"""``tieline documents`` and ``tieline.documents()``: what the store holds, newest first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tieline
from tieline.errors import ConfigError


def _tieline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIELINE_")}
    return subprocess.run(
        [sys.executable, "-m", "tieline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_documents_json_lists_every_document_newest_first(kb_db: Path, tmp_path: Path) -> None:
    res = _tieline("documents", "--db", str(kb_db), "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    docs = json.loads(res.stdout)
    total = tieline.summary(db=kb_db)
    assert len(docs) == total["documents"]
    dates = [d["published"] for d in docs]
    assert dates == sorted(dates, reverse=True)
    # The counts add up to what the store holds.
    assert sum(d["events"] for d in docs) == sum(total["events"].values())
    assert sum(d["figures"] for d in docs) == total["figures"]
    assert all(d["entities"] >= 1 for d in docs)
    # The same list, in the same order, through the Python API.
    assert [d.id for d in tieline.documents(db=kb_db)] == [d["id"] for d in docs]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"since": "2019-06"}, ["2020-01-14", "2019-12-03", "2019-06-05"]),
        ({"until": "2019"}, ["2019-12-03", "2019-06-05", "2018-10-05"]),
        ({"since": "2019", "until": "2019-06"}, ["2019-06-05"]),
        ({"text": "PIPELINE"}, ["2019-12-03"]),
        ({"limit": 2}, ["2020-01-14", "2019-12-03"]),
        ({"source": "no such outlet"}, []),
    ],
)
def test_documents_filters(kb_db: Path, kwargs: dict[str, object], expected: list[str]) -> None:
    got = tieline.documents(db=kb_db, **kwargs)  # type: ignore[arg-type]
    assert [d.published for d in got] == expected


def test_documents_bad_dates_are_config_errors(kb_db: Path) -> None:
    with pytest.raises(ConfigError, match="'since' wants"):
        tieline.documents(db=kb_db, since="last year")
    with pytest.raises(ConfigError, match="'until' wants"):
        tieline.documents(db=kb_db, until="soon")


def test_documents_table_and_errors(kb_db: Path, tmp_path: Path) -> None:
    res = _tieline("documents", "--db", str(kb_db), "--match", "pipeline", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "1 document"
    assert any("Power of Siberia pipeline" in ln and "2019-12-03" in ln for ln in lines)
    bad = _tieline("documents", "--db", str(kb_db), "--since", "soon", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: 'since' wants")
    assert "Traceback" not in bad.stderr
    none = _tieline("documents", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert none.returncode == 2
    assert "tieline ingest" in none.stderr
