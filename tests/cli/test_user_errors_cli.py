"""What a new user meets on a mistake: one ``error:`` line and an exit code, never a traceback.

Run as real processes (``python -m tieline``), the way a user runs the command: the entry point's
own handling is what is under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _tieline(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TIELINE_")}
    return subprocess.run(
        [sys.executable, "-m", "tieline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **(env or {})},
        timeout=120,
        check=False,
    )


def _one_error_line(res: subprocess.CompletedProcess[str], *words: str) -> str:
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: "), lines[0]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("batch_size", "many", "whole number"),
        ("progress", "maybe", "true or false"),
        ("near_dup_threshold", "high", "number"),
        ("workers", "0", "at least 1"),
        ("engine", "spark", "local, process, ray"),
    ],
)
def test_bad_set_value_is_one_line(
    kb_db: Path, tmp_path: Path, setting: str, value: str, reason: str
) -> None:
    res = _tieline("events", "--db", str(kb_db), "--set", f"{setting}={value}", cwd=tmp_path)
    _one_error_line(res, setting, reason)


def test_unknown_set_name_and_set_without_value(kb_db: Path, tmp_path: Path) -> None:
    res = _tieline("events", "--db", str(kb_db), "--set", "colour=red", cwd=tmp_path)
    _one_error_line(res, "unknown setting 'colour'")
    res = _tieline("events", "--db", str(kb_db), "--set", "batch_size", cwd=tmp_path)
    _one_error_line(res, "--set wants key=value")


def test_bad_environment_value_names_the_variable(kb_db: Path, tmp_path: Path) -> None:
    res = _tieline("summary", "--db", str(kb_db), cwd=tmp_path, env={"TIELINE_BATCH_SIZE": "x"})
    _one_error_line(res, "TIELINE_BATCH_SIZE", "whole number")


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[tieline]\nbatch_size = 'lots'\n", ("tieline.toml", "batch_size", "whole number")),
        ("[tieline]\nworkers = -3\n", ("tieline.toml", "workers", "at least 1")),
        ("[tieline]\nprogress = 3\n", ("tieline.toml", "progress", "true or false")),
        ("[tieline]\ncolour = 'red'\n", ("tieline.toml", "unknown setting")),
        ("[tieline\nbatch_size = 3\n", ("tieline.toml", "not valid TOML")),
    ],
)
def test_bad_toml_is_one_line_naming_the_file(
    kb_db: Path, tmp_path: Path, toml: str, words: tuple[str, ...]
) -> None:
    (tmp_path / "tieline.toml").write_text(toml, encoding="utf-8")
    res = _tieline("summary", "--db", str(kb_db), cwd=tmp_path)
    _one_error_line(res, *words)


def test_bad_toml_fails_even_commands_without_a_store(tmp_path: Path) -> None:
    (tmp_path / "tieline.toml").write_text("batch_size = 'lots'\n", encoding="utf-8")
    res = _tieline("serve", "--port", "1", cwd=tmp_path)
    _one_error_line(res, "tieline.toml", "batch_size")


@pytest.mark.parametrize("fmt", ["jsonl", "gold-jsonl", "events-csv", "graphml", "ftm"])
def test_export_into_a_missing_folder_is_one_line(kb_db: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "missing" / "dir" / "x.out"
    res = _tieline("export", "--db", str(kb_db), "-f", fmt, "-o", str(target), cwd=tmp_path)
    _one_error_line(res, str(target), "No such file or directory")
    assert not target.parent.exists()


def test_export_onto_a_folder_is_one_line(kb_db: Path, tmp_path: Path) -> None:
    res = _tieline("export", "--db", str(kb_db), "-o", str(tmp_path), cwd=tmp_path)
    _one_error_line(res, str(tmp_path))


def test_a_reader_that_stops_early_is_no_error(kb_db: Path) -> None:
    """`tieline export | head`: the pipe closes under the writer; no error line, SIGPIPE's
    status."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tieline", "export", "--db", str(kb_db), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141), err
    assert "error" not in err.lower()
    assert "Traceback" not in err
