"""The built-in extraction components: thin adapters over the stages' own functions.

Each registers in ``tieline.registry`` like a plugin would. The chain they make by default:

    parse.spacy.v1      tokens, tags, dependencies and lemmas (spaCy, batched)
    ner.gazetteer.v3    names: gazetteer rulers around spaCy's statistical NER
    resolve.document.v6 mentions and entities: names typed, placed and resolved in the document
    events.trained.v1   typed events: the rule decider's plus those the trained model keeps
    quantities.rules.v4 figures: value, unit, measure, status and period

``ner.spacy.v1`` is an alternative to ``ner.gazetteer.v3`` (spaCy's NER alone, no gazetteer
rulers), chosen with ``--set components=ner.spacy.v1``; ``events.rules.v3`` is the rule decider
alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from tieline.extract import events, ner, quantities, resolve
from tieline.extract.gazetteer import Gazetteer, load_gazetteer
from tieline.records import Annotated
from tieline.registry import BuildContext, register

# spaCy pipes that recognise names: the parse leaves them to the NER components, which run
# them in this order after it.
NER_PIPES = (
    "tieline_gazetteer",
    "tieline_gazetteer_exact",
    "ner",
    "tieline_states",
    "tieline_states_exact",
)


def shared_gazetteer(ctx: BuildContext) -> Gazetteer:
    """The bundled gazetteer plus the settings' extra files, loaded once per pipeline."""
    return ctx.shared("gazetteer", lambda: load_gazetteer(ctx.settings.gazetteers))


def shared_nlp(ctx: BuildContext) -> Any:
    """The spaCy model of the settings, loaded once per pipeline (never downloaded)."""
    from tieline.extract.pipeline import load_nlp

    return ctx.shared("nlp", lambda: load_nlp(ctx.settings.model))


def _run_pipes(
    nlp: Any, names: Iterable[str], anns: Iterable[Annotated], batch_size: int
) -> Iterator[Annotated]:
    """Run spaCy pipes over the documents' parses, streaming in batches as ``nlp.pipe`` does."""
    mine, theirs = itertools.tee(anns)
    docs: Iterable[Any] = (a.parse for a in theirs)
    for name in names:
        proc = nlp.get_pipe(name)
        docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, docs)
    for ann, sdoc in zip(mine, docs, strict=True):
        yield replace(ann, parse=sdoc)


class SpacyParse:
    """Tokens, sentences, tags, dependencies and lemmas from the settings' spaCy model."""

    name = "parse.spacy.v1"
    requires = ("document",)
    provides = ("parse",)

    def __init__(self, ctx: BuildContext) -> None:
        self.nlp = shared_nlp(ctx)
        meta = self.nlp.meta
        self.fingerprint = f"{meta.get('name', 'model')}-{meta.get('version', '?')}"

    def _skipped(self) -> list[str]:
        return [n for n in NER_PIPES if n in self.nlp.pipe_names]

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with its parse."""
        return replace(ann, parse=self.nlp(ann.document.text, disable=self._skipped()))

    def pipe(self, anns: Iterable[Annotated], batch_size: int) -> Iterator[Annotated]:
        """The documents with their parses, parsed in batches."""
        pairs = ((a.document.text, a) for a in anns)
        for sdoc, ann in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=batch_size, disable=self._skipped()
        ):
            yield replace(ann, parse=sdoc)


class _SpacyNames:
    """Names in the parse, by the spaCy pipes listed in ``pipes``."""

    name = ""
    requires = ("parse",)
    provides = ("names",)
    pipes: tuple[str, ...] = ()

    def __init__(self, ctx: BuildContext) -> None:
        self.nlp = shared_nlp(ctx)

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with the names marked in its parse."""
        return next(self.pipe([ann], 1))

    def pipe(self, anns: Iterable[Annotated], batch_size: int) -> Iterator[Annotated]:
        """The documents with the names marked in their parses, in batches."""
        return _run_pipes(
            self.nlp, [p for p in self.pipes if p in self.nlp.pipe_names], anns, batch_size
        )


class GazetteerNames(_SpacyNames):
    """Gazetteer rulers around spaCy's statistical NER (see ``tieline.extract.ner``)."""

    name = ner.NAME
    pipes = NER_PIPES

    def __init__(self, ctx: BuildContext) -> None:
        super().__init__(ctx)
        gaz = shared_gazetteer(ctx)
        ner.add_gazetteer_ruler(self.nlp, gaz)
        self.fingerprint = f"gaz-{gaz.fingerprint}"


class SpacyNames(_SpacyNames):
    """spaCy's statistical NER alone: no gazetteer rulers."""

    name = "ner.spacy.v1"
    pipes = ("ner",)


class DocumentResolution:
    """Mentions and one entity per actor, resolved within the document."""

    name = resolve.NAME
    requires = ("parse", "names")
    provides = ("mentions", "entities")

    def __init__(self, ctx: BuildContext) -> None:
        self.gazetteer = shared_gazetteer(ctx)
        self.fingerprint = f"gaz-{self.gazetteer.fingerprint}"

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with its mentions and entities."""
        mentions, entities = resolve.resolve_document(ann.parse, self.gazetteer)
        return replace(ann, mentions=tuple(mentions), entities=tuple(entities))


class RuleEvents:
    """Typed events from the trigger lexicon and the dependency parse."""

    name = events.NAME
    requires = ("parse", "mentions", "entities")
    provides = ("events",)

    def __init__(self, ctx: BuildContext) -> None:
        pass

    decider = "rules"

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with its events."""
        found = events.extract_events(
            ann.document,
            ann.parse,
            list(ann.mentions),
            list(ann.entities),
            decider=self.decider,
        )
        return replace(ann, events=tuple(found))


class TrainedEvents(RuleEvents):
    """The rules' events plus the candidates the model of `make train` keeps
    (data/models/events.json); swap it in with ``--set components=events.trained.v1``."""

    name = events.TRAINED_NAME
    decider = "trained"


class RuleFigures:
    """Figures: amounts with their measure, status, period and actors."""

    name = quantities.NAME
    requires = ("parse", "mentions", "entities")
    provides = ("figures",)

    def __init__(self, ctx: BuildContext) -> None:
        pass

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with its figures."""
        found = quantities.extract_figures(
            ann.document, ann.parse, list(ann.mentions), list(ann.entities)
        )
        return replace(ann, figures=tuple(found))


BUILTINS = (
    SpacyParse,
    GazetteerNames,
    SpacyNames,
    DocumentResolution,
    RuleEvents,
    TrainedEvents,
    RuleFigures,
)
# The chain a pipeline runs unless the settings swap a component.
# The trained decider is the default: on articles it never saw it finds more of what the
# annotators mark (clusters set, held out: events F1 0.312 with rules -> 0.448; dev by 5-fold
# cross-validation 0.418 -> 0.569); the five seed articles lose precision (0.889 -> 0.774).
DEFAULT_CHAIN = tuple(
    c.name for c in (SpacyParse, GazetteerNames, DocumentResolution, TrainedEvents, RuleFigures)
)


def register_builtins() -> None:
    """Register the built-in components (idempotent)."""
    for cls in BUILTINS:
        register(
            cls.name,
            cls,
            cls.requires,
            cls.provides,
            help=(cls.__doc__ or "").strip().splitlines()[0],
        )


register_builtins()
