"""The component registry: versioned names, the chain check, and plugins from entry points."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import tieline.extract.components  # noqa: F401 - registers the built-ins
from tieline import registry
from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.records import Annotated


class _Noop:
    """A test component: changes nothing, provides a label."""

    name = "demo.noop.v1"
    requires = ("document",)
    provides = ("demo",)

    def __init__(self, ctx: registry.BuildContext) -> None:
        self.ctx = ctx

    def __call__(self, ann: Annotated) -> Annotated:
        return replace(ann)


@pytest.fixture
def demo() -> Iterator[str]:
    registry.register(_Noop.name, _Noop, _Noop.requires, _Noop.provides)
    yield _Noop.name
    registry.unregister(_Noop.name)


def test_every_registered_name() -> None:
    """A snapshot: a new or renamed component is a deliberate change to this list."""
    assert [r.name for r in registry.registered()] == [
        "events.rules.v3",
        "events.trained.v1",
        "ner.gazetteer.v3",
        "ner.spacy.v1",
        "parse.spacy.v1",
        "quantities.rules.v4",
        "resolve.document.v6",
    ]


def test_builtins_declare_what_they_need_and_give() -> None:
    reg = registry.registration("events.rules.v3")
    assert reg.kind == "events"
    assert reg.origin == "tieline"
    assert set(reg.requires) == {"parse", "mentions", "entities"}
    assert reg.provides == ("events",)
    assert all(r.help for r in registry.registered())


@pytest.mark.parametrize(
    "bad",
    [
        "events",
        "events.v1",
        "Events.rules.v1",
        "events.rules",
        "events.rules.1",
        "events-rules.x.v1",
        "events..rules.v1",
    ],
)
def test_names_are_dotted_lower_snake_and_versioned(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"<kind>\.<implementation>\.v<N>"):
        registry.register(bad, _Noop)


def test_a_taken_name_needs_a_new_version(demo: str) -> None:
    registry.register(demo, _Noop)  # the same factory again: no change
    with pytest.raises(ConfigError, match="new version"):
        registry.register(demo, lambda ctx: _Noop(ctx))


def test_chain_check_names_the_gap(demo: str) -> None:
    registry.check_chain(
        ["parse.spacy.v1", "ner.gazetteer.v3", "resolve.document.v6", "events.rules.v3"]
    )
    with pytest.raises(ConfigError, match=r"events\.rules\.v3 requires mentions, entities"):
        registry.check_chain(["parse.spacy.v1", "events.rules.v3"])
    with pytest.raises(ConfigError, match="requires parse"):
        registry.check_chain(["ner.gazetteer.v3", "parse.spacy.v1"])


def test_an_unknown_name_lists_those_of_its_kind() -> None:
    with pytest.raises(
        ConfigError,
        match=r"'ner.magic.v9'; registered: ner.gazetteer.v3, "
        r"ner.spacy.v1",
    ):
        registry.check_chain(["ner.magic.v9"])


def test_build_context_shares_one_resource() -> None:
    ctx = registry.BuildContext(Settings())
    calls: list[int] = []
    first = ctx.shared("x", lambda: calls.append(1) or object())
    assert ctx.shared("x", lambda: calls.append(2) or object()) is first
    assert calls == [1]


def _plugin(root: Path, module: str, body: str) -> None:
    """An installed distribution, as pip leaves one: a module and a dist-info folder."""
    (root / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = root / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[tieline.components]\n{module} = {module}:setup\n", encoding="utf-8"
    )


@pytest.fixture
def plugins_on() -> Iterator[None]:
    """Opt in to entry points for one test; the suite keeps them off."""
    registry.use_entry_points(True)
    yield
    registry.use_entry_points(False)


def test_entry_points_stay_unloaded_in_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(
        tmp_path,
        "tieline_plugin_off",
        """
        def setup():
            raise AssertionError("loaded although the suite keeps plugins off")
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert registry.load_entry_points() == []


def test_a_plugin_registers_through_its_entry_point(
    tmp_path: Path, plugins_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(
        tmp_path,
        "tieline_plugin_demo",
        """
        from dataclasses import replace

        from tieline.registry import register

        class Tagger:
            name = "tagging.demo.v1"
            requires = ("events",)
            provides = ("tags",)

            def __init__(self, ctx):
                pass

            def __call__(self, ann):
                return replace(ann)

        def setup():
            register(Tagger.name, Tagger, Tagger.requires, Tagger.provides,
                     origin="tieline_plugin_demo")
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert registry.load_entry_points() == ["tieline_plugin_demo"]
        reg = registry.registration("tagging.demo.v1")
        assert reg.origin == "tieline_plugin_demo"
        assert reg.kind == "tagging"
        assert registry.load_entry_points() == []  # once per process
    finally:
        registry.unregister("tagging.demo.v1")


def test_a_broken_plugin_is_named(
    tmp_path: Path, plugins_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plugin(
        tmp_path,
        "tieline_plugin_broken",
        """
        def setup():
            raise RuntimeError("no model file")
    """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match=r"tieline_plugin_broken.*no model file"):
        registry.load_entry_points()
