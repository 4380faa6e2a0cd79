"""Issue 18, the command line against a hostile world: data that looks like Rich markup, stores
that are corrupt, empty, read-only, full or newer than this code, and two ingests at once.

Each test is named after the failure it pins (test_fN_...)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.config import Settings
from tieline.extract.names import name_key
from tieline.ingest.dedupe import doc_id
from tieline.records import Document, Entity, Event, Extraction, Figure, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

_register()
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

# Our own sentence, with text that Rich would read as markup if it were not printed literally.
HOSTILE = (
    "Russia [/b] and China [link=https://evil.example/x]signed[/link] a deal on "
    ":rocket: launches worth 5 billion dollars in 2023 [bold]today[/bold]."
)


def _hostile_store(db: Path) -> None:
    """A one-document store whose quotes, names and evidence hold markup-like text."""
    text = HOSTILE
    did = doc_id(text)
    doc = Document(
        id=did,
        source_key="hostile.txt",
        text=text,
        name="hostile[/x].txt",
        path="hostile[/x].txt",
        title="[/i] title",
        published="2023-05-01",
        published_precision="day",
    )
    ents = (
        Entity(
            key=name_key("Russia"), name="Russia", type="COUNTRY", country="RU", mention_count=1
        ),
        Entity(key=name_key("China"), name="China", type="COUNTRY", country="CN", mention_count=1),
        Entity(key=name_key("[/x] Corp"), name="[/x] Corp", type="ORG", mention_count=1),
    )
    ev = Event(
        id=hashlib.sha256(text.encode()).hexdigest()[:16],
        type="agreement",
        trigger="signed",
        trigger_start=text.index("signed"),
        trigger_end=text.index("signed") + 6,
        sentence_start=0,
        sentence_end=len(text),
        evidence=text,
        participants=(
            Participant(name_key("Russia"), "Russia", "source"),
            Participant(name_key("China"), "China", "target"),
        ),
        date="2023",
        date_precision="year",
        status="done",
    )
    n0 = text.index("5 billion dollars")
    fig = Figure(
        id=hashlib.sha256(b"f" + text.encode()).hexdigest()[:16],
        measure="deal_value",
        value=5e9,
        unit="USD",
        start=n0,
        end=n0 + 17,
        text="5 billion dollars",
        evidence=text,
        currency="USD",
        period="2023",
        period_start="2023-01-01",
        period_end="2023-12-31",
        status="done",
        actors=("Russia", "China"),
        sentence_start=0,
        sentence_end=len(text),
    )
    ext = Extraction(
        doc_id=did, pipeline_version="test.v1", entities=ents, events=(ev,), figures=(fig,)
    )
    with Store(str(db)) as store:
        store.write([(doc, ext, None)])
        relink(store, Settings(db=str(db), progress=False))


def test_f8_cli_prints_data_literally(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    _hostile_store(db)
    for args in (
        ["entity", "Russia"],
        ["figures"],
        ["events"],
        ["entities"],
        ["search", "[/x]"],
        ["entity", "[/x] Corp"],
        ["timeline"],
    ):
        res = runner.invoke(app, [*args, "--db", str(db)])
        assert res.exception is None or isinstance(res.exception, SystemExit), (args, res.output)
        assert res.exit_code in (0, 1, 2), (args, res.output)
        assert "Traceback" not in res.output, args
        assert "MarkupError" not in res.output, args
        assert "\x1b]8;" not in res.output, f"{args}: a terminal hyperlink was printed"
    shown = runner.invoke(app, ["entity", "Russia", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    assert "[/b]" in flat
    assert "[link=https://evil.example/x]" in flat
    assert ":rocket:" in flat
    # A missing store named with markup in its name: the message names that very file.
    missing = tmp_path / "no[bold]such.db"
    res = runner.invoke(app, ["summary", "--db", str(missing)])
    assert res.exit_code == 2
    assert "no[bold]such.db" in res.output
    res = runner.invoke(app, ["summary", "--db", str(tmp_path / "[/x].db")])
    assert res.exit_code == 2
    assert "[/x].db" in res.output


# ----------------------------------------------------------------------------- F5: two writers
def _plain_items(n: int) -> list[tuple[Document, Extraction, bytes | None]]:
    """Documents with no facts: enough for the store's identity rules."""
    out = []
    for i in range(n):
        text = f"Report {i}: Russia and China opened a joint laboratory in Kazan in 20{10 + i}."
        did = doc_id(text)
        out.append(
            (
                Document(id=did, source_key=f"/in/{i}.txt", text=text, name=f"{i}.txt"),
                Extraction(doc_id=did, pipeline_version="test.v1"),
                None,
            )
        )
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def race_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "race.db")
    return str(request.getfixturevalue("pg_db"))


