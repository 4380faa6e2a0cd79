"""The ``tieline`` command: a thin layer over the library (see ``tieline --help``)."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="tieline",
    help=(
        "Tieline turns news articles about international technological and industrial "
        "cooperation into a source-linked knowledge graph: actors, events, figures, each tied "
        "to the sentence it came from.\n\n"
        "Start with: tieline ingest examples/ && tieline summary"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    # One module per command group; each adds its commands to ``app``.
    from tieline.cli import (
        commands,  # noqa: F401
        plugins,
    )

    plugins.load(app)


def os_error_line(e: OSError) -> str:
    """A file error as one line, worded as the commands word theirs ('No such file...: x.jsonl')."""
    reason = e.strerror or str(e)
    return f"{reason}: {e.filename}" if e.filename else reason


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tieline`` script."""
    from tieline.errors import TielineError

    try:
        # Inside the try: a bad plugin or a bad setting met while registering is one line too.
        _register()
        app(args=argv, prog_name="tieline")
    except TielineError as e:
        # Any of our errors that a command did not turn into its own line: the message is
        # written for the user (what is wrong, what to do), so it is all they see.
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        # A full disk or a vanished folder outside any command's own handling: one line.
        print(f"error: {os_error_line(e)}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(
            "interrupted; what was committed is kept, run the same command again to resume",
            file=sys.stderr,
        )
        sys.exit(130)
