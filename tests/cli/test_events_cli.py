"""``tieline events`` and ``tieline timeline``, in-process through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.config import Settings
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store
from tieline.store.events import cluster_events

_register()
runner = CliRunner()

# (name, published, text, type, trigger, [(name, type, country, role)], sector, status)
DOCS = [
    (
        "a.txt",
        "2021-05-19",
        "Rosatom and CNNC launched the construction of four reactors.",
        "construction",
        "launched",
        [("Rosatom", "ORG", "RU", "party"), ("CNNC", "ORG", "CN", "party")],
        "energy.nuclear",
        "done",
    ),
    (
        "b.txt",
        "2021-05-20",
        "Rosatom and CNNC launched the building of four nuclear units.",
        "construction",
        "launched",
        [("Rosatom", "ORG", "RU", "party"), ("CNNC", "ORG", "CN", "party")],
        "energy.nuclear",
        "done",
    ),
    (
        "c.txt",
        "2022-03-01",
        "Japan imposed export restrictions on Russia.",
        "sanction",
        "imposed",
        [("Japan", "COUNTRY", "JP", "source"), ("Russia", "COUNTRY", "RU", "target")],
        None,
        "done",
    ),
    (
        "d.txt",
        "2023-01-10",
        "India and Russia will hold talks on oil supplies next week.",
        "talks",
        "talks",
        [("India", "COUNTRY", "IN", "party"), ("Russia", "COUNTRY", "RU", "party")],
        "energy.oil",
        "planned",
    ),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("events_cli") / "kb.db")
    items = []
    for name, published, text, etype, trigger, parts, sector, status in DOCS:
        doc = Document(
            id=name[0] * 8, source_key=name, text=text, name=name, published=published, source=name
        )
        start = text.index(trigger)
        ev = Event(
            id=f"{doc.id}:{start}",
            type=etype,
            trigger=trigger,
            trigger_start=start,
            trigger_end=start + len(trigger),
            sentence_start=0,
            sentence_end=len(text),
            evidence=text.rstrip("."),
            sector=sector,
            status=status,
            participants=tuple(Participant(n.casefold(), n, r) for n, _, _, r in parts),
        )
        ents = tuple(
            Entity(key=n.casefold(), name=n, type=t, country=c, mention_count=1)
            for n, t, c, _ in parts
        )
        items.append((doc, Extraction(doc.id, "test", entities=ents, events=(ev,)), None))
    with Store(path) as store:
        store.write(items)
        relink(store, Settings(db=path, progress=False))
        cluster_events(store)
    return path


def test_events_json_lists_every_event_with_its_citation(db: str) -> None:
    res = runner.invoke(app, ["events", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["doc"] for r in rows] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    for r in rows:
        assert r["citation"] == f'{r["doc"]}: "{r["evidence"]}"'
        assert r["plover"]
        assert r["cameo"]


@pytest.mark.parametrize(
    ("args", "docs"),
    [
        (["--type", "sanction"], ["c.txt"]),
        (["--actor", "CNNC"], ["a.txt", "b.txt"]),
        (["--sector", "energy"], ["a.txt", "b.txt", "d.txt"]),
        (["--since", "2022", "--until", "2022-12"], ["c.txt"]),
        (["--pair", "RU-IN"], ["d.txt"]),
        (["--status", "planned"], ["d.txt"]),
    ],
)
def test_events_filters(db: str, args: list[str], docs: list[str]) -> None:
    res = runner.invoke(app, ["events", "--db", db, "--json", *args])
    assert res.exit_code == 0, res.output
    assert [r["doc"] for r in json.loads(res.stdout)] == docs


def test_events_table_shows_direction_and_quote(db: str) -> None:
    res = runner.invoke(app, ["events", "--db", db, "--type", "sanction"])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())
    assert "→Japan" in flat
    assert "←Russia" in flat
    assert "c.txt" in flat


def test_a_bad_type_is_one_line_and_exit_2(db: str) -> None:
    res = runner.invoke(app, ["events", "--db", db, "--type", "meeting"])
    assert res.exit_code == 2
    assert "unknown event type 'meeting'" in res.output
    assert "Traceback" not in res.output


def test_a_missing_store_is_one_line(tmp_path: Path) -> None:
    res = runner.invoke(app, ["timeline", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 2
    assert "tieline ingest" in res.output


def test_timeline_json_gives_each_event_once_with_its_reports(db: str) -> None:
    res = runner.invoke(app, ["timeline", "--db", db, "--pair", "CN-RU", "--json"])
    assert res.exit_code == 0, res.output
    (entry,) = json.loads(res.stdout)
    assert (entry["when"], entry["dated_by"], entry["sources"]) == ("2021-05-19", "published", 2)
    assert len(entry["reports"]) == 2
    assert all(r["citation"].startswith(("a.txt:", "b.txt:")) for r in entry["reports"])


def test_timeline_table_is_in_date_order(db: str) -> None:
    res = runner.invoke(app, ["timeline", "--db", db])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())
    assert flat.index("2021-05-19") < flat.index("2022-03-01") < flat.index("2023-01-10")
    assert "(planned)" in flat