def test_f5_writer_that_loses_a_race_counts_documents_unchanged(
    race_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _plain_items(5)
    with Store(race_url) as winner, Store(race_url) as loser:
        looked_up = Store._identities

        def other_writer_commits_between(self: Store, conn, batch):  # type: ignore[no-untyped-def]
            # The loser has looked up what is stored (nothing); the winner commits the same
            # documents before the loser inserts: the interleaving two ingests hit every time.
            found = looked_up(self, conn, batch)
            if self is loser and not winner.count("documents"):
                assert winner.write(items).added == 5
            return found

        monkeypatch.setattr(Store, "_identities", other_writer_commits_between)
        got = loser.write(items)
        assert (got.added, got.unchanged) == (0, 5)
        assert loser.count("documents") == 5


@pytest.mark.slow
def test_f5_two_cli_ingests_of_one_folder_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"{i}.txt").write_text(
            f"Rosatom and the China National Nuclear Corporation agreed on {i + 1} March 2021 "
            f"to build reactor unit {i + 3} at the Tianwan plant.",
            encoding="utf-8",
        )
    db = tmp_path / "kb.db"
    cmd = [sys.executable, "-m", "tieline", "ingest", str(folder), "--db", str(db), "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_stdout, stderr) in zip(procs, outs, strict=True):
        assert p.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert "Tianwan" not in stderr
    import json

    reports = [json.loads(o) for o, _ in outs]
    assert sorted(r["added"] + r["unchanged"] for r in reports) == [6, 6]
    assert sum(r["added"] for r in reports) == 6
    assert sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0] == 6


# ----------------------------------------------------------------- F7, F16: stores that fight back
def _empty_dir(tmp_path: Path) -> str:
    folder = tmp_path / "empty-folder"
    folder.mkdir(exist_ok=True)
    return str(folder)


def _one_line_error(res) -> str:  # type: ignore[no-untyped-def]
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


def test_f7_empty_file_as_db_is_refused_not_a_new_store(tmp_path: Path) -> None:
    empty = tmp_path / "typo.db"
    empty.write_bytes(b"")
    for args in (["summary"], ["ingest", _empty_dir(tmp_path)]):
        line = _one_line_error(runner.invoke(app, [*args, "--db", str(empty)]))
        assert "typo.db" in line
        assert "empty file" in line
    assert empty.stat().st_size == 0


def test_f7_corrupt_store_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(bytes(range(256)) * 8)
    for args in (["summary"], ["search", "Russia"], ["ingest", _empty_dir(tmp_path)]):
        line = _one_line_error(runner.invoke(app, [*args, "--db", str(bad)]))
        assert "corrupt.db" in line
        assert "not a SQLite database" in line
    # A store whose pages are garbage past a good header: also one line.
    db = tmp_path / "torn.db"
    _hostile_store(db)
    raw = bytearray(db.read_bytes())
    raw[100:] = bytes(len(raw) - 100)
    db.write_bytes(bytes(raw))
    line = _one_line_error(runner.invoke(app, ["summary", "--db", str(db)]))
    assert "torn.db" in line or "store" in line


def _without_root_override() -> list[str]:
    """A prefix that runs a command without root's power to write read-only files."""
    if os.geteuid() != 0:
        return []
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): cannot make a file read-only")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps, "--"]


def _cli(args: list[str], *, prefix: list[str] = (), preexec=None):  # type: ignore[no-untyped-def,assignment]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "tieline", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=preexec,
        check=False,
    )


def test_f7_read_only_store_reads_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "kb.db"
    _hostile_store(db)
    db.chmod(0o444)
    folder.chmod(0o555)  # a read-only mount, as far as SQLite can tell: no -wal, no -shm
    try:
        pre = _without_root_override()
        summary = _cli(["summary", "--db", str(db), "--json"], prefix=pre)
        assert summary.returncode == 0, summary.stderr
        assert '"documents": 1' in summary.stdout
        search = _cli(["search", "laboratory", "--db", str(db), "--json"], prefix=pre)
        assert search.returncode == 0, search.stderr
        entity = _cli(["entity", "Russia", "--db", str(db)], prefix=pre)
        assert entity.returncode == 0, entity.stderr
        for args in (["merge", "Russia", "China"], ["ingest", str(tmp_path)]):
            res = _cli([*args, "--db", str(db)], prefix=pre)
            assert res.returncode == 2, res.stderr
            assert "Traceback" not in res.stderr
            lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
            assert len(lines) == 1, res.stderr
            assert "read-only" in lines[0], res.stderr
    finally:
        folder.chmod(0o755)
    assert sorted(p.name for p in folder.iterdir()) == ["kb.db"]


def test_f7_full_disk_is_one_line_and_keeps_the_store(tmp_path: Path) -> None:
    import resource

    db = tmp_path / "kb.db"
    _hostile_store(db)
    before = sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0]

    def small_disk() -> None:
        # Every file this process writes stops at 2 KB: the store's log cannot grow, as on a
        # full disk (Python ignores SIGXFSZ, so the write fails instead of killing it).
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    for args in (
        ["merge", "Russia", "China", "--db", str(db)],
        ["ingest", _empty_dir(tmp_path), "--db", str(tmp_path / "new.db")],
    ):
        res = _cli(args, preexec=small_disk)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, res.stderr
        assert lines[0].startswith("error:"), res.stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0] == before
    assert summary_ok(db)


def summary_ok(db: Path) -> bool:
    return runner.invoke(app, ["summary", "--db", str(db)]).exit_code == 0


def test_f16_store_with_newer_schema_is_refused(tmp_path: Path) -> None:
    from tieline.store.migrations import MIGRATIONS

    db = tmp_path / "kb.db"
    _hostile_store(db)
    newer = max(v for v, _, _ in MIGRATIONS) + 50
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (?, 'from the future', '2030-01-01')",
            (newer,),
        )
    for args in (["summary"], ["ingest", _empty_dir(tmp_path)], ["merge", "Russia", "China"]):
        line = _one_line_error(runner.invoke(app, [*args, "--db", str(db)]))
        assert "newer Tieline" in line
        assert str(newer) in line
        assert "kb.db" in line
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 0
