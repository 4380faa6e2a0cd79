"""Executors map extraction over batches of documents; results come back in input order.

Workers never write to the store: one writer (the runner) consumes their results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.extract.pipeline import get_pipeline
from tieline.records import Document, Extraction


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
        self.pipeline = get_pipeline(settings)

    def pipeline_version(self) -> str:
        return self.pipeline.version

    def map_batches(self, batches: Iterable[Sequence[Document]]) -> Iterator[list[Extraction]]:
        for batch in batches:
            yield list(self.pipeline.extract_many(batch, batch_size=self.settings.batch_size))

    def close(self) -> None:
        return None


def make_executor(settings: Settings) -> Executor:
    """The executor that ``settings.engine`` names."""
    if settings.engine == "local":
        return LocalExecutor(settings)
    if settings.engine == "process":
        from tieline.scale.pool import ProcessExecutor

        return ProcessExecutor(settings)
    if settings.engine == "ray":
        from tieline.scale.ray_engine import RayExecutor

        return RayExecutor(settings)
    raise ConfigError(f"unknown engine {settings.engine!r}; use local, process or ray")
