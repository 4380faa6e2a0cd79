"""Executors map extraction over batches of documents; results come back in input order.

Workers never write to the store: one writer (the runner) consumes their results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from tieline.config import Settings
from tieline.errors import ConfigError, TielineError
from tieline.extract.pipeline import Pipeline, check_settings, get_pipeline
from tieline.records import Document, Extraction

H = TypeVar("H")


class EngineError(TielineError):
    """A worker of the process or Ray engine failed; stored batches are kept, so run again."""


# Settings that steer the run, not the extraction: blanked so that every run in a process
# (any --db, --batch-size, --engine) shares one loaded pipeline.
_RUN_ONLY = (
    "db",
    "batch_size",
    "engine",
    "workers",
    "ray_address",
    "progress",
    "max_file_mb",
    "fetch_timeout_s",
    "fetch_max_mb",
    "allow_private",
    "allow_hosts",
)


def pipeline_settings(settings: Settings) -> Settings:
    """The settings with run-only fields at their defaults: what decides the pipeline."""
    base = Settings(progress=False)
    return replace(settings, **{k: getattr(base, k) for k in _RUN_ONLY if hasattr(base, k)})


def load_pipeline(settings: Settings) -> Pipeline:
    """The extraction pipeline for these settings, loaded once per process."""
    return get_pipeline(pipeline_settings(settings))


def split(batch: Sequence[Document], parts: int) -> list[Sequence[Document]]:
    """Cut a batch into at most ``parts`` runs of consecutive documents, of near-equal size."""
    n = len(batch)
    parts = max(1, min(parts, n))
    step, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + step + (1 if i < extra else 0)
        out.append(batch[start:end])
        start = end
    return [c for c in out if len(c)]


def map_in_order(
    batches: Iterable[Sequence[Document]],
    parts: int,
    window: int,
    submit: Callable[[Sequence[Document]], H],
    wait: Callable[[H], list[Extraction]],
) -> Iterator[list[Extraction]]:
    """Spread each batch over workers as ``parts`` chunks, yield whole batches in input order.

    At most about ``window`` chunks are in flight, so a long run holds only a few batches in
    memory and the writer stores each batch as soon as it and those before it are done.
    """
    pending: deque[list[H]] = deque()
    in_flight = 0
    source = iter(batches)
    exhausted = False

    def fill() -> None:
        nonlocal in_flight, exhausted
        while not exhausted and in_flight < window:
            batch = next(source, None)
            if batch is None:
                exhausted = True
                return
            handles = [submit(chunk) for chunk in split(batch, parts)]
            in_flight += len(handles)
            pending.append(handles)

    fill()
    while pending:
        handles = pending.popleft()
        out: list[Extraction] = []
        for h in handles:
            out.extend(wait(h))
        in_flight -= len(handles)
        fill()
        yield out


class Executor(Protocol):
    """Maps the extraction function over batches."""

    name: str

    def map_batches(self, batches: Iterable[Sequence[Document]]) -> Iterator[list[Extraction]]:
        """Extract each batch; yield results batch by batch, in input order."""
        ...

    def pipeline_version(self) -> str:
        """The version string of the pipeline the workers run."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """Extraction in this process."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = load_pipeline(settings)

    def pipeline_version(self) -> str:
        return self.pipeline.version

    def map_batches(self, batches: Iterable[Sequence[Document]]) -> Iterator[list[Extraction]]:
        for batch in batches:
            yield list(self.pipeline.extract_many(batch, batch_size=self.settings.batch_size))

    def close(self) -> None:
        return None


def make_executor(settings: Settings) -> Executor:
    """The executor that ``settings.engine`` names."""
    # A component chain with a gap fails here, before any input is read or model loaded.
    check_settings(settings)
    if settings.engine == "local":
        return LocalExecutor(settings)
    if settings.engine == "process":
        from tieline.scale.pool import ProcessExecutor

        return ProcessExecutor(settings)
    if settings.engine == "ray":
        from tieline.scale.ray_engine import RayExecutor

        return RayExecutor(settings)
    raise ConfigError(f"unknown engine {settings.engine!r}; use local, process or ray")
