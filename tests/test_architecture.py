"""The import direction of STYLE.md: records/errors/config <- ingest/extract/store <- query <-
eval/scale <- api <- web/cli. A stage never imports from a stage to its right. ``namekey`` (the
name key that extraction links by and the store indexes by) sits with the records. The API
(``tieline/api.py``) is the front door: the web and the CLI read through it, and the web never
imports the store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tieline"
LEVEL = {
    "records": 0,
    "errors": 0,
    "config": 0,
    "registry": 0,
    "namekey": 0,
    "nearbands": 0,
    "ingest": 1,
    "extract": 1,
    "store": 1,
    "query": 2,
    "eval": 3,
    "scale": 3,
    "train": 4,
    "api": 4,
    "web": 5,
    "cli": 5,
}
# Stages on one level that must not import each other.
SIBLINGS_APART = {
    ("ingest", "store"),
    ("extract", "store"),
    ("store", "extract"),
    ("store", "ingest"),
    # The web reads through tieline.api, never the store (issue 15).
    ("web", "store"),
}
# The three rules issue 15 names, asserted on their own so that a change of LEVEL cannot
# lift them silently.
NEVER = (("web", "store"), ("query", "cli"), ("extract", "store"))


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tieline" else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return found


FILES = sorted(
    p
    for p in SRC.rglob("*.py")
    if p.relative_to(SRC).parts[0] in {*(k + ".py" for k in LEVEL), *LEVEL}
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_left(path: Path) -> None:
    own = path.relative_to(SRC).parts[0].removesuffix(".py")
    for mod in _imports(path):
        other = _stage(mod)
        if other is None or other == own or other not in LEVEL:
            continue
        why = f"{path.relative_to(SRC)} imports {mod}: {own} may not depend on {other}"
        assert LEVEL[other] <= LEVEL[own], why
        assert (own, other) not in SIBLINGS_APART, why


@pytest.mark.parametrize(("own", "other"), NEVER, ids=lambda x: str(x))
def test_never_imports(own: str, other: str) -> None:
    for path in FILES:
        if path.relative_to(SRC).parts[0].removesuffix(".py") != own:
            continue
        bad = [m for m in _imports(path) if _stage(m) == other]
        assert not bad, f"{path.relative_to(SRC)} imports {bad}: never {own} -> {other}"


def test_web_reads_through_the_api() -> None:
    web = [p for p in FILES if p.relative_to(SRC).parts[0] == "web"]
    assert any("tieline.api" in _imports(p) for p in web)
