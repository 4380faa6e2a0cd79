"""The bad-input suite: every kind of dirty input gets one line naming the file and the reason,
the run goes on, the exit code reports failures, and nothing already stored is lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from badinputs import HUGE, MAKERS, Case, good_articles, make_all, run_suite, table
from typer.testing import CliRunner

from tieline.config import Settings
from tieline.errors import InputError
from tieline.ingest.decode import decode_bytes
from tieline.ingest.sources import MAX_DOC_CHARS, discover, load_file, load_text, shown_path
from tieline.records import InputFailure
from tieline.scale.runner import load_inputs

ROOT = Path(__file__).resolve().parents[2]


def _mine(failures: list[InputFailure], case: Case) -> list[InputFailure]:
    """The failures that name this case's file (JSONL lines are FILE:N)."""
    names = {shown_path(case.path.name)}
    if case.kind.startswith("file symlink loop"):
        names |= {"loop_a.txt", "loop_b.txt"}
    return [
        f
        for f in failures
        if any(Path(f.source).name == n or Path(f.source).name.startswith(n + ":") for n in names)
    ]


@pytest.mark.parametrize("make", MAKERS, ids=lambda m: m.__name__.strip("_"))
def test_bad_input_each_kind_is_handled_by_the_reader(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    case = make(folder)
    good = good_articles(folder, 1)[0]

    loaded = load_inputs([folder], Settings(db=str(tmp_path / "unused.db"), progress=False))

    mine = _mine(loaded.failures, case)
    assert len(mine) == case.failures, loaded.failures
    assert len(loaded.failures) == case.failures  # no other input failed because of this one
    for f in mine:
        assert case.reason is not None
        assert case.reason.lower() in f.reason.lower()
        assert "\n" not in f.source + f.reason  # one line each
        f.source.encode("utf-8")  # printable and storable, whatever the file name
    texts = [d.text for d in loaded.documents]
    assert sum("Eastern Economic Forum" in t for t in texts) == 1, "the run went on past it"
    assert good.name in {d.name for d in loaded.documents}
    for needle in case.holds:
        assert sum(needle in t for t in texts) == 1, (needle, texts)
    for needle in case.lacks:
        assert not any(needle.lower() in t.lower() for t in texts), needle
    for d in loaded.documents:
        for field in (d.source_key, d.name, d.path or "", d.text):
            field.encode("utf-8")


def test_bad_input_jsonl_names_each_bad_line(tmp_path: Path) -> None:
    case = next(m for m in MAKERS if m.__name__ == "_jsonl")(tmp_path)
    loaded = load_inputs([case.path], Settings(db=str(tmp_path / "u.db"), progress=False))
    assert [f.source for f in loaded.failures] == [f"{case.path}:{n}" for n in (2, 3, 4, 6, 7)]
    assert loaded.failures[-1].reason == "line nested too deeply for the JSON parser"
    assert [d.name for d in loaded.documents] == ["feed.jsonl:1", "feed.jsonl:5"]
    assert loaded.documents[0].published == "2016-10-15"


def test_bad_input_jsonl_line_separator_inside_a_string_is_one_line(tmp_path: Path) -> None:
    # U+2028 may stand unescaped inside a JSON string; it must not split the line.
    p = tmp_path / "sep.jsonl"
    p.write_text(
        json.dumps(
            {"text": "Rosatom and CNNC met in Beijing.\u2028They agreed a plan."},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    loaded = load_inputs([p], Settings(db=str(tmp_path / "u.db"), progress=False))
    assert loaded.failures == []
    [doc] = loaded.documents
    assert "They agreed a plan" in doc.text


def test_bad_input_table_every_kind_held_and_no_data_lost(tmp_path: Path) -> None:
    rows = run_suite(tmp_path)
    print("\n" + table(rows))  # the table the closing note quotes (pytest -s shows it)
    assert len(rows) - 1 == len(MAKERS), "every kind is tried once"
    assert [r.kind for r in rows if not r.held] == [], table(rows)
    assert sum(r.lost for r in rows) == 0, table(rows)


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(db=str(tmp_path / "unused.db"), progress=False, **extra)  # type: ignore[arg-type]


_GOOD_LINE = '{"text": "Rosatom began pouring concrete for the El Dabaa plant in Egypt in 2022."}'


def test_f1_jsonl_integer_over_4300_digits_is_one_failure_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    p = tmp_path / "feed.jsonl"
    p.write_text(
        _GOOD_LINE
        + '\n{"text": "Odd line.", "date": '
        + "7" * 4400
        + "}\n"
        + _GOOD_LINE.replace("Egypt", "Egypt's north coast")
        + "\n",
        encoding="utf-8",
    )
    loaded = load_inputs([p], _settings(tmp_path))
    [f] = loaded.failures
    assert f.source == f"{p}:2"
    assert "digits" in f.reason
    assert len(loaded.documents) == 2


def test_f1_web_upload_reader_keeps_the_other_lines() -> None:
    # The web upload reads bytes through decode_bytes and load_text, as here.
    data = (_GOOD_LINE + '\n{"n": ' + "1" * 5000 + "}\n").encode()
    loaded = load_text(decode_bytes(data), "jsonl", source_key="upload:x", name="up.jsonl")
    assert len(loaded.documents) == 1
    assert [f.source for f in loaded.failures] == ["upload:x:2"]


def test_f17_utf16_without_bom_ascii_only_is_read_not_refused_as_binary() -> None:
    text = "Russia and China opened a new bridge over the Amur in 2019."
    assert decode_bytes(text.encode("utf-16-le")) == text
    assert decode_bytes(text.encode("utf-16-be")) == text
    with pytest.raises(InputError, match="NUL"):
        decode_bytes(b"\x00\x00\x01\x00" * 100)  # NULs on both sides: binary data


@pytest.mark.parametrize("brk", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1e"])
def test_f17_vertical_tab_form_feed_and_nel_part_words(tmp_path: Path, brk: str) -> None:
    p = tmp_path / "breaks.txt"
    p.write_text(f"It was built in 2019{brk}Russia's Rosatom ran it.", encoding="utf-8")
    [doc] = load_file(p).documents
    assert "2019Russia" not in doc.text
    assert "2019\nRussia's Rosatom" in doc.text


def test_f17_jsonl_with_lone_cr_line_ends_keeps_both_articles(tmp_path: Path) -> None:
    p = tmp_path / "mac.jsonl"
    p.write_bytes((_GOOD_LINE + "\r" + _GOOD_LINE.replace("2022", "2023") + "\r").encode())
    loaded = load_inputs([p], _settings(tmp_path))
    assert loaded.failures == []
    assert [d.name for d in loaded.documents] == ["mac.jsonl:1", "mac.jsonl:2"]


def test_f17_latin1_bytes_inside_utf8_are_read_and_warned_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    p = tmp_path / "mixed.txt"
    p.write_bytes(
        "Düsseldorf, 2 July 2020\n\n".encode()
        + "Siemens of München and Société Générale signed.".encode("latin-1")
    )
    with caplog.at_level("WARNING", logger="tieline.ingest"):
        [doc] = load_file(p).documents
    assert "Düsseldorf" in doc.text
    assert "München and Société Générale" in doc.text
    assert "Ã" not in doc.text
    [record] = [r for r in caplog.records if r.name == "tieline.ingest"]
    message = record.getMessage()
    assert str(p) in message
    assert "Windows-1252" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "raw"),
    [("two\nlines.txt", "\n"), ("esc\x1b[2Jx.txt", "\x1b"), ("rtl\u202etxt.exe.txt", "\u202e")],
)
def test_f9_control_characters_in_file_names_are_escaped(
    tmp_path: Path, name: str, raw: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(b"")
    [f] = load_inputs([folder], _settings(tmp_path)).failures
    assert raw not in f.source
    assert "empty" in f.reason
    assert shown_path(folder / name) == f.source
    # Named directly, and failing past discovery (in the reader), it is escaped just the same.
    [f] = load_inputs([folder / name], _settings(tmp_path)).failures
    assert raw not in f.source


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    folder, outside = tmp_path / "in", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(
        "Private words about a gas deal in Tianjin.", encoding="utf-8"
    )
    (folder / "shadow.txt").symlink_to(outside / "secret.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "same.txt").write_text(
        "Kept words about a rail deal in Harbin.", encoding="utf-8"
    )
    (folder / "inside_link.txt").symlink_to(folder / "sub" / "same.txt")
    (folder / "away").symlink_to(outside, target_is_directory=True)
    return folder, outside


def test_f13_symlinks_leaving_the_folder_are_refused_with_one_line(tmp_path: Path) -> None:
    folder, _ = _outside(tmp_path)
    loaded = load_inputs([folder], _settings(tmp_path))
    assert sorted(Path(f.source).name for f in loaded.failures) == ["away", "shadow.txt"]
    for f in loaded.failures:
        assert "outside the folder" in f.reason
        assert "--follow-links" in f.reason
    assert not any("Private words" in d.text for d in loaded.documents)
    # A link that stays inside the folder is read as before.
    assert sorted(d.name for d in loaded.documents) == ["inside_link.txt", "same.txt"]


def test_f13_follow_links_reads_them(tmp_path: Path) -> None:
    folder, _ = _outside(tmp_path)
    loaded = load_inputs([folder], _settings(tmp_path, follow_links=True))
    assert loaded.failures == []
    assert sum("Private words" in d.text for d in loaded.documents) == 2  # link + folder link


def test_f13_a_link_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    folder, _ = _outside(tmp_path)
    [doc] = load_inputs([folder / "shadow.txt"], _settings(tmp_path)).documents
    assert "Private words" in doc.text


def test_f13_device_link_with_follow_links_is_still_not_a_regular_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zeros.txt").symlink_to("/dev/zero")
    [f] = load_inputs([folder], _settings(tmp_path, follow_links=True)).failures
    assert "not a regular file" in f.reason


@pytest.mark.slow
def test_f13_f9_cli_follow_links_option_and_one_escaped_line_each(tmp_path: Path) -> None:
    folder, _ = _outside(tmp_path)
    (folder / "sub" / "same.txt").unlink()
    (folder / "inside_link.txt").unlink()
    (folder / "bad\nname\x1b[31m.txt").write_bytes(b"")
    db = str(tmp_path / "kb.db")
    refused = _cli(["ingest", str(folder), "--db", db, "--json"])
    assert refused.exit_code == 1
    lines = [ln for ln in refused.stderr.splitlines() if ln.strip()]
    assert len(lines) == 3, lines
    assert sum("outside the folder" in ln for ln in lines) == 2
    assert not any("\x1b" in ln for ln in lines)
    followed = _cli(["ingest", str(folder), "--db", db, "--json", "--follow-links"])
    report = json.loads(followed.stdout)
    assert report["added"] == 1  # the same secret text through two links is one document
    assert [Path(f["source"]).name for f in report["failures"]] == [
        shown_path("bad\nname\x1b[31m.txt")
    ]


def test_bad_input_fifty_megabytes_refused_with_the_reason(tmp_path: Path) -> None:
    case = HUGE(tmp_path)
    assert case.path.stat().st_size >= 50 << 20
    loaded = load_inputs([case.path], Settings(db=str(tmp_path / "unused.db"), progress=False))
    assert loaded.documents == []
    [f] = loaded.failures
    assert f.source == str(case.path)
    assert "over the limit" in f.reason
    assert "split it into separate articles" in f.reason


def test_bad_input_max_file_mb_refuses_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "two_mb.txt"
    p.write_bytes(b"Russia and China signed a deal. " * ((2 << 20) // 32 + 1))
    settings = Settings(db=str(tmp_path / "unused.db"), progress=False, max_file_mb=1)
    [f] = load_inputs([p], settings).failures
    assert "over the limit of 1 MB" in f.reason
    assert "max_file_mb" in f.reason


def test_bad_input_long_line_is_read_when_the_limit_allows(tmp_path: Path) -> None:
    case = next(m for m in MAKERS if m.__name__ == "_long_line")(tmp_path)
    with pytest.raises(InputError, match="over the limit"):
        load_file(case.path)
    [doc] = load_file(case.path, max_chars=6 << 20).documents
    assert len(doc.text) > MAX_DOC_CHARS
    assert "\n" not in doc.text
    assert doc.text.startswith("China and Russia traded more goods")


def test_bad_input_limit_counts_cleaned_text_not_markup(tmp_path: Path) -> None:
    # 15,000 characters of markup around 200 of text: the text is well under a 1,000 limit.
    p = tmp_path / "page.html"
    filler = "<div class='x'></div>" * 700
    p.write_text(
        f"<html><body>{filler}<article><p>Rosatom and CNNC signed a contract in Beijing "
        "on Friday for two reactors at the Tianwan plant in Jiangsu province, officials "
        "said, after years of talks between the companies.</p></article></body></html>",
        encoding="utf-8",
    )
    [doc] = load_file(p, max_chars=1_000).documents
    assert "Tianwan" in doc.text


def test_bad_input_file_deleted_partway_through_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good_articles(folder, 3)
    victim = folder / "good_1.txt"

    def delete_next(stage: str, done: int, total: int) -> None:
        if stage == "read" and done == 1:
            victim.unlink()  # listed by discovery, gone before it is read

    loaded = load_inputs(
        [folder], Settings(db=str(tmp_path / "u.db"), progress=False), progress=delete_next
    )
    [f] = loaded.failures
    assert f.source == str(victim)
    assert "disappeared" in f.reason
    assert sorted(d.name for d in loaded.documents) == ["good_0.txt", "good_2.txt"]


def test_bad_input_discover_then_delete_gives_one_reason(tmp_path: Path) -> None:
    good_articles(tmp_path, 1)
    [path] = [p for p in discover([tmp_path]) if isinstance(p, Path)]
    path.unlink()
    with pytest.raises(InputError, match="disappeared"):
        load_file(path)


def test_bad_input_named_paths_that_are_missing_or_unsupported(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    items = list(discover([tmp_path / "nowhere", pdf]))
    assert [
        (Path(f.source).name, f.reason.split(";")[0]) for f in items if isinstance(f, InputFailure)
    ] == [("nowhere", "no such file or folder"), ("report.pdf", "unsupported file type '.pdf'")]


def test_bad_input_unreadable_folder_is_one_failure(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder, so a permission failure cannot be staged")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("Russia and China signed a deal.", encoding="utf-8")
    locked.chmod(0)
    try:
        failures = [x for x in discover([tmp_path]) if isinstance(x, InputFailure)]
    finally:
        locked.chmod(0o755)
    assert [Path(f.source).name for f in failures] == ["locked"]


# ------------------------------------------------------------------ the CLI, end to end


def _cli(args: list[str]):  # type: ignore[no-untyped-def]
    from tieline.cli import _register, app

    _register()
    return CliRunner().invoke(app, args)


def _rows(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


_FACT_COUNTS = (
    "SELECT (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id),"
    " (SELECT count(*) FROM events e WHERE e.doc_id = d.id),"
    " (SELECT count(*) FROM figures f WHERE f.doc_id = d.id), d.id FROM documents d"
)


def _facts_by_doc(db: Path) -> dict[str, tuple[int, int, int]]:
    """Per stored document: (mentions, events, figures)."""
    return {r[3]: (r[0], r[1], r[2]) for r in _rows(db, _FACT_COUNTS)}


@pytest.mark.slow
def test_bad_input_cli_run_goes_on_reports_each_once_and_keeps_the_store(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    prior = good_articles(tmp_path / "prior", 2)
    first = _cli(["ingest", str(prior[0].parent), "--db", str(db), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 2
    before = _facts_by_doc(db)
    assert len(before) == 2
    assert all(m > 0 for m, _, _ in before.values())

    bad = tmp_path / "bad"
    cases = make_all(bad)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "good_new.txt").write_text(
        "Beijing, 21 March 2023\n\nXi Jinping and Vladimir Putin signed a joint statement on "
        "deepening the comprehensive partnership during a state visit to Moscow.",
        encoding="utf-8",
    )

    result = _cli(["ingest", str(bad), str(extra), "--db", str(db), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    expected_failures = sum(c.failures for c in cases)
    expected_warnings = sum(c.warnings for c in cases)
    assert len(report["failures"]) == expected_failures
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    # Exactly one line per failure, and one per warning (mixed encodings read with a guess).
    assert len(lines) == expected_failures + expected_warnings, lines
    for case in cases:
        if not case.failures:
            continue
        mine = [
            ln
            for ln in lines
            if shown_path(case.path.name) in ln
            or (case.kind.startswith("file symlink") and "loop_" in ln)
        ]
        assert len(mine) == case.failures, (case.kind, lines)
    readable = [c for c in cases if c.holds]
    # Readable kinds: one document each, a JSONL file one per good line (one needle each), and
    # the new good article.
    per_case = [len(c.holds) if c.path.suffix == ".jsonl" else 1 for c in readable]
    assert report["added"] == sum(per_case) + 1

    after = _facts_by_doc(db)
    assert {k: after[k] for k in before} == before, "prior documents or their facts changed"
    texts = [t for (t,) in _rows(db, "SELECT text FROM documents")]
    for case in cases:
        for needle in case.holds:
            assert sum(needle in t for t in texts) == 1, needle
        for needle in case.lacks:
            assert not any(needle.lower() in t.lower() for t in texts), needle

    ids = [i for (i,) in _rows(db, "SELECT id FROM documents")]
    assert len(ids) == len(set(ids)) == len(before) + report["added"]

    # Re-run for real, in a subprocess: same failures, nothing added or duplicated.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TIELINE_PROGRESS": "0"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tieline",
            "ingest",
            str(bad),
            str(extra),
            "--db",
            str(db),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    again = json.loads(proc.stdout)
    assert again["added"] == again["updated"] == 0
    assert len(again["failures"]) == expected_failures
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == (
        expected_failures + expected_warnings
    )
    assert _facts_by_doc(db) == after

    ok = _cli(["ingest", str(extra), "--db", str(db), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["failures"] == []


@pytest.mark.slow
def test_bad_input_stored_files_that_go_bad_keep_their_documents(tmp_path: Path) -> None:
    from badinputs import png_bytes

    db = tmp_path / "kb.db"
    folder = tmp_path / "in"
    files = good_articles(folder, 3)
    assert _cli(["ingest", str(folder), "--db", str(db), "--json"]).exit_code == 0
    before = _facts_by_doc(db)

    files[0].write_bytes(png_bytes())  # overwritten by an image
    files[1].write_bytes(b"")  # truncated
    result = _cli(["ingest", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert sorted(Path(f["source"]).name for f in report["failures"]) == [
        "good_0.txt",
        "good_1.txt",
    ]
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 1)
    assert _facts_by_doc(db) == before, "a document was lost when its file went bad"
