"""The eval gate: scores must not fall more than a small margin below pinned floors.

``tests/eval/baseline.json`` pins a floor per figure and a hash of the gold file it was
measured on. Floors are raised deliberately, never lowered silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MARGIN = 0.005


def gold_hash(path: Path) -> str:
    """SHA-256 of a gold file's bytes (the baseline is valid only for that gold set)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lookup(result: Mapping[str, Any], dotted: str) -> float:
    node: Any = result
    for part in dotted.split("."):
        node = node[part]
    return float(node)


def check(
    result: Mapping[str, Any],
    floors: Mapping[str, float],
    ceilings: Mapping[str, float] | None = None,
) -> list[str]:
    """The figures that fell below their floor by more than the margin (or rose above a ceiling)."""
    problems = []
    for key, floor in floors.items():
        got = _lookup(result, key)
        if got < floor - MARGIN:
            problems.append(f"{key} is {got:.4f}, below its floor {floor:.4f}")
    for key, ceiling in (ceilings or {}).items():
        got = _lookup(result, key)
        if got > ceiling:
            problems.append(f"{key} is {got:g}, above its ceiling {ceiling:g}")
    return problems
