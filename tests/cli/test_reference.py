"""docs/cli.md is generated from --help and must match it."""

from __future__ import annotations

from pathlib import Path

from tieline.cli.reference import command_names, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m tieline.cli.reference > docs/cli.md`"
    )


def test_every_command_has_help() -> None:
    text = render()
    for name in command_names():
        section = text.split(f"## tieline {name}\n", 1)[1].split("\n## ", 1)[0]
        assert "Usage: tieline" in section
        body = [
            ln
            for ln in section.splitlines()
            if ln.strip() and not ln.lstrip().startswith(("Usage", "```", "╭", "│", "╰"))
        ]
        assert body, f"tieline {name} has no help text"
