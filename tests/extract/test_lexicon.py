"""The one loader of word lists: rows with their line numbers, errors as ``file:line: reason``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieline.errors import ConfigError
from tieline.extract.lexicon import LexiconError, load_jsonl, load_tsv


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    text = '// a comment\n\n{"lemmas": ["Will"]}\n# another\n{"x": 1}\n'
    path = _write(tmp_path, "w.jsonl", text)
    rows = load_jsonl(path)
    assert [r.line for r in rows] == [3, 5]
    assert rows[0].words("lemmas") == ["will"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{"a": 1}\n{"a": \n', 2, "not JSON"),
        ('// c\n["a", "b"]\n', 2, "a JSON object expected, not list"),
        ('{"a": 1}\n\n{"b": 2}\n', 3, "missing 'a'"),
    ],
)
def test_jsonl_errors_name_the_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = _write(tmp_path, "bad.jsonl", text)
    with pytest.raises(LexiconError) as err:
        load_jsonl(path, required=("a",))
    assert str(err.value).startswith(f"{path}:{line}: {reason}")
    assert isinstance(err.value, ConfigError)


def test_row_checks_name_the_row_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "w.jsonl", '{"lemmas": "will", "kind": "odd"}\n')
    (row,) = load_jsonl(path)
    with pytest.raises(LexiconError, match=rf"^{path}:1: 'lemmas' must be a list"):
        row.words("lemmas")
    with pytest.raises(LexiconError, match=rf"^{path}:1: 'kind' is 'odd', expected one of a, b"):
        row.choice("kind", ("a", "b"))


def test_tsv_rows_and_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "w.tsv", "# kind\tword\tvalue\nshift\tlast\t-1\n\nshift\tnext\n")
    with pytest.raises(LexiconError) as err:
        load_tsv(path, ("kind", "word", "value"))
    assert str(err.value) == f"{path}:4: 2 columns, expected 3 (kind, word, value)"
    path = _write(tmp_path, "ok.tsv", "shift\tlast\t-1\nshift\t\t1\n")
    with pytest.raises(LexiconError, match=r":2: empty 'word'$"):
        load_tsv(path, ("kind", "word", "value"))


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"nope\.jsonl:0: cannot be read"):
        load_jsonl(tmp_path / "nope.jsonl")


def test_the_bundled_tables_load() -> None:
    from tieline.extract.dates import date_words

    words = date_words()
    assert words.shift["last"] == -1
    assert "till" in words.deadline
