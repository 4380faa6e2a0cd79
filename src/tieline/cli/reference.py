"""The CLI reference (docs/cli.md), generated from the commands' own --help.

python -m tieline.cli.reference > docs/cli.md
"""

from __future__ import annotations

import typer.main
from typer.testing import CliRunner


def _help(args: list[str]) -> str:
    from tieline.cli import app

    res = CliRunner().invoke(
        app, [*args, "--help"], env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}, color=False
    )
    lines = [line.rstrip() for line in res.output.splitlines()]
    return "\n".join(lines).strip("\n")


def command_names() -> list[str]:
    """Every visible top-level command, sorted."""
    from tieline.cli import _register, app

    _register()
    group = typer.main.get_command(app)
    ctx = typer.Context(group, info_name="tieline")
    names = group.list_commands(ctx)  # type: ignore[attr-defined]
    return sorted(n for n in names if not getattr(group.get_command(ctx, n), "hidden", False))  # type: ignore[attr-defined]


def render() -> str:
    """Markdown with every command's usage, help and options."""
    names = command_names()
    lines = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python -m tieline.cli.reference > docs/cli.md`; "
        "a test keeps it current.",
        "",
        "```",
        _help([]),
        "```",
        "",
    ]
    for name in names:
        lines += [f"## tieline {name}", "", "```", _help([name]), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
