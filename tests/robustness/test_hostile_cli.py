"""Issue 18, the command line against a hostile world: data that looks like Rich markup, stores
that are corrupt, empty, read-only, full or newer than this code, and two ingests at once.

Each test is named after the failure it pins (test_fN_...)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.config import Settings
from tieline.extract.names import name_key
from tieline.ingest.dedupe import doc_id
from tieline.records import Document, Entity, Event, Extraction, Figure, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

_register()
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

# Our own sentence, with text that Rich would read as markup if it were not printed literally.
HOSTILE = ("Russia [/b] and China [link=https://evil.example/x]signed[/link] a deal on "
           ":rocket: launches worth 5 billion dollars in 2023 [bold]today[/bold].")


def _hostile_store(db: Path) -> None:
    """A one-document store whose quotes, names and evidence hold markup-like text."""
    text = HOSTILE
    did = doc_id(text)
    doc = Document(id=did, source_key="hostile.txt", text=text, name="hostile[/x].txt",
                   path="hostile[/x].txt", title="[/i] title", published="2023-05-01",
                   published_precision="day")
    ents = (Entity(key=name_key("Russia"), name="Russia", type="COUNTRY", country="RU",
                   mention_count=1),
            Entity(key=name_key("China"), name="China", type="COUNTRY", country="CN",
                   mention_count=1),
            Entity(key=name_key("[/x] Corp"), name="[/x] Corp", type="ORG", mention_count=1))
    ev = Event(id=hashlib.sha256(text.encode()).hexdigest()[:16], type="agreement",
               trigger="signed", trigger_start=text.index("signed"),
               trigger_end=text.index("signed") + 6, sentence_start=0, sentence_end=len(text),
               evidence=text, participants=(Participant(name_key("Russia"), "Russia", "source"),
                                            Participant(name_key("China"), "China", "target")),
               date="2023", date_precision="year", status="done")
    n0 = text.index("5 billion dollars")
    fig = Figure(id=hashlib.sha256(b"f" + text.encode()).hexdigest()[:16], measure="deal_value",
                 value=5e9, unit="USD", start=n0, end=n0 + 17, text="5 billion dollars",
                 evidence=text, currency="USD", period="2023", period_start="2023-01-01",
                 period_end="2023-12-31", status="done", actors=("Russia", "China"),
                 sentence_start=0, sentence_end=len(text))
    ext = Extraction(doc_id=did, pipeline_version="test.v1", entities=ents, events=(ev,),
                     figures=(fig,))
    with Store(str(db)) as store:
        store.write([(doc, ext, None)])
        relink(store, Settings(db=str(db), progress=False))


def test_f8_cli_prints_data_literally(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    _hostile_store(db)
    for args in (["entity", "Russia"], ["figures"], ["events"], ["entities"],
                 ["search", "[/x]"], ["entity", "[/x] Corp"], ["timeline"]):
        res = runner.invoke(app, [*args, "--db", str(db)])
        assert res.exception is None or isinstance(res.exception, SystemExit), (args, res.output)
        assert res.exit_code in (0, 1, 2), (args, res.output)
        assert "Traceback" not in res.output and "MarkupError" not in res.output, args
        assert "\x1b]8;" not in res.output, f"{args}: a terminal hyperlink was printed"
    shown = runner.invoke(app, ["entity", "Russia", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    assert "[/b]" in flat and "[link=https://evil.example/x]" in flat and ":rocket:" in flat
    # A missing store named with markup in its name: the message names that very file.
    missing = tmp_path / "no[bold]such.db"
    res = runner.invoke(app, ["summary", "--db", str(missing)])
    assert res.exit_code == 2
    assert "no[bold]such.db" in res.output
    res = runner.invoke(app, ["summary", "--db", str(tmp_path / "[/x].db")])
    assert res.exit_code == 2 and "[/x].db" in res.output
