"""CI lints before it tests: `make lint` runs ruff (rules and format) and mypy --strict, and
`.ci/run` runs it ahead of `make test`, so a style or type error fails the build."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _recipe(target: str) -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    assert m, f"Makefile has no {target} target"
    return [ln.strip() for ln in m.group(1).splitlines()]


def test_make_lint_runs_ruff_format_and_mypy_strict() -> None:
    recipe = " ; ".join(_recipe("lint"))
    assert re.search(r"ruff check src tests", recipe), recipe
    assert re.search(r"ruff format --check src tests", recipe), recipe
    assert re.search(r"mypy --strict src/tieline", recipe), recipe


def test_ci_runs_lint_before_the_tests() -> None:
    steps = [
        ln.strip()
        for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if ln.strip().startswith("make ")
    ]
    assert "make lint" in steps, steps
    assert "make test" in steps, steps
    assert steps.index("make lint") < steps.index("make test")
    assert "set -euo pipefail" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
