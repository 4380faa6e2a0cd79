"""The extraction chain: built from settings, checked before any text is read, swappable."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from tieline import registry
from tieline.config import Settings, load_settings
from tieline.errors import ConfigError
from tieline.extract.components import DEFAULT_CHAIN
from tieline.extract.pipeline import Pipeline, chain_names, check_settings
from tieline.records import Annotated, Document, Entity, Event

DOC = Document(id="d1", source_key="k", text="Alpha signed a deal with Beta.", name="a.txt")


class _Words:
    """Test parse: the text's words."""

    name = "parse.words.v1"
    requires = ("document",)
    provides = ("parse",)
    built: ClassVar[list[str]] = []

    def __init__(self, ctx: registry.BuildContext) -> None:
        self.built.append(self.name)

    def __call__(self, ann: Annotated) -> Annotated:
        return replace(ann, parse=ann.document.text.rstrip(".").split())


class _Capitals:
    """Test names: capitalised words are organisations."""

    name = "ner.capitals.v1"
    requires = ("parse",)
    provides = ("names",)

    def __init__(self, ctx: registry.BuildContext) -> None:
        pass

    def __call__(self, ann: Annotated) -> Annotated:
        return ann


class _Resolve:
    name = "resolve.capitals.v1"
    requires = ("parse", "names")
    provides = ("mentions", "entities")

    def __init__(self, ctx: registry.BuildContext) -> None:
        pass

    def __call__(self, ann: Annotated) -> Annotated:
        ents = tuple(Entity(key=w.lower(), name=w, type="ORG") for w in ann.parse if w.istitle())
        return replace(ann, entities=ents)


class _Events:
    name = "events.pairs.v1"
    requires = ("entities",)
    provides = ("events",)

    def __init__(self, ctx: registry.BuildContext) -> None:
        pass

    def __call__(self, ann: Annotated) -> Annotated:
        text = ann.document.text
        ev = Event(
            id="e1",
            type="agreement",
            trigger="signed",
            trigger_start=6,
            trigger_end=12,
            sentence_start=0,
            sentence_end=len(text),
            evidence=text,
        )
        return replace(ann, events=(ev,) if len(ann.entities) > 1 else ())


class _Figures:
    name = "quantities.none.v1"
    requires = ("parse",)
    provides = ("figures",)

    def __init__(self, ctx: registry.BuildContext) -> None:
        pass

    def __call__(self, ann: Annotated) -> Annotated:
        return ann


class _NeedsCandidates:
    name = "events.decide.v1"
    requires = ("candidates",)
    provides = ("events",)

    def __init__(self, ctx: registry.BuildContext) -> None:
        raise AssertionError("built although its chain has a gap")


TEST_COMPONENTS = (_Words, _Capitals, _Resolve, _Events, _Figures, _NeedsCandidates)
NO_SPACY = tuple(c.name for c in TEST_COMPONENTS[:5])


@pytest.fixture
def test_components() -> Iterator[None]:
    for c in TEST_COMPONENTS:
        registry.register(c.name, c, c.requires, c.provides)
    yield
    for c in TEST_COMPONENTS:
        registry.unregister(c.name)


def test_the_default_chain() -> None:
    assert (
        chain_names(Settings())
        == list(DEFAULT_CHAIN)
        == [
            "parse.spacy.v1",
            "ner.gazetteer.v3",
            "resolve.document.v6",
            "events.trained.v1",
            "quantities.rules.v4",
        ]
    )


def test_a_setting_swaps_the_component_of_its_kind() -> None:
    s = load_settings({"components": "ner.spacy.v1"}, env={}, toml_path=None)
    assert chain_names(s) == [
        "parse.spacy.v1",
        "ner.spacy.v1",
        "resolve.document.v6",
        "events.trained.v1",
        "quantities.rules.v4",
    ]


def test_a_new_kind_runs_at_the_end(test_components: None) -> None:
    names = chain_names(Settings(components=("tagging.demo.v1", "ner.spacy.v1")))
    assert names[1] == "ner.spacy.v1"
    assert names[-1] == "tagging.demo.v1"


