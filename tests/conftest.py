"""Shared fixtures (the only place for them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tieline.config import Settings
from tieline.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "eval" / "seeds.gold.jsonl"
REFEREE = SHARED / "eval" / "score.py"
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def seeds() -> Path:
    """The reference corpus beside the checkout; skipped on a clone without ../shared."""
    if not SEEDS.is_dir() or not GOLD.is_file():
        pytest.skip(f"reference corpus not found at {SEEDS} (../shared is absent on a user's clone)")
    return SEEDS


@pytest.fixture
def referee() -> Path:
    if not REFEREE.is_file():
        pytest.skip(f"referee scorer not found at {REFEREE} (../shared is absent on a user's clone)")
    return REFEREE


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh SQLite file in tmp_path and no progress bars."""
    return Settings(db=str(tmp_path / "t.db"), progress=False)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store(settings.db) as s:
        yield s


@pytest.fixture
def memory_store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    """The real extraction pipeline, loaded once per test session."""
    from tieline.extract.pipeline import get_pipeline

    return get_pipeline(Settings(progress=False))


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seeds, ingested once per session (read-only for tests)."""
    if not SEEDS.is_dir():
        pytest.skip(f"reference corpus not found at {SEEDS} (../shared is absent on a user's clone)")
    from tieline.scale.runner import ingest_paths

    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    ingest_paths([SEEDS], Settings(db=str(db), progress=False))
    return db


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled examples, ingested once per session (read-only for tests)."""
    from tieline.scale.runner import ingest_paths

    db = tmp_path_factory.mktemp("examples") / "examples.db"
    ingest_paths([EXAMPLES], Settings(db=str(db), progress=False))
    return db
