"""Shared fixtures (the only place for them)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tieline import registry
from tieline.config import Settings
from tieline.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "eval" / "seeds.gold.jsonl"
REFEREE = SHARED / "eval" / "score.py"
EXAMPLES = ROOT / "examples"


def load_module(name: str, path: Path) -> ModuleType:
    """A module loaded from a file outside the package (the benchmarks, test data builders)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


DATA = Path(__file__).parent / "data"


@pytest.fixture
def seeds() -> Path:
    """The reference corpus beside the checkout; skipped on a clone without ../shared."""
    if not SEEDS.is_dir() or not GOLD.is_file():
        pytest.skip(
            f"reference corpus not found at {SEEDS} (../shared is absent on a user's clone)"
        )
    return SEEDS


@pytest.fixture
def referee() -> Path:
    if not REFEREE.is_file():
        pytest.skip(
            f"referee scorer not found at {REFEREE} (../shared is absent on a user's clone)"
        )
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
        pytest.skip(
            f"reference corpus not found at {SEEDS} (../shared is absent on a user's clone)"
        )
    from tieline.scale.runner import ingest_paths

    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    ingest_paths([SEEDS], Settings(db=str(db), progress=False))
    return db


@pytest.fixture(scope="session")
def seed_scores(seeds_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    """The referee's JSON scores for the seeds store, computed once per session."""
    if not REFEREE.is_file():
        pytest.skip(
            f"referee scorer not found at {REFEREE} (../shared is absent on a user's clone)"
        )
    import json
    import subprocess
    import sys

    from tieline.eval.gold import write_gold

    pred = tmp_path_factory.mktemp("seed-scores") / "pred.jsonl"
    with Store(str(seeds_db), create=False) as store, pred.open("w", encoding="utf-8") as fh:
        write_gold(store, fh)
    res = subprocess.run(
        [
            sys.executable,
            str(REFEREE),
            "--gold",
            str(GOLD),
            "--pred",
            str(pred),
            "--docs",
            str(SEEDS),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled examples, ingested once per session (read-only for tests)."""
    from tieline.scale.runner import ingest_paths

    db = tmp_path_factory.mktemp("examples") / "examples.db"
    ingest_paths([EXAMPLES], Settings(db=str(db), progress=False))
    return db


def _pg_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries (newest version), if installed."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A real PostgreSQL server on 127.0.0.1 for the session; yields its empty 'tieline' db URL.

    Tests that need a database of their own use ``pg_db``. Skipped only where Debian's
    ``postgresql`` package (initdb, pg_ctl) is not installed.
    """
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql; .ci/run does this)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="tieline-pg-"))
    as_root = os.geteuid() == 0
    if as_root:  # initdb refuses to run as root: the server runs as the postgres user
        shutil.chown(tmp, "postgres", "postgres")
    pre = ["runuser", "-u", "postgres", "--"] if as_root else []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = tmp / "data"
    subprocess.run(
        [
            *pre,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    opts = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={tmp} "
        "-c fsync=off -c full_page_writes=off"
    )
    subprocess.run(
        [
            *pre,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "-l",
            str(tmp / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE tieline")
        yield f"postgresql://postgres@127.0.0.1:{port}/tieline"
    finally:
        subprocess.run(
            [*pre, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_db(pg_url: str) -> str:
    """The URL of a fresh, empty PostgreSQL database on the session's server."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    server = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture(scope="session")
def kb_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small hand-built knowledge base (tests/query/kbdata.py), no NLP model; read-only."""
    mod = load_module("kbdata", Path(__file__).parent / "query" / "kbdata.py")
    return Path(mod.build_kb(tmp_path_factory.mktemp("kb") / "kb.db"))


@pytest.fixture(scope="session")
def ray_local() -> Iterator[Any]:
    """A local Ray with 2 CPUs and no dashboard, started once per session and shut down after."""
    import logging

    ray = pytest.importorskip("ray", reason="Ray is not installed (the 'scale' extra)")
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def web_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving tests/data/web/ (tests/ingest/webserver.py)."""
    mod = load_module("webserver", Path(__file__).parent / "ingest" / "webserver.py")
    server = mod.Server()
    try:
        yield server.base
    finally:
        server.close()


# Installed plugins must not change what the tests see: entry points stay unloaded unless a
# test opts in (tests/test_registry.py).
registry.use_entry_points(False)