def test_two_components_of_one_kind_are_refused() -> None:
    with pytest.raises(ConfigError, match="both of kind 'ner'"):
        chain_names(Settings(components=("ner.spacy.v1", "ner.gazetteer.v3")))


def test_an_unknown_component_is_refused_before_loading() -> None:
    with pytest.raises(ConfigError, match=r"no component named 'events\.magic\.v1'"):
        Pipeline(Settings(components=("events.magic.v1",)))


def test_a_gap_is_refused_before_anything_is_built(test_components: None) -> None:
    _Words.built.clear()
    settings = Settings(components=(*NO_SPACY[:3], "events.decide.v1", NO_SPACY[4]))
    with pytest.raises(ConfigError, match=r"events\.decide\.v1 requires candidates"):
        Pipeline(settings)
    assert _Words.built == []


def test_a_gap_stops_ingest_before_any_text_is_read(test_components: None, tmp_path: Path) -> None:
    from tieline.scale.runner import ingest_paths
    from tieline.store.db import Store

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Alpha signed a deal with Beta.", encoding="utf-8")
    settings = Settings(db=str(tmp_path / "t.db"), progress=False, components=("events.decide.v1",))
    with pytest.raises(ConfigError, match="requires candidates"):
        ingest_paths([tmp_path / "in"], settings)
    with Store(settings.db) as store:
        assert store.stored_by_source(["a.txt"]) == {}


def test_a_chain_of_swapped_components_runs_and_names_its_version(test_components: None) -> None:
    p = Pipeline(Settings(components=NO_SPACY))
    assert p.names == NO_SPACY
    assert p.version == "+".join(NO_SPACY)
    ext = p.extract(DOC)
    assert ext.pipeline_version == p.version
    assert [e.name for e in ext.entities] == ["Alpha", "Beta"]
    assert [e.type for e in ext.events] == ["agreement"]
    assert check_settings(Settings(components=NO_SPACY)) == list(NO_SPACY)


@pytest.mark.slow
def test_the_chain_gives_what_the_stage_functions_give(pipeline) -> None:  # type: ignore[no-untyped-def]
    """The adapters add nothing: the same records as calling each stage by hand."""
    from tieline.extract.events import extract_events
    from tieline.extract.quantities import extract_figures
    from tieline.extract.resolve import resolve_document

    text = (
        "Rosatom signed a contract with Egypt's Nuclear Power Plants Authority on Monday to "
        "build four reactors worth $25 billion at El Dabaa. Trade grew 12% in 2016."
    )
    doc = Document(id="d2", source_key="k2", text=text, name="b.txt", published="2017-12-11")
    sdoc = pipeline.nlp(text)
    mentions, entities = resolve_document(sdoc, pipeline.gazetteer)
    ext = pipeline.extract(doc)
    assert ext.mentions == tuple(mentions)
    assert ext.entities == tuple(entities)
    # The default chain decides with the trained model (events.trained.v1).
    assert ext.events == tuple(extract_events(doc, sdoc, mentions, entities, decider="trained"))
    assert ext.figures == tuple(extract_figures(doc, sdoc, mentions, entities))
    assert ext.events
    assert ext.figures
    assert list(pipeline.extract_many([doc, doc], batch_size=2)) == [ext, ext]


@pytest.mark.slow
def test_swapping_ner_by_setting_changes_the_chain() -> None:
    default = Pipeline(Settings(progress=False))
    plain = Pipeline(Settings(progress=False, components=("ner.spacy.v1",)))
    assert "ner.spacy.v1" in plain.version
    assert "ner.gazetteer.v3" not in plain.version
    assert plain.version != default.version
    assert "tieline_gazetteer" in default.nlp.pipe_names
    assert "tieline_gazetteer" not in plain.nlp.pipe_names
    doc = Document(
        id="d3",
        source_key="k3",
        name="c.txt",
        text="Rosatom and CNNC agreed to build two VVER-1200 units in Tianwan.",
    )
    assert plain.extract(doc).doc_id == "d3"
