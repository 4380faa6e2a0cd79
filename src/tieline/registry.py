"""Named, versioned components, built-in and from plugins, in one registry.

A component maps an ``Annotated`` document to a new one. It is registered under a dotted,
lower_snake, versioned name, ``<kind>.<implementation>.v<N>`` (``events.rules.v3``), with the
fields it ``requires`` and ``provides``; components of one kind are alternatives that a setting
chooses between (``tieline.extract.pipeline``). Changing a component's behaviour means a new
version; the old one stays registered.

Built-ins register through ``register`` like any plugin. Installed packages add theirs under
the entry-point group ``tieline.components``: each entry point names a function taking no
arguments that calls ``register``. Entry points are loaded once, on the first pipeline build
that allows plugins; the test suite switches them off (``use_entry_points(False)``) unless a test
opts in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Protocol, TypeVar, runtime_checkable

from tieline.config import Settings
from tieline.errors import ConfigError
from tieline.records import Annotated

ENTRY_POINT_GROUP = "tieline.components"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\.v[0-9]+")

T = TypeVar("T")


@runtime_checkable
class Component(Protocol):
    """One step of extraction: a frozen annotated document in, a new one out."""

    # Read-only members, so that plain class attributes (name = "events.rules.v3") satisfy them.
    @property
    def name(self) -> str:
        """The registered name, ``<kind>.<implementation>.v<N>``."""
        ...

    @property
    def requires(self) -> tuple[str, ...]:
        """What must be in the document before this component runs."""
        ...

    @property
    def provides(self) -> tuple[str, ...]:
        """What this component adds."""
        ...

    def __call__(self, ann: Annotated) -> Annotated:
        """The document with what this component finds added."""
        ...


@runtime_checkable
class BatchComponent(Component, Protocol):
    """A component that is faster on a stream of documents (a parser batching its work)."""

    def pipe(self, anns: Iterable[Annotated], batch_size: int) -> Iterator[Annotated]:
        """The documents, in input order, each with what this component finds added."""
        ...


@dataclass
class BuildContext:
    """What component factories get: the settings, and resources they share (one loaded model)."""

    settings: Settings
    _shared: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, load: Callable[[], T]) -> T:
        """The resource under ``key``, loaded by ``load`` on first use and shared after."""
        if key not in self._shared:
            self._shared[key] = load()
        value: T = self._shared[key]
        return value


Factory = Callable[[BuildContext], Component]


@dataclass(frozen=True)
class Registration:
    """A registered component: its name, how to build it, and what it needs and gives."""

    name: str
    factory: Factory
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    help: str = ""
    origin: str = "tieline"

    @property
    def kind(self) -> str:
        """The name without implementation and version: components of one kind are alternatives."""
        return self.name.rsplit(".", 2)[0]


_REGISTRY: dict[str, Registration] = {}
_entry_points = {"enabled": True, "loaded": False}


def kind_of(name: str) -> str:
    """The kind a component name belongs to (``events`` for ``events.rules.v3``)."""
    return name.rsplit(".", 2)[0]


def register(
    name: str,
    factory: Factory,
    requires: Iterable[str] = (),
    provides: Iterable[str] = (),
    *,
    help: str = "",
    origin: str = "tieline",
) -> Registration:
    """Register a component factory under a versioned name.

    Raises:
        ConfigError: the name is not dotted lower_snake with a version, or is taken by another
            factory (a new behaviour needs a new version).
    """
    if not NAME_PATTERN.fullmatch(name) or name.count(".") < 2:
        raise ConfigError(
            f"component name {name!r} must be dotted lower_snake with a version, "
            "<kind>.<implementation>.v<N>, e.g. 'events.rules.v3'"
        )
    reg = Registration(name, factory, tuple(requires), tuple(provides), help, origin)
    old = _REGISTRY.get(name)
    if old is not None and old.factory is not factory:
        raise ConfigError(
            f"component {name} is already registered (by {old.origin}); "
            "register the new behaviour under a new version"
        )
    _REGISTRY[name] = reg
    return reg


def unregister(name: str) -> None:
    """Remove a registration (for plugins' own tests); unknown names are ignored."""
    _REGISTRY.pop(name, None)


def use_entry_points(enabled: bool) -> None:
    """Allow or forbid loading plugins from entry points (the test suite forbids it)."""
    _entry_points["enabled"] = enabled
    if enabled:
        _entry_points["loaded"] = False


def load_entry_points(group: str = ENTRY_POINT_GROUP) -> list[str]:
    """Run every installed plugin's registration hook once; returns the entry points run.

    Raises:
        ConfigError: a plugin failed to load or to register, naming its entry point.
    """
    if not _entry_points["enabled"] or _entry_points["loaded"]:
        return []
    _entry_points["loaded"] = True
    done = []
    for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
        try:
            hook = ep.load()
            hook()
        except ConfigError:
            raise
        except Exception as e:
            raise ConfigError(
                f"plugin entry point {ep.name} = {ep.value} ({group}) failed: {e}; "
                "fix or uninstall the plugin, or run with --set plugins=false"
            ) from e
        done.append(ep.name)
    return done


def registration(name: str) -> Registration:
    """The registration of one name.

    Raises:
        ConfigError: no component has that name; the message lists those of its kind.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        same_kind = [n for n in sorted(_REGISTRY) if kind_of(n) == kind_of(name)]
        known = same_kind or sorted(_REGISTRY)
        raise ConfigError(f"no component named {name!r}; registered: {', '.join(known)}") from None


def registered() -> list[Registration]:
    """Every registration, by name."""
    return [_REGISTRY[n] for n in sorted(_REGISTRY)]


def check_chain(names: Iterable[str], available: Iterable[str] = ("document",)) -> None:
    """Check that each component's requirements are provided by an earlier one.

    Raises:
        ConfigError: a name is unknown, or a requirement is provided by nothing before it.
    """
    have = set(available)
    chain = list(names)
    for name in chain:
        reg = registration(name)
        missing = [r for r in reg.requires if r not in have]
        if missing:
            raise ConfigError(
                f"component {name} requires {', '.join(missing)}, which no component before "
                f"it provides (chain: {' -> '.join(chain)}); add a component that provides it "
                "earlier, or choose another one with --set components=..."
            )
        have.update(reg.provides)
