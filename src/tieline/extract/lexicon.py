"""Word lists kept as data: one loader for the JSONL and TSV tables under ``tieline/data/``.

Every table of cue words (modality, dates, figures) is read here, so a wrong line is reported
the same way everywhere: ``file:line: reason``, with the line number of the file as written
(comments and blank lines counted). Lines starting with ``//`` or ``#`` are comments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tieline.errors import ConfigError

_COMMENTS = ("//", "#")


class LexiconError(ConfigError):
    """A line of a word list is wrong; the message names the file and the line."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Row:
    """One entry of a table: its fields and where it was written."""

    path: str
    line: int
    fields: dict[str, Any]

    def error(self, reason: str) -> LexiconError:
        """An error pointing at this row's line."""
        return LexiconError(self.path, self.line, reason)

    def get(self, key: str, default: Any = None) -> Any:
        """A field, or ``default`` when absent."""
        return self.fields.get(key, default)

    def words(self, key: str) -> list[str]:
        """A field holding a list of words (lower-cased), or [] when absent."""
        value = self.fields.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise self.error(f"'{key}' must be a list of non-empty strings")
        return [w.lower() for w in value]

    def choice(self, key: str, allowed: Sequence[str], default: str | None = None) -> str | None:
        """A field that must be one of ``allowed`` (or absent, giving ``default``)."""
        value = self.fields.get(key, default)
        if value is not None and value not in allowed:
            raise self.error(f"'{key}' is {value!r}, expected one of {', '.join(allowed)}")
        return None if value is None else str(value)


def data_path(name: str) -> Path:
    """The path of a bundled table, ``name`` relative to ``tieline/data``."""
    return Path(str(resources.files("tieline") / "data" / name))


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LexiconError(path, 0, f"cannot be read ({e.strerror or e})") from e
    except UnicodeDecodeError as e:
        raise LexiconError(path, 0, "is not UTF-8") from e
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s and not s.startswith(_COMMENTS):
            out.append((n, line))
    return out


def load_jsonl(source: str | Path, required: Sequence[str] = ()) -> list[Row]:
    """The objects of a JSONL table, each with the keys in ``required``.

    ``source`` is a path, or a name relative to ``tieline/data`` (``"modality.jsonl"``).
    """
    path = source if isinstance(source, Path) else data_path(source)
    rows = []
    for n, line in _lines(path):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise LexiconError(path, n, f"not JSON ({e.msg} at column {e.colno})") from e
        if not isinstance(obj, dict):
            raise LexiconError(path, n, f"a JSON object expected, not {type(obj).__name__}")
        missing = [k for k in required if k not in obj]
        if missing:
            raise LexiconError(path, n, f"missing {', '.join(repr(k) for k in missing)}")
        rows.append(Row(str(path), n, obj))
    return rows


def load_tsv(source: str | Path, columns: Sequence[str]) -> list[Row]:
    """The rows of a tab-separated table with exactly ``columns``, none of them empty."""
    path = source if isinstance(source, Path) else data_path(source)
    rows = []
    for n, line in _lines(path):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(columns):
            raise LexiconError(
                path, n, f"{len(cells)} columns, expected {len(columns)} ({', '.join(columns)})"
            )
        empty = [c for c, v in zip(columns, cells, strict=True) if not v]
        if empty:
            raise LexiconError(path, n, f"empty {', '.join(repr(c) for c in empty)}")
        rows.append(Row(str(path), n, dict(zip(columns, cells, strict=True))))
    return rows
