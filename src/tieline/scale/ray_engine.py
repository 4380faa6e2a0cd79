"""The Ray engine: extraction spread over a Ray cluster (``--engine ray``).

Each worker is a Ray actor that loads the pipeline once and then extracts chunks of documents.
The driver (this process) reads the inputs, sends chunks to the actors and stores the results
in input order; actors never touch the store. With no address, a local Ray with
``settings.workers`` CPUs is started for the run and stopped after it; with ``auto`` or
``ray://host:port`` the run joins that cluster, whose nodes need tieline installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tieline.config import Settings
from tieline.errors import ConfigError, MissingExtraError
from tieline.records import Document, Extraction
from tieline.scale.executor import EngineError, load_pipeline, map_in_order


class _Worker:
    """One actor: a loaded pipeline."""

    def __init__(self, settings: Settings) -> None:
        self.pipeline = load_pipeline(settings)

    def version(self) -> str:
        return self.pipeline.version

    def extract(self, docs: Sequence[Document]) -> list[Extraction]:
        return list(self.pipeline.extract_many(docs, batch_size=max(1, len(docs))))


class RayExecutor:
    """Extraction on ``settings.workers`` Ray actors; results come back in input order."""

    name = "ray"

    def __init__(self, settings: Settings) -> None:
        try:
            import ray
        except ImportError as e:
            raise MissingExtraError("scale", "--engine ray") from e
        if settings.workers < 1:
            raise ConfigError(f"--workers must be 1 or more, got {settings.workers}")
        self._ray = ray
        self.settings = settings
        self.workers = settings.workers
        self._owns_ray = False
        if not ray.is_initialized():
            try:
                if settings.ray_address:
                    ray.init(address=settings.ray_address, logging_level=logging.WARNING)
                else:
                    ray.init(
                        num_cpus=self.workers,
                        include_dashboard=False,
                        logging_level=logging.WARNING,
                    )
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise EngineError(
                    f"cannot start or join Ray at {settings.ray_address or 'a local cluster'}: "
                    f"{e}; check --address (auto, ray://host:port) or leave it out"
                ) from e
            self._owns_ray = True
        actor = ray.remote(num_cpus=1)(_Worker)
        # Any: Ray's handles are typed as the class they wrap, without their .remote methods.
        self._actors: list[Any] = [actor.remote(settings) for _ in range(self.workers)]
        self._next = 0
        self._version: str | None = None

    def _get(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayError as e:
            raise EngineError(
                f"a Ray worker failed ({e.__class__.__name__}: {str(e).splitlines()[0]}); "
                "batches already stored are kept: run the same command again"
            ) from e

    def pipeline_version(self) -> str:
        if self._version is None:
            versions = set(self._get([a.version.remote() for a in self._actors]))
            if len(versions) != 1:
                raise EngineError(
                    f"Ray workers run different pipelines ({', '.join(sorted(versions))}); "
                    "install the same tieline and model on every node"
                )
            self._version = versions.pop()
        return self._version

    def _submit(self, chunk: Sequence[Document]) -> Any:
        # Round robin: chunks are of near-equal size and each actor runs its queue in order.
        actor = self._actors[self._next % len(self._actors)]
        self._next += 1
        return actor.extract.remote(list(chunk))

    def map_batches(self, batches: Iterable[Sequence[Document]]) -> Iterator[list[Extraction]]:
        yield from map_in_order(batches, self.workers, 2 * self.workers, self._submit, self._get)

    def close(self) -> None:
        for a in self._actors:
            self._ray.kill(a)
        self._actors = []
        if self._owns_ray:
            self._ray.shutdown()
