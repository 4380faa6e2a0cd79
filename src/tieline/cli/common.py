"""Shared CLI pieces: the --db option, settings, progress, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from tieline.config import Settings, load_settings
from tieline.errors import ConfigError, TielineError

# Widest a table gets when measured for a pipe: far beyond any row, yet bounded.
_UNBOUNDED = 100_000


class _Out(Console):
    """Standard output. Into a pipe or a file (no terminal, so no width), a table prints at its
    full width: cut to Rich's default 80 columns, names and quotes were folded or lost for
    whoever greps or pages the output."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Print as Rich does, tables at their natural width when stdout is not a terminal."""
        tables = [o for o in objects if isinstance(o, Table)]
        if not tables or self.is_terminal or kwargs.get("width") is not None:
            super().print(*objects, **kwargs)
            return
        for t in tables:
            # Ratios share out a terminal's width; a pipe has none, so each column fits its text.
            t.expand = False
        wide = self.options.update(width=_UNBOUNDED)
        widest = max(Measurement.get(self, wide, t).maximum for t in tables)
        saved = self._width
        # Console.print caps a width= argument at the console's own width: widen that instead.
        self._width = max(widest, saved or 0, 80)
        try:
            super().print(*objects, **kwargs)
        finally:
            self._width = saved


# Markup and emoji codes are off: names, quotes, search terms and paths are data and print as
# they are ("[/b]" in an article, a ":flag:" or "[link=...]" never styles or breaks output).
# Our own styling goes through ``style=`` or ``Text``, never through markup in a string.
out = _Out(soft_wrap=True, markup=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store: SQLite file or postgresql:// URL [env TIELINE_DB; default tieline.db]."
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for machines instead of tables.")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a setting: --set key=value (repeatable)."),
]


def settings_from(db: str | None = None, sets: list[str] | None = None, **extra: Any) -> Settings:
    """Settings: defaults < tieline.toml < TIELINE_* < --set < explicit options."""
    overrides: dict[str, Any] = {}
    for item in sets or []:
        if "=" not in item:
            fail(f"--set wants key=value, got {item!r}")
        k, v = item.split("=", 1)
        overrides[k.strip()] = v
    overrides.update({k: v for k, v in extra.items() if v is not None})
    if db is not None:
        overrides["db"] = db
    try:
        return load_settings(overrides)
    except ConfigError as e:
        fail(str(e))


def labelled(label: str, style: str, message: str) -> Text:
    """A styled label followed by a message printed literally (the message is data)."""
    return Text.assemble((label, style), " ", message)


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and the word in the right number: "1 event", "2 events", "0 entities"."""
    if n == 1:
        return f"{n} {word}"
    if plural is None:
        plural = (
            word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
        )
    return f"{n} {plural}"


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(labelled("error:", "red", message), highlight=False)
    raise typer.Exit(code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn Tieline's errors, and a store's or the disk's failures (full, read-only, corrupt),
    into one line on stderr and exit code 2."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except TielineError as e:
        fail(str(e))
    except BrokenPipeError:
        # The reader went away (`tieline export | head`): not an error of ours. Stop quietly,
        # with the status a process killed by SIGPIPE has, and keep Python from complaining
        # about the closed stdout at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except (SQLAlchemyError, OSError) as e:
        from tieline.store.db import explain

        fail(f"store: {explain(e)}" if isinstance(e, SQLAlchemyError) else explain(e))


@contextmanager
def progress_bar(enabled: bool, min_total: int = 4) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar fed by progress(stage, done, total) calls, shown on larger runs."""
    if not enabled or not err.is_terminal:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if total < min_total:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
