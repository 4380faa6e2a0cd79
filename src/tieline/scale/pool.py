"""The process engine: extraction spread over a local process pool (``--engine process``).

Each worker process loads the pipeline once, when it starts, and then extracts chunks of
documents sent to it. The parent never loads spaCy: it only reads inputs and writes results.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.extract.pipeline import Pipeline
from tieline.records import Document, Extraction
from tieline.scale.executor import EngineError, load_pipeline, map_in_order

T = TypeVar("T")

# The pipeline of this worker process, set once by _start_worker.
_PIPELINE: Pipeline | None = None


# Math libraries start one thread per core in every worker; N workers on N cores would then
# fight over them. One thread each, as Ray gives an actor with num_cpus=1. Set before the
# pipeline loads numpy (a user's own setting wins).
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _start_worker(settings: Settings) -> None:
    global _PIPELINE
    for var in _ONE_THREAD:
        os.environ.setdefault(var, "1")
    _PIPELINE = load_pipeline(settings)


def _worker_pipeline() -> Pipeline:
    if _PIPELINE is None:  # pragma: no cover - the pool's initializer always runs first
        raise EngineError("worker started without its pipeline")
    return _PIPELINE


def _extract_chunk(docs: Sequence[Document]) -> list[Extraction]:
    pipe = _worker_pipeline()
    return list(pipe.extract_many(docs, batch_size=max(1, len(docs))))


def _ready() -> tuple[int, str]:
    # Held a moment, so that a worker already loaded cannot take every call of a round.
    time.sleep(0.2)
    return os.getpid(), _worker_pipeline().version


class ProcessExecutor:
    """Extraction in ``settings.workers`` local processes; results come back in input order."""

    name = "process"

    def __init__(self, settings: Settings) -> None:
        if settings.workers < 1:
            raise ConfigError(f"--workers must be 1 or more, got {settings.workers}")
        self.settings = settings
        self.workers = settings.workers
        # spawn, not fork: the parent may hold threads (Ray, a web server, a progress bar),
        # and a forked copy of a threaded process can deadlock.
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings,),
        )
        self._version: str | None = None

    def pipeline_version(self) -> str:
        if self._version is None:
            self._version = self._start_all()
        return self._version

    def _start_all(self) -> str:
        """Start every worker and wait until each has loaded the pipeline; its version."""
        # The pool starts processes as work arrives; one call per worker starts them all, and
        # rounds go on until each worker has answered, so no worker is still loading spaCy
        # when the first batch goes out.
        seen: dict[int, str] = {}
        while len(seen) < self.workers:
            for pid, version in (
                _result(f) for f in [self._pool.submit(_ready) for _ in range(self.workers)]
            ):
                seen[pid] = version
        versions = set(seen.values())
        if len(versions) != 1:  # pragma: no cover - the code changed under a starting pool
            raise EngineError(f"workers run different pipelines ({', '.join(sorted(versions))})")
        return versions.pop()

    def map_batches(self, batches: Iterable[Sequence[Document]]) -> Iterator[list[Extraction]]:
        # Two chunks per worker in flight keeps every worker busy while the writer stores.
        yield from map_in_order(
            batches,
            self.workers,
            2 * self.workers,
            lambda chunk: self._pool.submit(_extract_chunk, chunk),
            _result,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _result(fut: Future[T]) -> T:
    try:
        return fut.result()
    except BrokenProcessPool as e:
        raise EngineError(
            "a worker process died (out of memory?); batches already stored are kept: "
            "run the same command again, perhaps with fewer --workers"
        ) from e
