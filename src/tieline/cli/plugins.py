"""Optional command groups: each module is added when its imports succeed."""

from __future__ import annotations

import importlib

import typer

# Modules under tieline.cli that add commands to the app when imported. Later issues add theirs.
OPTIONAL = ("entities", "events", "figures", "documents", "query", "web", "scale", "clusters")


def load(app: typer.Typer) -> None:
    for name in OPTIONAL:
        try:
            mod = importlib.import_module(f"tieline.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("tieline.cli"):
                continue
            raise
        register = getattr(mod, "register", None)
        if register is not None:
            register(app)
